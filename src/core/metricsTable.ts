// STUB (h/reg-read) until h/reg-core lands core/metricsTable.ts: the contract's signatures, minimal logic. Take theirs on merge.
import type { EntityRecord, RegisteredVersion } from './registryTypes.js';
import { mlgitAlias } from './registryNames.js';

export interface MetricsRowInput {
  readonly entity: EntityRecord;
  readonly version: RegisteredVersion;
  readonly dataset: { readonly entity: EntityRecord; readonly version: string } | null;
  readonly labels: { readonly entity: EntityRecord; readonly version: string } | null;
}
export type MetricsCell = string | number | null;
export interface MetricsTable {
  readonly columns: string[];
  readonly rows: MetricsCell[][];
}

export function metricsTable(rows: readonly MetricsRowInput[], options: { names: 'gto' | 'mlgit' }): MetricsTable {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.version.metrics)))].sort();
  const ver = (rec: EntityRecord, v: string): string => (options.names === 'mlgit' ? String(Number(/^v(\d+)/.exec(v)?.[1] ?? 0)) : v);
  const rel = (x: MetricsRowInput['dataset']): MetricsCell => (x ? `${x.entity.name} - (${ver(x.entity, x.version)})` : null);
  const date = (t: number): string => new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return {
    columns: ['Date', 'Tag', 'Related dataset - (version)', 'Related labels - (version)', ...keys],
    rows: rows.map((r) => [date(r.version.time), options.names === 'mlgit' ? (mlgitAlias(r.entity, r.version.version) ?? r.version.tag) : r.version.tag, rel(r.dataset), rel(r.labels), ...keys.map((k) => r.version.metrics[k] ?? null)]),
  };
}
const csvCell = (c: MetricsCell): string => (c === null ? '' : /[",\n\r]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c));
export function toCsv(t: MetricsTable): string {
  return [t.columns, ...t.rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
export function toMarkdown(t: MetricsTable): string {
  const cell = (c: MetricsCell): string => (c === null ? '' : String(c).replace(/\|/g, '\\|'));
  return [`| ${t.columns.join(' | ')} |`, `|${t.columns.map(() => ' --- ').join('|')}|`, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
}
export function toJsonRows(t: MetricsTable): Record<string, MetricsCell>[] {
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i] ?? null])));
}
