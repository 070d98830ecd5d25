import { Option } from 'commander';
import { LINK_MODES, type LinkMode } from '../../platform/config.js';
import { defineCommand } from '../defineCommand.js';
import type { PullResult } from '../../api/pull.js';
import { renderTransfer, selection, transferOptions } from './transferOptions.js';

export const pullCommand = defineCommand<PullResult>({
  name: 'pull',
  summary: 'fetch, then check out: bring the data of tracked paths into the work tree',
  examples: ['trove pull', 'trove pull data/train/cat.jpg', 'trove pull --rev HEAD~1 models/   # an older model, HEAD does not move', 'trove pull -r backup -j 16'],
  configure: (cmd) =>
    transferOptions(cmd, false)
      .option('--rev <rev>', 'fetch and check out the data of this Git revision')
      .option('-f, --force', 'overwrite local changes that were not added (saved in the store first)')
      .addOption(new Option('--link <mode>', 'how files are placed').choices([...LINK_MODES])),
  async run(ctx, args, opts) {
    const [{ pull }, { openRepo }] = await Promise.all([import('../../api/pull.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const { revs: _r, allBranches: _b, allTags: _t, ...sel } = selection(args, { ...opts, rev: undefined });
    return pull(repo, { ...sel, ...(opts.rev ? { rev: String(opts.rev) } : {}), force: Boolean(opts.force), ...(opts.link ? { link: opts.link as LinkMode } : {}) });
  },
  render(out, r) {
    if (r.tags?.fetched.length) out.line(`Fetched version tag(s) ${r.tags.fetched.join(', ')} from Git remote ${r.tags.gitRemote} (trove checkout NAME@VERSION places one).`);
    renderTransfer(out, 'Fetched', r.fetch);
    for (const a of r.checkout.artifacts) {
      if (a.written || a.deleted) out.line(`restored  ${out.path(a.path)} (${a.written} written, ${a.deleted} removed, ${a.unchanged} unchanged)`);
      else out.line(`unchanged ${out.path(a.path)}`);
    }
    for (const s of r.checkout.saved) out.info(`Saved your local version of ${s.path} as saved copy ${s.id}: trove saved lists it, trove saved restore ${s.id} [-o PATH] brings it back; gc keeps it for 30 days (trove gc --keep-saved).`);
  },
});
