import { TroveError } from '../../errors/index.js';
import { encodeFloats } from '../../core/jsonFloats.js';
import { formatValue } from '../../core/expQuery.js';
import type { ExpDiffResult, ValueChange } from '../../api/expDiff.js';
import type { Output } from '../Output.js';
import type { ExpSubcommand } from './expCommand.js';
import { bytes } from './expShowCommand.js';

export type ExpDiffRendered = { action: 'diff' } & ExpDiffResult;

export const expDiffSubcommand: ExpSubcommand<ExpDiffRendered> = {
  name: 'diff',
  usage: 'diff A B             params, metrics, packages, code and files of two runs or checkpoints (a run = its best checkpoint)',
  examples: ['trove exp diff 3f2a 9c01', 'trove --json exp diff 3f2a9c 3f2a9c7e'],
  async run(ctx, args) {
    if (args.length !== 2) throw new TroveError('USAGE', 'trove exp diff compares two experiments or checkpoints.', { hint: 'trove exp diff 3f2a 9c01', data: { reason: 'two-ids' } });
    const [{ expDiff }, { openRepo }] = await Promise.all([import('../../api/expDiff.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return { action: 'diff', ...(encodeFloats(await expDiff(repo, { a: args[0]!, b: args[1]! })) as ExpDiffResult) };
  },
  render(out, r) {
    const side = (s: ExpDiffResult['a']): string => `experiment ${s.experiment.slice(0, 7)}${s.checkpoint ? `, checkpoint ${s.checkpoint.slice(0, 7)}${s.step !== null ? ` (step ${s.step})` : ''}` : ''}`;
    out.line(`A: ${side(r.a)}`);
    out.line(`B: ${side(r.b)}`);
    changes(out, 'Params', r.params);
    changes(out, 'Metrics', r.metrics);
    changes(out, 'Packages', r.packages);
    changes(out, 'Run', r.run);
    out.line('');
    if (r.code.same) out.line('Code: the same');
    else {
      const c = (x: ExpDiffResult['code']['a']): string => `${x.commit ? x.commit.slice(0, 12) : '(no commit)'}${x.dirty ? ' + uncommitted changes' : ''}`;
      out.line(`Code: ${c(r.code.a)} → ${c(r.code.b)}`);
      for (const f of r.code.files) out.line(`  ${f.change.padEnd(8)} ${f.path}`);
      if (r.code.incomplete) out.line(`  (file list incomplete: ${r.code.incomplete})`);
    }
    out.line('');
    const f = r.files;
    if (f.same) out.line(`Files: the same${f.a ? ` (${bytes(f.a.size)})` : ''}`);
    else {
      const d = (x: ExpDiffResult['files']['a']): string => (x ? `${x.kind} ${x.oid.slice(7, 19)} (${bytes(x.size)}${x.kind === 'dir' ? `, ${x.files} files` : ''})` : 'none');
      out.line(`Files: ${d(f.a)} → ${d(f.b)}`);
      if (f.changes) {
        out.line(`  ${f.changes.added} added, ${f.changes.deleted} deleted, ${f.changes.modified} modified; ${bytes(f.changes.bytesChanged)} in changed files`);
        for (const p of f.changes.paths.slice(0, 50)) out.line(`  ${p.change.padEnd(8)} ${p.path}`);
        if (f.changes.paths.length > 50) out.line(`  … and ${f.changes.paths.length - 50} more (--json lists all)`);
      }
      if (f.incomplete) out.line(`  (${f.incomplete})`);
    }
  },
};

function changes(out: Output, title: string, list: readonly ValueChange[]): void {
  out.line('');
  if (list.length === 0) return out.line(`${title}: the same`);
  out.line(title);
  const w = Math.max(...list.map((c) => c.key.length));
  for (const c of list) out.line(`  ${c.key.padEnd(w)}  ${'a' in c ? formatValue(c.a) : '(none)'} → ${'b' in c ? formatValue(c.b) : '(none)'}`);
}
