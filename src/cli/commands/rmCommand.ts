import { defineCommand } from '../defineCommand.js';

export const rmCommand = defineCommand({
  name: 'rm',
  summary: 'stop tracking artifacts (the data is kept unless --delete)',
  examples: ['trove rm models/old.pt            # keep the file, stop tracking it', 'trove rm --delete data/tmp         # also delete the data (refused if it has unsaved content)'],
  configure: (cmd) => cmd.argument('<paths...>', 'tracked paths').option('--delete', 'delete the data too').option('-f, --force', 'delete even content that is not in the store').option('--no-stage', 'do not git add the changes'),
  async run(ctx, args, opts) {
    const [{ rm }, { openRepo }] = await Promise.all([import('../../api/rm.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return rm(repo, { paths: args[0] as string[], deleteData: Boolean(opts.delete), force: Boolean(opts.force), ...(opts.stage === false ? { stage: false } : {}) });
  },
  render(out, r) {
    for (const x of r.removed) out.line(`untracked ${out.path(x.path)}${x.dataDeleted ? ' (data deleted)' : ' (data kept; Git can see it now)'}`);
    out.info('Commit the removal of the pointer(s) with git commit.');
  },
});
