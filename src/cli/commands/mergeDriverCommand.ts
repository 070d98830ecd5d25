import type { MergeDriverResult } from '../../api/mergeDriver.js';
import { defineCommand } from '../defineCommand.js';

/** Conflicts named one per line; past this many, a count (a merge of two big re-labellings must not flood the terminal). */
const MAX_LISTED = 20;

export const mergeDriverCommand = defineCommand<MergeDriverResult>({
  name: 'merge-driver',
  summary: 'merge three versions of a pointer file, file by file (Git runs it as the "trove" merge driver)',
  examples: [
    'git config merge.trove.name "trove pointer merge"',
    'git config merge.trove.driver "trove merge-driver %O %A %B %P"',
    'echo "*.trove merge=trove" >> .gitattributes',
    'trove merge-driver base.trove ours.trove theirs.trove data.trove   # exit 0 merged into ours.trove, 1 conflict',
  ],
  configure: (cmd) =>
    cmd
      .argument('<base>', 'file with the common ancestor\'s pointer (Git\'s %O; empty when there is none)')
      .argument('<ours>', 'file with our pointer; the result is written here (Git\'s %A)')
      .argument('<theirs>', 'file with their pointer (Git\'s %B)')
      .argument('<path>', 'the pointer file\'s path in the repository (Git\'s %P)'),
  async run(ctx, args) {
    const [{ mergeDriver }, { openRepo }] = await Promise.all([import('../../api/mergeDriver.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const [base, ours, theirs, path] = args as string[];
    return mergeDriver(repo, { base: base!, ours: ours!, theirs: theirs!, path: path! });
  },
  // Git shows the driver's output among its own: stdout stays empty, messages go to stderr.
  render(out, r) {
    for (const c of r.conflicts.slice(0, MAX_LISTED)) out.info(`CONFLICT (trove): ${c.message}`);
    if (r.conflicts.length > MAX_LISTED) out.info(`CONFLICT (trove): ${r.path}: and ${r.conflicts.length - MAX_LISTED} more files`);
    if (r.problem) {
      out.info(`CONFLICT (trove): ${r.path}: cannot merge: ${r.problem.message}`);
      out.info(`hint: ${r.problem.hint}`);
    } else if (r.conflicts.length > 0) {
      const dir = r.kind === 'dir' && r.result === 'merged';
      out.info(`hint: ${dir ? `${r.path}.trove now holds everything that merged, with our version of the conflicting files. ` : ''}Take a side with trove checkout --ours PATH or --theirs PATH (a whole tracked path, or files inside it), then git add ${r.path}.trove.`);
    }
  },
  exitCode: (r) => (r.clean ? 0 : 1),
});
