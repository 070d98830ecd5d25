import { humanBytes } from '../../util/humanBytes.js';
import { plural } from '../../util/plural.js';
import { defineCommand } from '../defineCommand.js';
import { paint } from '../Output.js';

export const addCommand = defineCommand({
  name: 'add',
  summary: 'track files or directories: store their content and write PATH.trove pointers',
  examples: ['trove add data/ models/model.pt', 'trove add --no-stage data/train.csv', 'trove add data && git commit -m "data v2"'],
  configure: (cmd) => cmd.argument('<paths...>', 'files or directories').option('--no-stage', 'do not git add the pointer and .gitignore')
      .option('--allow-deletions', 'record files of a directory that were never fetched here (after a partial pull) as deleted'),
  async run(ctx, args, opts) {
    const [{ add }, { openRepo }] = await Promise.all([import('../../api/add.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return add(repo, { paths: args[0] as string[], ...(opts.stage === false ? { stage: false } : {}), ...(opts.allowDeletions ? { allowDeletions: true } : {}) });
  },
  render(out, r) {
    for (const w of r.warnings) out.warn(w);
    for (const a of r.artifacts) {
      const what = a.kind === 'dir' ? `${plural(a.files ?? 0, 'file')}, ${humanBytes(a.size)}` : humanBytes(a.size);
      out.line(`${a.changed ? paint(out, 'green', 'added    ') : paint(out, 'dim', 'unchanged')} ${out.path(a.path)} (${what}${a.stored ? `, ${humanBytes(a.stored)} new in store` : ''})`);
    }
    if (r.staged.length) out.info(`Staged ${r.staged.length} file(s); commit with git commit.`);
  },
});
