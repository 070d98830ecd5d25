import { TroveError } from '../../errors/index.js';
import { encodeFloats } from '../../core/jsonFloats.js';
import { formatStarted, formatValue, numberOf, SHORT_ID } from '../../core/expQuery.js';
import type { ExpShowResult } from '../../api/expShow.js';
import type { Output } from '../Output.js';
import type { ExpSubcommand } from './expCommand.js';

export type ExpShowRendered = { action: 'show' } & ExpShowResult;

export const expShowSubcommand: ExpSubcommand<ExpShowRendered> = {
  name: 'show',
  usage: 'show ID              an experiment (params, code, packages, checkpoints) or a checkpoint, by id prefix',
  examples: ['trove exp show 3f2a', 'trove --json exp show 3f2a9c'],
  async run(ctx, args) {
    if (args.length !== 1) throw new TroveError('USAGE', 'trove exp show takes one experiment or checkpoint id.', { hint: 'trove exp show 3f2a', data: { reason: 'one-id' } });
    const [{ expShow }, { openRepo }] = await Promise.all([import('../../api/expShow.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    return { action: 'show', ...(encodeFloats(await expShow(repo, { id: args[0]! })) as ExpShowResult) };
  },
  render(out, r) {
    if ('checkpoint' in r) return renderCheckpoint(out, r.checkpoint);
    const e = r.experiment;
    out.line(`Experiment: ${e.id}`);
    out.line('');
    row(out, 'Started', formatStarted(e.created));
    row(out, 'Status', e.status + (e.status === 'running' && e.pid !== null ? ` (pid ${e.pid})` : ''));
    row(out, 'Host', e.host);
    row(out, 'User', e.user);
    row(out, 'Command', e.command.join(' '));
    if (e.python) row(out, 'Python', e.python);
    row(out, 'Code', `${e.code.commit ? e.code.commit.slice(0, 12) : '(no commit)'} at ${e.code.path}${e.code.dirty ? `, plus uncommitted changes to ${e.code.dirty.files} file(s)` : ''}`);
    if (e.unpushed > 0) row(out, 'Not yet pushed', `${e.unpushed} object(s): trove exp push sends them`);
    if (e.primary_metric) row(out, 'Primary metric', `${e.primary_metric.name} (${e.primary_metric.goal})`);
    section(out, 'Params', e.params);
    if (e.data.length) {
      out.line('');
      out.line('Data at start');
      for (const d of e.data) out.line(`  ${d.path}  ${d.kind} ${d.oid.slice(0, 19)}…`);
    }
    const pkgs = Object.keys(e.packages);
    if (pkgs.length) out.line(`\nPackages: ${pkgs.length} (trove --json exp show ${e.id.slice(0, 8)} lists them)`);
    out.line('');
    out.line(`Checkpoints: ${e.checkpoints.length}`);
    if (e.checkpoints.length === 0) return;
    const keys = [...new Set(e.checkpoints.flatMap((c) => Object.keys(c.metrics)))].sort();
    const header = ['id', 'step', 'created', ...keys, 'files', ''];
    const rows = e.checkpoints.map((c) => [c.id.slice(0, SHORT_ID), c.step === null ? '' : String(c.step), formatStarted(c.created), ...keys.map((k) => formatValue(c.metrics[k])), c.data ? `${c.path ?? ''} (${bytes(c.data.size)})` : '', [c.id === e.best ? 'best' : '', c.id === e.latest ? 'latest' : ''].filter(Boolean).join(', ')]);
    const all = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...all.map((x) => (x[i] ?? '').length)));
    for (const x of all) out.line('  ' + x.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
    // The primary metric per step, as a one-line plot, where there is more than one point.
    const pm = e.primary_metric?.name ?? keys[0];
    const values = pm ? e.checkpoints.map((c) => numberOf(c.metrics[pm])).filter((v): v is number => v !== undefined && Number.isFinite(v)) : [];
    if (pm && values.length > 2) out.line(`\n  ${pm} per checkpoint: ${sparkline(values)}  (${formatValue(values[0])} → ${formatValue(values[values.length - 1])})`);
  },
};

function renderCheckpoint(out: Output, c: Extract<ExpShowResult, { checkpoint: unknown }>['checkpoint']): void {
  out.line(`Checkpoint: ${c.id}${c.best ? ' (best)' : ''}`);
  out.line('');
  row(out, 'Experiment', c.experiment);
  row(out, 'Step', c.step === null ? '' : String(c.step));
  row(out, 'Created', formatStarted(c.created));
  row(out, 'Files', c.data ? `${c.path ?? '(no path)'}: ${c.data.kind}, ${bytes(c.data.size)}${c.data.kind === 'dir' ? `, ${c.data.files} file(s)` : ''}, ${c.data.oid}` : '(metrics only)');
  if (c.primary_metric) row(out, 'Primary metric', `${c.primary_metric.name} (${c.primary_metric.goal})`);
  section(out, 'Metrics', c.metrics);
}

function row(out: Output, k: string, v: string): void {
  out.line(`${(k + ':').padEnd(16)}${v}`);
}

function section(out: Output, title: string, o: Record<string, unknown>): void {
  const keys = Object.keys(o).sort();
  out.line('');
  out.line(title + (keys.length ? '' : ': none'));
  for (const k of keys) out.line(`  ${k}: ${formatValue(o[k])}`);
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v.toFixed(1)} ${units[i]}`;
}

const BARS = '▁▂▃▄▅▆▇█';
function sparkline(values: readonly number[]): string {
  // At most 60 columns: longer series are sampled evenly.
  const pts = values.length > 60 ? Array.from({ length: 60 }, (_, i) => values[Math.round((i * (values.length - 1)) / 59)]!) : values;
  const lo = Math.min(...pts);
  const hi = Math.max(...pts);
  return pts.map((v) => BARS[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))]).join('');
}
