import { humanBytes } from '../../util/humanBytes.js';
import { defineCommand } from '../defineCommand.js';
import type { PushResult } from '../../api/push.js';
import { renderTransfer, selection, transferOptions } from './transferOptions.js';

export const pushCommand = defineCommand<PushResult>({
  name: 'push',
  summary: 'send the data that tracked paths need to a remote',
  examples: ['trove push                       # everything the work tree points to, to the default remote', 'trove push -r backup models/', 'trove push --all-branches --all-tags', 'trove push --rev v1.0 -j 16', 'trove push --rev HEAD~1 --rev v1.0 models/model.pt   # repeat --rev for more revisions'],
  configure: (cmd) => transferOptions(cmd, true),
  async run(ctx, args, opts) {
    const [{ push }, { openRepo }] = await Promise.all([import('../../api/push.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return push(repo, selection(args, opts));
  },
  render(out, r) {
    renderTransfer(out, 'Pushed', r, r.resumedPacks ? `, ${r.resumedPacks} pack(s) resumed from an interrupted push` : '');
    const st = r.removedStale;
    if (r.versions?.tags.length) out.line(`Sent version tag(s) ${r.versions.tags.join(', ')} to Git remote ${r.versions.gitRemote} (git push sends your branch).`);
    else if (r.versions && !r.versions.gitRemote) out.info('No Git remote: the version tags go with your first git push (push.followTags).');
    if (st && st.tempFiles + st.orphanPacks > 0) out.info(`Removed what killed pushes had left on ${r.remote}: ${st.tempFiles} temp file(s) and ${st.orphanPacks} pack(s) without an index, ${humanBytes(st.bytes)}.`);
  },
});
