import { defineCommand } from '../defineCommand.js';
import type { FetchResult } from '../../api/fetch.js';
import { renderTransfer, selection, transferOptions } from './transferOptions.js';

export const fetchCommand = defineCommand<FetchResult>({
  name: 'fetch',
  summary: 'download into the local store the data that tracked paths need (the work tree is not touched)',
  examples: ['trove fetch', 'trove fetch data/train/cat.jpg      # one file of a tracked directory', 'trove fetch --rev v1.0 -r storage', 'trove fetch --all-branches'],
  configure: (cmd) => transferOptions(cmd, true),
  async run(ctx, args, opts) {
    const [{ fetch }, { openRepo }] = await Promise.all([import('../../api/fetch.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return fetch(repo, selection(args, opts));
  },
  render(out, r) {
    renderTransfer(out, 'Fetched', r);
  },
});
