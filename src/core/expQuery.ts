import { TroveError } from '../errors/index.js';

/**
 * The pure half of `trove exp ls`: the run summary as the run ref's commit
 * message carries it (docs/formats.md, "Experiments"), filters, sort keys
 * and the table Keepsake shows (the params that differ between the listed
 * runs, the latest and best checkpoints with the primary metric).
 */

import type { CheckpointBrief as CheckpointSummary, RunSummary } from './experimentRecord.js';
export type { CheckpointSummary, RunSummary };

/** A JSON value as a number when it is one (`{"$float": "NaN"}` included), else undefined. */
export function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { $float?: unknown }).$float === 'string') {
    const f = (v as { $float: string }).$float;
    return f === 'NaN' ? NaN : f === 'Infinity' ? Infinity : f === '-Infinity' ? -Infinity : undefined;
  }
  return undefined;
}

/** A param or metric value as text in a table: numbers short, `$float` as NaN / Infinity, objects as JSON. */
export function formatValue(v: unknown): string {
  const n = numberOf(v);
  if (n !== undefined) {
    if (!Number.isFinite(n)) return String(n);
    if (Number.isInteger(n)) return String(n);
    return String(Number(n.toPrecision(6)));
  }
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  return JSON.stringify(v);
}

export type FilterOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export interface RunFilter {
  readonly key: string;
  readonly op: FilterOp;
  readonly value: string | number | boolean | null;
  readonly text: string;
}

const FILTER_RE = /^\s*([^\s=!<>]+)\s*(==|=|!=|<=|>=|<|>)\s*(.*?)\s*$/s;

/** `"accuracy > 0.9"`, `"learning_rate = 0.01"`, `"status != crashed"`. */
export function parseRunFilter(text: string): RunFilter {
  const m = FILTER_RE.exec(text);
  if (!m || m[3] === '') {
    throw new TroveError('USAGE', `Cannot read the filter "${text}": it should be KEY OP VALUE with OP one of = != < <= > >=.`, {
      hint: 'trove exp ls --filter "accuracy > 0.9" --filter "learning_rate = 0.01"',
      data: { filter: text, reason: 'bad-filter' },
    });
  }
  const raw = m[3]!;
  let value: string | number | boolean | null;
  if (/^(["']).*\1$/s.test(raw)) value = raw.slice(1, -1);
  else if (raw === 'true' || raw === 'false') value = raw === 'true';
  else if (raw === 'null') value = null;
  else if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw) || /^[-+]?(Infinity|NaN)$/.test(raw)) value = Number(raw);
  else value = raw;
  return { key: m[1]!, op: (m[2] === '==' ? '=' : m[2]) as FilterOp, value, text };
}

/**
 * The value a filter or sort key names in a run: a top-level field (id,
 * started/created, updated, status, host, user, checkpoints, step), else a
 * param, else a metric of the best checkpoint (the latest when the run has
 * no primary metric). `params.X` and `metrics.X` pick one explicitly.
 */
export function runValue(run: RunSummary, key: string): unknown {
  const ck = run.best ?? run.latest;
  if (key.startsWith('params.')) return run.params[key.slice(7)];
  if (key.startsWith('metrics.')) return ck?.metrics[key.slice(8)];
  switch (key) {
    case 'id':
    case 'status':
    case 'host':
    case 'user':
    case 'created':
    case 'updated':
    case 'checkpoints':
      return run[key];
    case 'started':
      return run.created;
    case 'step':
      return ck?.step ?? undefined;
  }
  if (Object.prototype.hasOwnProperty.call(run.params, key)) return run.params[key];
  return ck?.metrics[key];
}

export function matchesFilter(run: RunSummary, f: RunFilter): boolean {
  const v = runValue(run, f.key);
  if (v === undefined) return false;
  const n = numberOf(v);
  if (typeof f.value === 'number' && n !== undefined) return compare(n, f.value, f.op);
  if (typeof f.value === 'number' && typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return compare(Number(v), f.value, f.op);
  const left = typeof v === 'string' ? v : JSON.stringify(v);
  const right = typeof f.value === 'string' ? f.value : JSON.stringify(f.value);
  if (f.op === '=' || f.op === '!=') return (left === right) === (f.op === '=');
  return compare(left, right, f.op);
}

function compare<T extends number | string>(a: T, b: T, op: FilterOp): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** `started`, `-accuracy`: ascending, or descending with a leading minus; runs without the key go last. */
export function sortRuns(runs: readonly RunSummary[], key: string): RunSummary[] {
  const desc = key.startsWith('-');
  const name = desc ? key.slice(1) : key.replace(/^\+/, '');
  if (!name) throw new TroveError('USAGE', `Cannot sort by "${key}".`, { hint: 'trove exp ls --sort -accuracy   (a minus sorts descending)', data: { reason: 'bad-sort' } });
  const keyed = runs.map((r, i) => ({ r, i, v: runValue(r, name) }));
  keyed.sort((a, b) => {
    const c = compareValues(a.v, b.v);
    if (c === null) return a.v === undefined ? (b.v === undefined ? a.i - b.i : 1) : -1;
    return (desc ? -c : c) || a.i - b.i;
  });
  return keyed.map((k) => k.r);
}

/** null when either side is missing (the caller puts missing last whatever the direction). */
function compareValues(a: unknown, b: unknown): number | null {
  if (a === undefined || b === undefined) return null;
  const na = numberOf(a);
  const nb = numberOf(b);
  if (na !== undefined && nb !== undefined) {
    if (Number.isNaN(na) || Number.isNaN(nb)) return Number.isNaN(na) ? (Number.isNaN(nb) ? 0 : 1) : -1;
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Params whose values are not all the same in `runs` (every param when there is one run), sorted. */
export function differingParams(runs: readonly RunSummary[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.params)) keys.add(k);
  const out: string[] = [];
  for (const k of [...keys].sort()) {
    if (runs.length <= 1) {
      out.push(k);
      continue;
    }
    const first = JSON.stringify(runs[0]!.params[k]);
    if (runs.some((r) => JSON.stringify(r.params[k]) !== first)) out.push(k);
  }
  return out;
}

export const SHORT_ID = 7;

/** The table `exp ls` prints: a header and one row per run, as cells. */
export function runTable(runs: readonly RunSummary[], options: { full?: boolean } = {}): { header: string[]; rows: string[][] } {
  const params = differingParams(runs);
  const short = (id: string): string => (options.full ? id : id.slice(0, SHORT_ID));
  const ck = (c: CheckpointSummary | null, metric: string | undefined): string => {
    if (!c) return '';
    const step = c.step === null ? '' : ` (step ${c.step})`;
    const m = metric !== undefined && c.metrics[metric] !== undefined ? `, ${metric}: ${formatValue(c.metrics[metric])}` : '';
    return `${short(c.id)}${step}${m}`;
  };
  const header = ['experiment', 'started', 'status', 'host', 'user', ...params, 'latest checkpoint', 'best checkpoint'];
  const rows = runs.map((r) => [
    short(r.id),
    formatStarted(r.created),
    r.status,
    r.host,
    r.user,
    ...params.map((p) => formatValue(r.params[p])),
    ck(r.latest, r.primary_metric?.name),
    r.best ? ck(r.best, r.primary_metric?.name) : '',
  ]);
  return { header, rows };
}

/** `2026-12-06T10:49:24.123Z` → `2026-12-06 10:49:24` (UTC; sortable, unlike "2 minutes ago"). */
export function formatStarted(iso: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(iso) ? iso.slice(0, 19).replace('T', ' ') : iso;
}

/** Flat columns for `--csv` / `--md`: full ids, one column per differing param, and the primary metric of both checkpoints. */
export function runCsvTable(runs: readonly RunSummary[]): { header: string[]; rows: string[][] } {
  const params = differingParams(runs);
  const metrics = [...new Set(runs.map((r) => r.primary_metric?.name).filter((n): n is string => n !== undefined))].sort();
  const header = ['id', 'started', 'status', 'host', 'user', ...params, 'checkpoints', 'latest_id', 'latest_step', 'best_id', 'best_step', ...metrics.map((m) => `best_${m}`)];
  const rows = runs.map((r) => [
    r.id,
    r.created,
    r.status,
    r.host,
    r.user,
    ...params.map((p) => formatValue(r.params[p])),
    String(r.checkpoints),
    r.latest?.id ?? '',
    r.latest?.step === null || r.latest === null ? '' : String(r.latest.step),
    r.best?.id ?? '',
    r.best?.step === null || r.best === null ? '' : String(r.best.step),
    ...metrics.map((m) => (r.best ? formatValue(r.best.metrics[m]) : '')),
  ]);
  return { header, rows };
}

export function toCsv(t: { header: string[]; rows: string[][] }): string {
  const cell = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [t.header, ...t.rows].map((r) => r.map(cell).join(',')).join('\n');
}

export function toMarkdown(t: { header: string[]; rows: string[][] }): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${t.header.map(cell).join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

export function toColumns(t: { header: string[]; rows: string[][] }): string[] {
  const all = [t.header, ...t.rows];
  const widths = t.header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}
