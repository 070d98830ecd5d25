import type { StatusResult } from '../../api/status.js';
import { humanBytes } from '../../util/humanBytes.js';
import { plural } from '../../util/plural.js';
import { defineCommand } from '../defineCommand.js';
import { paint } from '../Output.js';

/** Why the library's next step applies, per state: a hint names a command that works in that case. */
type ArtifactStatus = StatusResult['artifacts'][number];

function nextStep(a: ArtifactStatus): string {
  const n = a.notFetched?.length ?? 0;
  if (a.state === 'missing' && n > 0) return `${a.path}: ${plural(n, 'file')} never fetched here (not deleted); get them with ${a.next}`;
  if (a.state === 'missing') return a.inCache ? `${a.path} is missing; restore it with ${a.next}` : `${a.path} is missing and not in the local store; get it with ${a.next}`;
  if (a.state === 'unknown') return `${a.path} cannot be compared: this version's file listing is not in the local store; get it with ${a.next}`;
  if (a.next?.startsWith('trove checkout')) return `${a.path} differs from its pointer only by content trove has stored (e.g. after git reset or a rebase); restore the pointer's version with ${a.next}`;
  return `${a.path} has changes trove has not stored; record them with ${a.next}, or discard them with trove checkout --force ${a.next?.slice('trove add '.length)}`;
}

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'show tracked data that changed, is missing, or whose content is not in the cache',
  examples: ['trove status', 'trove status data/', 'trove status --json | jq .result.clean', 'trove status --exit-code  # exit 1 when anything changed', 'trove status -r storage   # what is not yet pushed / pulled'],
  configure: (cmd) =>
    cmd
      .argument('[paths...]', 'limit to these tracked paths')
      .option('--exit-code', 'exit with 1 when data differs from its pointer, is missing, or its content is not in the store (with -r: when anything is not pushed or not pulled)')
      .option('-r, --remote <name>', 'compare the local store with a remote instead: what is not yet pushed / pulled'),
  async run(ctx, args, opts) {
    const { openRepo } = await import('../../workspace/Repo.js');
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const paths = (args[0] as string[] | undefined) ?? [];
    // Each form imports only its own module graph: a plain status (every hook, every prompt) skips the remote code.
    if (opts.remote) return { remote: await (await import('../../api/remoteStatus.js')).remoteStatus(repo, { remote: String(opts.remote), paths }) };
    return (await import('../../api/status.js')).status(repo, { paths });
  },
  render(out, all) {
    if ('remote' in all) {
      const r = all.remote;
      for (const a of r.artifacts) {
        const parts = [a.notPushed ? `not pushed: ${a.notPushed} object(s), ${humanBytes(a.notPushedBytes)}` : '', a.notPulled ? 'on the remote, not pulled here' : '', a.nowhere ? paint(out, 'red', 'content missing here and on the remote') : ''].filter(Boolean);
        out.line(`${parts.length ? paint(out, 'yellow', 'differs  ') : paint(out, 'green', 'in sync  ')} ${out.path(a.path)}${a.kind === 'dir' ? '/' : ''}${parts.length ? `  (${parts.join('; ')})` : ''}`);
      }
      out.line(r.inSync ? `Everything tracked here is on ${r.remote}.` : `Run trove push to send what is not pushed, trove pull to bring what is not pulled.`);
      return;
    }
    const r = all;
    if (r.artifacts.length === 0 && r.invalidPointers.length === 0) out.line('Nothing is tracked yet (trove add PATH).');
    // The details and the fix were reported once, as a warning, when the pointer was read.
    for (const b of r.invalidPointers) out.line(`${paint(out, 'red', 'invalid  ')} ${b.file}${b.line ? ` (line ${b.line})` : ''}`);
    for (const a of r.artifacts) {
      const color = a.state === 'unchanged' ? 'green' : a.state === 'modified' ? 'yellow' : 'red';
      out.line(`${paint(out, color, a.state.padEnd(9))} ${out.path(a.path)}${a.kind === 'dir' ? '/' : ''}${a.inCache ? '' : paint(out, 'red', '  (content not in the local store)')}`);
      const c = a.changes;
      if (c) {
        for (const f of c.added) out.line(`    added:    ${out.path(`${a.path}/${f.path}`)} (${humanBytes(f.size)})`);
        for (const f of c.modified) out.line(`    modified: ${out.path(`${a.path}/${f.path}`)} (${humanBytes(f.oldSize)} -> ${humanBytes(f.newSize)})`);
        for (const f of c.deleted) out.line(`    deleted:  ${out.path(`${a.path}/${f.path}`)}`);
      }
      const nf = a.notFetched ?? [];
      for (const f of nf.slice(0, 10)) out.line(`    not fetched: ${a.path}/${f}`);
      if (nf.length > 10) out.line(`    not fetched: … and ${nf.length - 10} more`);
    }
    // One next step per state, from the library (it knows whether the content exists anywhere here).
    for (const a of r.artifacts) if (a.next) out.info(nextStep(a));
  },
  exitCode: (r, opts) => (opts.exitCode && !('remote' in r ? r.remote.inSync : r.clean) ? 1 : 0),
});
