import { humanBytes } from '../../util/humanBytes.js';
import { defineCommand } from '../defineCommand.js';

export const fsckCommand = defineCommand({
  name: 'fsck',
  summary: 're-hash every stored object; remove and report corrupt ones (exit 1 if any)',
  examples: ['trove fsck', 'trove fsck --json', 'trove fsck -r storage              # presence and size of every pack', 'trove fsck -r storage --thorough   # download and re-hash everything'],
  configure: (cmd) => cmd.option('-r, --remote <name>', 'check a remote instead of the local store').option('--thorough', 'with -r: download and re-hash every object, not only presence and size'),
  async run(ctx, _args, opts) {
    const [{ verifyStore, fsckRemote }, { openRepo }] = await Promise.all([import('../../api/verifyStore.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    if (opts.remote) return { remote: await fsckRemote(repo, { remote: String(opts.remote), thorough: Boolean(opts.thorough) }) };
    return verifyStore(repo);
  },
  render(out, all) {
    if ('remote' in all) {
      const r = all.remote;
      for (const p of r.missingPacks) out.line(`missing   pack ${p.slice(0, 16)}… (absent or the wrong size)`);
      for (const p of r.corruptPacks) out.line(`corrupt   pack ${p.pack.slice(0, 16)}…: ${p.reason}`);
      for (const p of r.badIndexes) out.line(`corrupt   index ${p.slice(0, 16)}…`);
      if (r.orphanPacks.length) out.info(`${r.orphanPacks.length} pack(s) without an index (interrupted pushes): the next push reuses them, trove gc -r removes them.`);
      out.line(`Checked ${r.packs} pack(s), ${r.objects} object(s), ${humanBytes(r.bytes)} on ${r.remote} (${r.thorough ? 're-hashed' : 'presence and size'}): ${r.missingPacks.length + r.corruptPacks.length + r.badIndexes.length} problem(s).`);
      if (r.removed.length) out.info(`Took ${r.removed.length} bad pack(s) out of the remote's index; run trove push from a clone that has the data to send it again.`);
      return;
    }
    const r = all;
    for (const c of r.corrupt) out.line(`corrupt   ${c.kind} ${c.oid}${c.pack ? ` in pack ${c.pack.slice(0, 16)}…` : ''}: ${c.reason} (removed)`);
    for (const p of r.badPacks) out.line(`corrupt   pack ${p.pack.slice(0, 16)}…: ${p.reason} (retired)`);
    for (const c of r.incomplete) out.line(`incomplete chunk list ${c.oid}: ${c.reason}`);
    out.line(`Checked ${r.checked} object(s), ${humanBytes(r.bytes)}: ${r.corrupt.length} corrupt${r.badPacks.length ? `, ${r.badPacks.length} unreadable pack index(es)` : ''}${r.incomplete.length ? `, ${r.incomplete.length} incomplete` : ''}.`);
    if (r.corrupt.length || r.badPacks.length) out.info('Run trove fetch (or trove pull) to bring back what a remote still has; re-add other removed content if you still have it (trove add).');
  },
  exitCode: (r) => ('remote' in r ? (r.remote.missingPacks.length + r.remote.corruptPacks.length + r.remote.badIndexes.length > 0 ? 1 : 0) : r.corrupt.length + r.badPacks.length > 0 ? 1 : 0),
});
