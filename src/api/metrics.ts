import { TroveError } from '../errors/index.js';
import { checkOptions } from './checkOptions.js';
import { compareVersions, isVersion, mlgitAlias, parseMlgitAlias, parseTag } from '../core/registryNames.js';
import type { RegisteredVersion, RegistrySnapshot } from '../core/registryTypes.js';
import { metricsDiff, metricsRowsFromSnapshot, metricsTable, toCsv, toJsonRows, toMarkdown, toText, type MetricDelta, type MetricsCell } from '../core/metricsTable.js';
import { resolveRef } from '../core/resolveRef.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import type { RegistryContext } from '../registry/RegistryContext.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import { versionDataDiff, type DataDiff } from './versionDataDiff.js';
import { writeExport, type ExportWritten } from './writeExport.js';

export const METRICS_FORMATS = ['text', 'csv', 'json', 'md'] as const;
export type MetricsFormat = (typeof METRICS_FORMATS)[number];
/** gto: tags and versions as GTO writes them (modelmnist@v1.0.0, mnist - (v1.0.0)); mlgit: as ml-git's table (handwritten__digits__modelmnist__1, mnist - (1)) */
export type MetricsNames = 'gto' | 'mlgit';

export interface MetricsOptions {
  /** entity names (every version of each) or references to single versions (NAME@vX.Y.Z, an ml-git tag); may be empty with `diff` */
  readonly entities: readonly string[];
  readonly names?: MetricsNames;
  /** the format of the export written to `output` (default csv when there is an output, else text) */
  readonly format?: MetricsFormat;
  /** write the table here (relative to the cwd), atomically; see writeExport for what is refused */
  readonly output?: string;
  /** compare two versions: references, or bare versions of the one entity in `entities` */
  readonly diff?: readonly string[];
  /** read the registry as of this Git revision */
  readonly rev?: string;
}

export interface MetricsDiffSide {
  readonly tag: string;
  readonly entity: string;
  readonly version: string;
  /** tagger date, unix seconds */
  readonly time: number;
  readonly dataOid: string;
  readonly dataSize: number;
  readonly dataFiles: number;
}

export type { MetricDelta } from '../core/metricsTable.js';

export interface LineageChange {
  readonly entity: string;
  /** the used entity's type ('' when it is no longer declared) */
  readonly type: string;
  /** the version A used (null: A did not use it) */
  readonly a: string | null;
  readonly b: string | null;
  readonly same: boolean;
}

export interface MetricsDiff {
  readonly a: MetricsDiffSide;
  readonly b: MetricsDiffSide;
  /** every metric of either version, by key */
  readonly metrics: readonly MetricDelta[];
  /** every entity either version used, by name */
  readonly lineage: readonly LineageChange[];
  /** files and bytes changed from A's data to B's */
  readonly data: DataDiff;
}

export interface MetricsResult {
  /** the table (for a diff: Metric, A's tag, B's tag, Delta) */
  readonly columns: readonly string[];
  readonly rows: readonly (readonly MetricsCell[])[];
  readonly names: MetricsNames;
  readonly format: MetricsFormat;
  /** the export written with `output` */
  readonly output?: ExportWritten;
  readonly diff?: MetricsDiff;
  readonly warnings: readonly string[];
}

/** What metrics() needs: a registry context; `cwd` for a relative output (default the work tree's root); `store` for the data part of a diff. */
export type MetricsContext = RegistryContext & { readonly cwd?: string; readonly store?: ObjectStore };

/**
 * The metrics table of seed 002 for one or more entities: Date, Tag, Related
 * dataset - (version), Related labels - (version), then one column per
 * metric. The related dataset and labels of a version are the entries of its
 * `uses` whose entity is of type dataset and labels. With `diff`, two
 * versions side by side instead: metrics with their delta, lineage
 * differences, and the files and bytes changed in their data. One registry
 * load (one for-each-ref); no per-version Git calls.
 *
 * @example
 *   const { columns, rows } = await metrics(repo, { entities: ['modelmnist'], names: 'mlgit' });
 *   await metrics(repo, { entities: ['modelmnist'], format: 'csv', output: 'metrics.csv' });
 *   const { diff } = await metrics(repo, { entities: ['modelmnist'], diff: ['v1.0.0', 'v2.0.0'] });
 */
export async function metrics(ctx: MetricsContext, options: MetricsOptions): Promise<MetricsResult> {
  checkOptions('metrics', ctx, options, { entities: 'string[]', names: 'string?', format: 'string?', output: 'string?', diff: 'string[]?', rev: 'string?' });
  checkMetricsOptions(options);
  const snapshot = await loadRegistry(ctx, options.rev ? { rev: options.rev } : {});
  const result = metricsOf(snapshot, options, ctx.store);
  if (options.output === undefined) return result;
  const output = await writeExport({ root: ctx.root, cwd: ctx.cwd ?? ctx.root }, options.output, serializeMetrics(result, result.format));
  return { ...result, output };
}

/** The table (or diff) from a snapshot already loaded; writes nothing. */
export function metricsOf(snapshot: RegistrySnapshot, options: MetricsOptions, store?: ObjectStore): MetricsResult {
  checkMetricsOptions(options);
  const names = options.names ?? 'gto';
  const format = options.format ?? (options.output !== undefined ? 'csv' : 'text');
  const warnings = [...snapshot.warnings];
  if (options.diff) {
    const diff = diffVersions(snapshot, options, store);
    return { ...diffTable(diff, snapshot, names), names, format, diff, warnings };
  }
  const versions = options.entities.flatMap((ref) => versionsOf(snapshot, ref));
  // The same version named twice (modelmnist and modelmnist@v2.0.0) is one row.
  const unique = [...new Map(versions.map((v) => [v.tag, v])).values()];
  const table = metricsTable(metricsRowsFromSnapshot(snapshot, unique), { names });
  return { columns: table.columns, rows: table.rows, names, format, warnings };
}

/** The table in one of the export formats (what -o writes and what the CLI prints). */
export function serializeMetrics(table: { readonly columns: readonly string[]; readonly rows: readonly (readonly MetricsCell[])[] }, format: MetricsFormat): string {
  switch (format) {
    case 'csv':
      return toCsv(table);
    case 'md':
      return toMarkdown(table);
    case 'json':
      return JSON.stringify(toJsonRows(table), null, 2) + '\n';
    default:
      return toText(table);
  }
}

function checkMetricsOptions(options: MetricsOptions): void {
  if (options.format !== undefined && !(METRICS_FORMATS as readonly string[]).includes(options.format)) {
    throw new TroveError('USAGE', `Unknown metrics format "${options.format}".`, { hint: 'Use --format text, csv, json or md.', data: { format: options.format } });
  }
  if (options.names !== undefined && options.names !== 'gto' && options.names !== 'mlgit') {
    throw new TroveError('USAGE', `Unknown naming "${options.names}".`, { hint: 'Use --names gto (modelmnist@v1.0.0) or --names mlgit (handwritten__digits__modelmnist__1).', data: { names: options.names } });
  }
  if (options.diff !== undefined && options.diff.length !== 2) {
    throw new TroveError('USAGE', `--diff compares two versions, not ${options.diff.length}.`, { hint: 'Example: trove metrics modelmnist --diff v1.0.0 v2.0.0', data: { diff: options.diff } });
  }
  if (options.diff === undefined && options.entities.length === 0) {
    throw new TroveError('USAGE', 'trove metrics needs at least one entity.', { hint: 'Example: trove metrics modelmnist (trove registry lists the entities).' });
  }
}

/** A bare NAME: all its versions, SemVer ascending; a reference to one version: that one. */
function versionsOf(snapshot: RegistrySnapshot, ref: string): readonly RegisteredVersion[] {
  const entity = snapshot.entities.get(ref);
  if (entity) return entity.versions;
  if (!/[@#]/.test(ref) && !parseMlgitAlias(ref)) {
    throw new TroveError('NOT_FOUND', `There is no entity named ${ref} in the registry.`, { hint: 'trove registry lists the entities.', data: { ref } });
  }
  return [resolveRef(snapshot, ref).version];
}

type UsedVersion = { readonly entity: string; readonly version: string; readonly type: string };

/** The versions a version was made from, with each used entity's declared type ('' if undeclared), sorted by entity. */
function usedVersions(snapshot: RegistrySnapshot, v: RegisteredVersion): UsedVersion[] {
  const out: UsedVersion[] = [];
  for (const tag of v.uses) {
    const p = parseTag(tag);
    if (p?.kind === 'register') out.push({ entity: p.name, version: p.version, type: snapshot.entities.get(p.name)?.record.type ?? '' });
  }
  return out.sort((a, b) => (a.entity < b.entity ? -1 : a.entity > b.entity ? 1 : compareVersions(a.version, b.version)));
}

/** Resolve the two sides of --diff: full references, or bare versions of the single entity named. */
function diffVersions(snapshot: RegistrySnapshot, options: MetricsOptions, store: ObjectStore | undefined): MetricsDiff {
  const refs = options.diff!.map((r) => {
    if (/[@#]/.test(r) || parseMlgitAlias(r) || snapshot.entities.has(r)) return r;
    if (options.entities.length === 1 && (isVersion(r) || /^v?\d+(\.\d+){0,2}$/.test(r))) return `${options.entities[0]}@${r}`;
    throw new TroveError('USAGE', `--diff ${r} is not a version reference.`, { hint: 'Name the entity once (trove metrics NAME --diff v1.0.0 v2.0.0) or give full references (--diff NAME@v1.0.0 NAME@v2.0.0).', data: { ref: r } });
  });
  const [ra, rb] = refs.map((r) => resolveRef(snapshot, r)) as [ReturnType<typeof resolveRef>, ReturnType<typeof resolveRef>];
  const a = ra.version;
  const b = rb.version;
  const metricsDelta = metricsDiff(a, b);
  const usesA = new Map(usedVersions(snapshot, a).map((u) => [u.entity, u]));
  const usesB = new Map(usedVersions(snapshot, b).map((u) => [u.entity, u]));
  const lineage = [...new Set([...usesA.keys(), ...usesB.keys()])].sort().map((name) => {
    const ua = usesA.get(name);
    const ub = usesB.get(name);
    return { entity: name, type: ua?.type || ub?.type || '', a: ua?.version ?? null, b: ub?.version ?? null, same: ua?.version === ub?.version };
  });
  const data: DataDiff = store
    ? versionDataDiff(store, a, b)
    : { available: false, reason: 'no local store was given', added: 0, removed: 0, modified: 0, bytesAdded: 0, bytesRemoved: 0, bytesModified: 0, sizeDelta: b.dataSize - a.dataSize, filesDelta: b.dataFiles - a.dataFiles, files: [], truncated: false };
  const side = (v: RegisteredVersion): MetricsDiffSide => ({ tag: v.tag, entity: v.entity, version: v.version, time: v.time, dataOid: v.dataOid, dataSize: v.dataSize, dataFiles: v.dataFiles });
  return { a: side(a), b: side(b), metrics: metricsDelta, lineage, data };
}

/** The diff's metrics side by side, as a table (what --format and -o apply to). */
function diffTable(diff: MetricsDiff, snapshot: RegistrySnapshot, names: MetricsNames): { columns: string[]; rows: MetricsCell[][] } {
  const label = (s: MetricsDiffSide): string => {
    const record = snapshot.entities.get(s.entity)?.record;
    return (names === 'mlgit' && record ? mlgitAlias(record, s.version) : null) ?? s.tag;
  };
  return { columns: ['Metric', label(diff.a), label(diff.b), 'Delta'], rows: diff.metrics.map((m) => [m.key, m.a, m.b, m.delta]) };
}
