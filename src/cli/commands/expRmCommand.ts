import type { ExpRmResult } from '../../api/expRm.js';
import type { ExpSubcommand } from './expCommand.js';

export type ExpRmRendered = { action: 'rm' } & ExpRmResult;

export const expRmSubcommand: ExpSubcommand<ExpRmRendered> = {
  name: 'rm',
  aliases: ['remove'],
  usage: 'rm ID...             delete runs (their files go at the next trove gc)',
  examples: ['trove exp rm 3f2a 9c01'],
  async run(ctx, args, opts) {
    const [{ expRm }, { openRepo }] = await Promise.all([import('../../api/expRm.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return { action: 'rm', ...(await expRm(repo, { ids: args, force: Boolean(opts.force) })) };
  },
  render(out, r) {
    for (const id of r.removed) out.line(`Removed experiment ${id}`);
    out.info('Their checkpoint files leave the store at the next trove gc (unless something else uses them).');
  },
};
