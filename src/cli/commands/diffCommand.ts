import { humanBytes } from '../../util/humanBytes.js';
import { TroveError } from '../../errors/index.js';
import { defineCommand } from '../defineCommand.js';
import { paint } from '../Output.js';

export const diffCommand = defineCommand({
  name: 'diff',
  summary: 'show what changed in tracked data between revisions, or a revision and the work tree',
  examples: ['trove diff                 # HEAD against the work tree', 'trove diff HEAD~1          # an older commit against the work tree', 'trove diff v1 v2 -- data   # two revisions, one artifact', 'trove diff --json HEAD~1 HEAD'],
  configure: (cmd) => cmd.argument('[revs...]', 'zero, one or two revisions, then optionally -- PATH...'),
  async run(ctx, args, _opts) {
    const words = (args[0] as string[] | undefined) ?? [];
    const dash = ctx.argv.indexOf('--');
    const paths = dash >= 0 ? ctx.argv.slice(dash + 1) : [];
    // commander appends the operands after `--` to the variadic list; they are its tail.
    const revs = words.slice(0, words.length - paths.length);
    if (revs.length > 2) throw new TroveError('USAGE', `trove diff takes at most two revisions, not ${revs.length}.`, { hint: 'Separate paths with --, e.g. trove diff v1 v2 -- data' });
    const [{ diff }, { openRepo }] = await Promise.all([import('../../api/diff.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return diff(repo, { ...(revs[0] ? { from: revs[0] } : {}), ...(revs[1] ? { to: revs[1] } : {}), paths });
  },
  render(out, r) {
    if (r.artifacts.length === 0) out.info(`No changes in tracked data between ${r.from} and ${r.to}.`);
    const sz = (n?: number) => (n === undefined ? '' : humanBytes(n));
    for (const a of r.artifacts) {
      const color = a.change === 'added' ? 'green' : a.change === 'deleted' ? 'red' : 'yellow';
      const sizes = a.change === 'modified' ? `${sz(a.oldSize)} -> ${sz(a.newSize)}` : sz(a.oldSize ?? a.newSize);
      out.line(`${paint(out, color, a.change.padEnd(8))} ${out.path(a.path)}${a.kind === 'dir' ? '/' : ''} (${sizes})`);
      if (a.files) {
        for (const f of a.files.added) out.line(`    + ${out.path(`${a.path}/${f.path}`)} (${sz(f.size)})`);
        for (const f of a.files.modified) out.line(`    ~ ${out.path(`${a.path}/${f.path}`)} (${sz(f.oldSize)} -> ${sz(f.newSize)})`);
        for (const f of a.files.deleted) out.line(`    - ${out.path(`${a.path}/${f.path}`)} (${sz(f.size)})`);
      } else if (a.kind === 'dir' && a.change === 'modified') out.line('    (file list unavailable: a version is not in the local store)');
    }
  },
});
