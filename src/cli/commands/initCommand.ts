import { defineCommand } from '../defineCommand.js';

export const initCommand = defineCommand({
  name: 'init',
  summary: 'set up trove in the current Git repository',
  examples: ['trove init', 'git init && trove init && git commit -m "set up trove"', 'trove init --no-stage'],
  configure: (cmd) => cmd.option('--no-stage', 'do not git add .trove/config.yaml'),
  async run(ctx, _args, opts) {
    const { init } = await import('../../api/init.js');
    return init({ cwd: ctx.cwd, stage: opts.stage !== false });
  },
  render(out, r) {
    out.line(r.created ? `Initialised trove in ${r.root}/.trove` : `trove is already initialised in ${r.root}/.trove`);
    if (r.staged.length) out.info(`Staged ${r.staged.join(', ')}; commit them with git commit.`);
  },
});
