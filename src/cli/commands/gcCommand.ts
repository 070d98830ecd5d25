import { humanBytes } from '../../util/humanBytes.js';
import { defineCommand } from '../defineCommand.js';

export const gcCommand = defineCommand({
  name: 'gc',
  summary: 'remove stored objects that no branch, tag, stash, index or work tree refers to',
  examples: ['trove gc --dry-run', 'trove gc', 'trove gc --allow-shared   # the cache is shared, and this repo is its only user'],
  configure: (cmd) => cmd.option('-n, --dry-run', 'only report what would be removed').option('--allow-shared', 'run even though core.cache points to a shared cache'),
  async run(ctx, _args, opts) {
    const [{ gc }, { openRepo }] = await Promise.all([import('../../api/gc.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return gc(repo, { dryRun: Boolean(opts.dryRun), allowShared: Boolean(opts.allowShared) });
  },
  render(out, r) {
    out.line(`${r.dryRun ? 'Would remove' : 'Removed'} ${r.removed} object(s), ${humanBytes(r.freedBytes)}; kept ${r.kept} referenced by ${r.pointers} pointer version(s).`);
  },
});
