import { defineCommand } from '../defineCommand.js';
import type { UnlockResult } from '../../api/unlockPath.js';

export const unlockCommand = defineCommand<UnlockResult>({
  name: 'unlock',
  summary: 'make files of a flexible entity writable (they are read-only after trove version)',
  examples: ['trove unlock dataset/images/mnist/0001.png', 'trove unlock dataset/images/mnist/train/'],
  configure: (cmd) => cmd.argument('<paths...>', 'files, or directories (every file under them), of flexible entities'),
  async run(ctx, args) {
    const [{ unlockPath }, { openRepo }] = await Promise.all([import('../../api/unlockPath.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return unlockPath(repo, { paths: (args[0] as string[] | undefined) ?? [] });
  },
  render(out, r) {
    for (const p of r.unlocked) out.line(`unlocked  ${out.path(p)}`);
    if (r.unlocked.length === 0) out.info('Nothing to unlock.');
  },
});
