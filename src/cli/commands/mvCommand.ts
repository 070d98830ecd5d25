import { defineCommand } from '../defineCommand.js';

export const mvCommand = defineCommand({
  name: 'mv',
  summary: 'move or rename a tracked artifact with its pointer and .gitignore entry',
  examples: ['trove mv data datasets/iris', 'trove mv models/model.pt models/archive/'],
  configure: (cmd) => cmd.argument('<src>', 'tracked path').argument('<dst>', 'new path, or an existing directory').option('--no-stage', 'do not git add the changes'),
  async run(ctx, args, opts) {
    const [{ mv }, { openRepo }] = await Promise.all([import('../../api/mv.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return mv(repo, { from: String(args[0]), to: String(args[1]), ...(opts.stage === false ? { stage: false } : {}) });
  },
  render(out, r) {
    out.line(`moved ${out.path(r.from)} -> ${out.path(r.to)}`);
  },
});
