import { humanBytes } from '../../util/humanBytes.js';
import { defineCommand } from '../defineCommand.js';

export const fsckCommand = defineCommand({
  name: 'fsck',
  summary: 're-hash every stored object; remove and report corrupt ones (exit 1 if any)',
  examples: ['trove fsck', 'trove fsck --json'],
  configure: (cmd) => cmd,
  async run(ctx) {
    const [{ fsck }, { openRepo }] = await Promise.all([import('../../api/fsck.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return fsck(repo);
  },
  render(out, r) {
    for (const c of r.corrupt) out.line(`corrupt   ${c.kind} ${c.oid}: ${c.reason} (removed)`);
    for (const c of r.incomplete) out.line(`incomplete chunk list ${c.oid}: ${c.reason}`);
    out.line(`Checked ${r.checked} object(s), ${humanBytes(r.bytes)}: ${r.corrupt.length} corrupt${r.incomplete.length ? `, ${r.incomplete.length} incomplete` : ''}.`);
    if (r.corrupt.length) out.info('Re-add removed content if you still have it (trove add), or point core.cache at a store with an intact copy.');
  },
  exitCode: (r) => (r.corrupt.length > 0 ? 1 : 0),
});
