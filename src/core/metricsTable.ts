import type { EntityRecord, MetricValue, RegisteredVersion, RegistrySnapshot } from './registryTypes.js';
import { compareVersions, mlgitAlias, parseTag, parseVersion } from './registryNames.js';

/**
 * The metrics table of seed 002 (ml-git's `get_models_metrics`): one row per
 * version, columns
 *
 *     Date | Tag | Related dataset - (version) | Related labels - (version) | <metric>…
 *
 * with one column per metric key (sorted, the union over the rows). Headers
 * are ml-git's (HPInc/ml-git ml_git/constants.py DATE, TAG,
 * RELATED_DATASET_TABLE_INFO, RELATED_LABELS_TABLE_INFO).
 *
 * names 'gto' (default): Tag `modelmnist@v1.0.0`, related `mnist - (v1.0.0)`.
 * names 'mlgit': Tag `handwritten__digits__modelmnist__1`, related `mnist - (1)`,
 * as ml-git shows them; a version without an ml-git number (v1.2.0, no
 * categories) keeps its GTO form.
 * Date is the tagger date as `YYYY-MM-DD HH:MM:SS` in UTC (ml-git prints local
 * time; UTC keeps exports identical on every machine).
 * Rows are ordered by entity name, then SemVer.
 */

export const METRICS_COLUMNS = ['Date', 'Tag', 'Related dataset - (version)', 'Related labels - (version)'] as const;

export interface RelatedVersion {
  readonly name: string;
  readonly version: string;
}

/**
 * One row's input: the version (tag, time, metrics), its entity's
 * declaration (categories, for the ml-git tag) and the dataset and labels
 * versions it was made from (from `uses`, typed through their declarations;
 * `metricsRowsFromSnapshot` builds these). Several related datasets share one
 * cell, joined with ", ".
 */
export interface MetricsRowInput {
  readonly version: RegisteredVersion;
  readonly entity: EntityRecord;
  readonly related: {
    readonly dataset?: readonly RelatedVersion[];
    readonly labels?: readonly RelatedVersion[];
  };
}

export type MetricsCell = string | number | null;

export interface MetricsTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly MetricsCell[])[];
}

export interface MetricsTableOptions {
  readonly names: 'gto' | 'mlgit';
}

/** Rows for `versions`, with related dataset/labels found by the declared type of each `uses` entry. */
export function metricsRowsFromSnapshot(snapshot: RegistrySnapshot, versions: readonly RegisteredVersion[]): MetricsRowInput[] {
  return versions.map((version) => {
    const entity = snapshot.entities.get(version.entity);
    const record: EntityRecord = entity?.record ?? {
      format: 1,
      name: version.entity,
      type: version.type,
      categories: [],
      path: version.path,
      mutability: 'strict',
      description: '',
    };
    const dataset: RelatedVersion[] = [];
    const labels: RelatedVersion[] = [];
    for (const u of version.uses) {
      const p = parseTag(u);
      if (!p || p.kind !== 'register') continue;
      const type = snapshot.entities.get(p.name)?.record.type;
      if (type === 'dataset') dataset.push({ name: p.name, version: p.version });
      else if (type === 'labels') labels.push({ name: p.name, version: p.version });
    }
    return { version, entity: record, related: { dataset, labels } };
  });
}

export function metricsTable(rows: readonly MetricsRowInput[], options: MetricsTableOptions = { names: 'gto' }): MetricsTable {
  const sorted = [...rows].sort(
    (a, b) => cmp(a.version.entity, b.version.entity) || compareVersions(a.version.version, b.version.version),
  );
  const keys = new Set<string>();
  for (const r of sorted) for (const k of Object.keys(r.version.metrics)) keys.add(k);
  const metricKeys = [...keys].sort();
  const mlgit = options.names === 'mlgit';
  return {
    columns: [...METRICS_COLUMNS, ...metricKeys],
    rows: sorted.map((r) => [
      formatDate(r.version.time),
      (mlgit ? mlgitAlias(r.entity, r.version.version) : null) ?? r.version.tag,
      relatedCell(r.related.dataset, mlgit),
      relatedCell(r.related.labels, mlgit),
      ...metricKeys.map((k) => (Object.prototype.hasOwnProperty.call(r.version.metrics, k) ? r.version.metrics[k]! : null)),
    ]),
  };
}

function relatedCell(list: readonly RelatedVersion[] | undefined, mlgit: boolean): string | null {
  if (!list || list.length === 0) return null;
  return list.map((r) => `${r.name} - (${mlgit ? mlgitNumber(r.version) : r.version})`).join(', ');
}

/** `v2.0.0` → `2` (ml-git's number); other versions unchanged. */
function mlgitNumber(version: string): string {
  const v = parseVersion(version);
  return v.minor === 0 && v.patch === 0 && v.pre === undefined && v.build === undefined ? String(v.major) : version;
}

/** Unix seconds → `2021-03-25 14:52:42` (UTC). */
export function formatDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

function cellText(c: MetricsCell): string {
  return c === null ? '' : typeof c === 'number' ? String(c) : c;
}

/**
 * RFC 4180 CSV: a cell with a comma, quote or line break is quoted, quotes
 * doubled. Lines end in CRLF by default, as Python's csv.writer (ml-git's
 * export, utils.create_csv_file) writes them.
 */
export function toCsv(table: MetricsTable, options: { eol?: '\r\n' | '\n' } = {}): string {
  const eol = options.eol ?? '\r\n';
  const cell = (c: MetricsCell) => {
    const t = cellText(c);
    return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return [table.columns, ...table.rows].map((row) => row.map(cell).join(',')).join(eol) + eol;
}

/** A GitHub-flavoured Markdown table (pipes escaped, line breaks as spaces); numbers right-aligned. */
export function toMarkdown(table: MetricsTable): string {
  const esc = (c: MetricsCell) => cellText(c).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const numeric = table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const lines = [
    `| ${table.columns.map((c) => esc(c)).join(' | ')} |`,
    `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`,
    ...table.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** One object per row, keyed by column (the --json and `--format json` shape); missing metrics are null. */
export function toJsonRows(table: MetricsTable): Record<string, MetricsCell>[] {
  return table.rows.map((r) => {
    const o: Record<string, MetricsCell> = {};
    table.columns.forEach((c, i) => Object.defineProperty(o, c, { value: r[i] ?? null, enumerable: true, writable: true, configurable: true }));
    return o;
  });
}

/** Aligned plain text for the terminal (two spaces between columns, numbers right-aligned). */
export function toText(table: MetricsTable): string {
  const all = [table.columns.map((c) => c as MetricsCell), ...table.rows];
  const widths = table.columns.map((_, i) => Math.max(...all.map((r) => cellText(r[i] ?? null).length)));
  const line = (r: readonly MetricsCell[], header: boolean) =>
    r
      .map((c, i) => (!header && typeof c === 'number' ? cellText(c).padStart(widths[i]!) : cellText(c).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(table.columns, true), ...table.rows.map((r) => line(r, false))].join('\n')}\n`;
}

export interface MetricDelta {
  readonly key: string;
  readonly a: MetricValue | null;
  readonly b: MetricValue | null;
  /** b − a when both are numbers (rounded to 12 significant digits, so 0.9746 − 0.9705 is 0.0041), else null */
  readonly delta: number | null;
}

/** `trove metrics --diff A B`: every metric of either version, sorted by key. */
export function metricsDiff(
  a: { readonly metrics: Readonly<Record<string, MetricValue>> },
  b: { readonly metrics: Readonly<Record<string, MetricValue>> },
): MetricDelta[] {
  const keys = [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])].sort();
  const get = (m: Readonly<Record<string, MetricValue>>, k: string) => (Object.prototype.hasOwnProperty.call(m, k) ? m[k]! : null);
  return keys.map((key) => {
    const x = get(a.metrics, key);
    const y = get(b.metrics, key);
    const delta = typeof x === 'number' && typeof y === 'number' ? Number((y - x).toPrecision(12)) : null;
    return { key, a: x, b: y, delta };
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
