import { createHash } from 'node:crypto';
import { metricsFormatFor, parseMetricsFile } from '../core/metricsFile.js';
import { formatOid } from '../core/oid.js';
import { parsePointer, pointerPathFor } from '../core/pointer.js';
import { metricsDiff as metricsDelta, toCsv, toMarkdown, toText, type MetricsCell } from '../core/metricsTable.js';
import { paramText, paramsFormatFor, parseParamsFile, revText, sameParam, type ParamValue } from '../core/paramsFile.js';
import type { MetricValue } from '../core/registryTypes.js';
import { checkRepoPath } from '../core/repoPath.js';
import { TroveError } from '../errors/index.js';
import { resolveRev, type Git } from '../platform/git.js';
import { paramsParsers, readFileAtCommit, readWorkTreeFile } from '../platform/revisionFiles.js';
import { yamlLib } from '../platform/yamlLib.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * Params and metrics files compared across commits (issue 15, DVC's
 * `params diff`, `metrics show`, `metrics diff`). The files are the ones the
 * work tree's config declares (params.files, metrics.files); each side is a
 * Git revision read with git, or the work tree read from disk. A file absent
 * at one side is shown as added or removed, key by key; a file that does not
 * parse is one BAD_PARAMS / BAD_METRICS error naming the file, the revision
 * and the line.
 */

export type Change = 'added' | 'removed' | 'modified' | 'unchanged';

/** One side of a comparison: `rev` as given (null = the work tree), `commit` its full id (null for the work tree), `label` its column heading. */
export interface Side {
  readonly rev: string | null;
  readonly commit: string | null;
  readonly label: string;
}

export interface FilePresence {
  readonly file: string;
  readonly old: boolean;
  readonly new: boolean;
}

export interface ParamsDiffRow {
  readonly file: string;
  readonly key: string;
  /** null in JSON when absent on that side (see `change`); `{"$float": "NaN"}` for floats JSON cannot hold */
  readonly old: ParamValue | null;
  readonly new: ParamValue | null;
  readonly change: Change;
}

export interface MetricsDiffRow {
  readonly file: string;
  readonly key: string;
  readonly old: MetricValue | null;
  readonly new: MetricValue | null;
  /** new − old when both are numbers (12 significant digits: 0.9746 − 0.9705 is 0.0041), else null */
  readonly delta: number | null;
  readonly change: Change;
}

export interface ParamsDiffResult {
  readonly a: Side;
  readonly b: Side;
  readonly all: boolean;
  readonly files: readonly FilePresence[];
  readonly rows: readonly ParamsDiffRow[];
}

export interface MetricsDiffResult {
  readonly a: Side;
  readonly b: Side;
  readonly all: boolean;
  readonly files: readonly FilePresence[];
  readonly rows: readonly MetricsDiffRow[];
}

export interface MetricsShowResult {
  readonly revisions: readonly Side[];
  /** per file, the revisions (by index into `revisions`) that have it */
  readonly files: readonly { readonly file: string; readonly present: readonly boolean[] }[];
  /** one row per file and key; `values[i]` is the value in `revisions[i]`, null where that revision lacks it */
  readonly rows: readonly { readonly file: string; readonly key: string; readonly values: readonly (MetricValue | null)[] }[];
}

export interface DiffOptions {
  /** old side: a Git revision; default HEAD */
  readonly a?: string;
  /** new side: a Git revision; default the work tree */
  readonly b?: string;
  /** include unchanged keys (default: only what changed) */
  readonly all?: boolean;
  /** these files instead of the configured ones (repository-relative) */
  readonly files?: readonly string[];
}

type Ctx = Pick<Repo, 'root' | 'git' | 'config'> & { readonly store?: Repo['store'] };

/** A params or metrics file tracked by trove (a pointer beside it) is read from the store up to this size. */
const TRACKED_MAX = 64 * 1024 * 1024;

const WORK_TREE_LABEL = 'workspace';

/** `trove params diff [A] [B]`. */
export async function paramsDiff(repo: Ctx, options: DiffOptions = {}): Promise<ParamsDiffResult> {
  const [a, b] = await sides(repo.git, options);
  const files = pickFiles(options.files, repo.config.params.files, 'params');
  const parsers = paramsParsers();
  const parse = (text: string, file: string, rev: string | null) => parseParamsFile(text, { file, rev }, paramsFormatFor(file)!, parsers);
  const [old, neu] = await Promise.all([readAll(repo, a, files, parse), readAll(repo, b, files, parse)]);
  const rows: ParamsDiffRow[] = [];
  for (const file of files) {
    const x = old.get(file) ?? null;
    const y = neu.get(file) ?? null;
    for (const key of unionKeys(x, y)) {
      const ov = own(x, key);
      const nv = own(y, key);
      const change: Change = ov === undefined ? 'added' : nv === undefined ? 'removed' : sameParam(ov, nv) ? 'unchanged' : 'modified';
      if (change !== 'unchanged' || options.all) rows.push({ file, key, old: ov ?? null, new: nv ?? null, change });
    }
  }
  return { a, b, all: Boolean(options.all), files: presence(files, old, neu), rows };
}

/** `trove metrics diff [A] [B]`. */
export async function metricsDiff(repo: Ctx, options: DiffOptions = {}): Promise<MetricsDiffResult> {
  const [a, b] = await sides(repo.git, options);
  const files = pickFiles(options.files, repo.config.metrics.files, 'metrics');
  const [old, neu] = await Promise.all([readAll(repo, a, files, parseMetrics), readAll(repo, b, files, parseMetrics)]);
  const rows: MetricsDiffRow[] = [];
  for (const file of files) {
    const x = old.get(file) ?? null;
    const y = neu.get(file) ?? null;
    for (const d of metricsDelta({ metrics: x ?? {} }, { metrics: y ?? {} })) {
      const change: Change = d.a === null ? 'added' : d.b === null ? 'removed' : d.a === d.b ? 'unchanged' : 'modified';
      if (change !== 'unchanged' || options.all) rows.push({ file, key: d.key, old: d.a, new: d.b, delta: d.delta, change });
    }
  }
  return { a, b, all: Boolean(options.all), files: presence(files, old, neu), rows };
}

/** `trove metrics show [REV...]`: the work tree when no revision is given. */
export async function metricsShow(repo: Ctx, options: { readonly revs?: readonly string[]; readonly files?: readonly string[] } = {}): Promise<MetricsShowResult> {
  const files = pickFiles(options.files, repo.config.metrics.files, 'metrics');
  const revs = options.revs ?? [];
  const revisions: Side[] = revs.length === 0 ? [workTreeSide()] : await Promise.all(revs.map((r) => revSide(repo.git, r)));
  const read = await Promise.all(revisions.map((s) => readAll(repo, s, files, parseMetrics)));
  const rows: { file: string; key: string; values: (MetricValue | null)[] }[] = [];
  for (const file of files) {
    const keys = [...new Set(read.flatMap((m) => Object.keys(m.get(file) ?? {})))].sort();
    for (const key of keys) rows.push({ file, key, values: read.map((m) => own(m.get(file) ?? null, key) ?? null) });
  }
  return { revisions, files: files.map((file) => ({ file, present: read.map((m) => m.has(file)) })), rows };
}

// ---------------------------------------------------------------- tables (text, md, csv)

export type TableFormat = 'text' | 'md' | 'csv';

/** The table `trove params diff` prints: Path, Param, <old label>, <new label> (null: absent on that side). */
export function paramsDiffTable(r: ParamsDiffResult): { columns: string[]; rows: MetricsCell[][] } {
  return {
    columns: ['Path', 'Param', r.a.label, r.b.label],
    rows: r.rows.map((x) => [x.file, x.key, x.change === 'added' ? null : paramText(x.old as ParamValue), x.change === 'removed' ? null : paramText(x.new as ParamValue)]),
  };
}

/** Path, Metric, <old>, <new>, Change (the delta; '-' where there is none). */
export function metricsDiffTable(r: MetricsDiffResult): { columns: string[]; rows: MetricsCell[][] } {
  return {
    columns: ['Path', 'Metric', r.a.label, r.b.label, 'Change'],
    rows: r.rows.map((x) => [x.file, x.key, x.old, x.new, x.delta]),
  };
}

/** Path, Metric, then one column per revision. */
export function metricsShowTable(r: MetricsShowResult): { columns: string[]; rows: MetricsCell[][] } {
  return {
    columns: ['Path', 'Metric', ...r.revisions.map((s) => s.label)],
    rows: r.rows.map((x) => [x.file, x.key, ...x.values]),
  };
}

/** A table as text, Markdown or CSV. An absent value (null) is `-` in text and Markdown (DVC's mark) and an empty cell in CSV (pandas reads NaN). */
export function renderTable(table: { columns: string[]; rows: MetricsCell[][] }, format: TableFormat): string {
  if (format === 'csv') return toCsv(table, { eol: '\n' });
  const marked = { columns: table.columns, rows: table.rows.map((r) => r.map((c) => c ?? '-')) };
  return format === 'md' ? toMarkdown(marked) : toText(marked);
}

// ---------------------------------------------------------------- reading

async function sides(git: Git, options: DiffOptions): Promise<[Side, Side]> {
  if (options.b !== undefined && options.a === undefined) throw new TroveError('USAGE', 'A new revision needs an old one.', { hint: 'Example: trove params diff HEAD~1 HEAD' });
  const a = await revSide(git, options.a ?? 'HEAD');
  const b = options.b === undefined ? workTreeSide() : await revSide(git, options.b);
  return [a, b];
}

async function revSide(git: Git, rev: string): Promise<Side> {
  try {
    return { rev, commit: await resolveRev(git, rev), label: rev };
  } catch (err) {
    if (err instanceof TroveError && err.code === 'NOT_FOUND' && rev === 'HEAD') {
      throw new TroveError('NOT_FOUND', 'There is no commit yet to compare with (HEAD does not exist).', { hint: 'Commit the files first (git add params.yaml metrics.json && git commit), then compare.', data: { rev } });
    }
    throw err;
  }
}

function workTreeSide(): Side {
  return { rev: null, commit: null, label: WORK_TREE_LABEL };
}

function pickFiles(given: readonly string[] | undefined, configured: readonly string[], what: 'params' | 'metrics'): readonly string[] {
  if (given === undefined || given.length === 0) return configured;
  for (const f of given) {
    checkRepoPath(f, 'the command line');
    if ((what === 'params' ? paramsFormatFor(f) : metricsFormatFor(f)) === null) {
      throw new TroveError('USAGE', `${f}: trove reads ${what} files ending in ${what === 'params' ? '.yaml, .yml, .json or .toml' : '.json, .yaml, .yml or .csv'}.`, { hint: `Rename the file, or list the ${what} files in .trove/config.yaml (docs/config.md).`, data: { file: f } });
    }
  }
  return [...new Set(given)];
}

/** Every file present at `side`, parsed (absent files are simply not in the map). */
async function readAll<T>(repo: Ctx, side: Side, files: readonly string[], parse: (text: string, file: string, rev: string | null) => T): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  for (const file of files) {
    const buf = (side.commit === null ? await readWorkTreeFile(repo.root, file) : await readFileAtCommit(repo.git, side.commit, file)) ?? (await readTracked(repo, side, file));
    if (buf !== null) out.set(file, parse(buf.toString('utf8'), file, side.rev));
  }
  return out;
}

/**
 * A file absent at `side` whose pointer (`FILE.trove`) is there: DVC caches
 * metrics outputs by default, so a migrated project may track them with
 * `trove add`. Its content comes from the local store, verified; not in the
 * store is OBJECT_MISSING naming the file and the revision, with the fetch to run.
 */
async function readTracked(repo: Ctx, side: Side, file: string): Promise<Buffer | null> {
  const ptrPath = pointerPathFor(file);
  const text = side.commit === null ? await readWorkTreeFile(repo.root, ptrPath) : await readFileAtCommit(repo.git, side.commit, ptrPath);
  if (text === null || !repo.store) return null;
  const pointer = parsePointer(text, side.commit === null ? ptrPath : `${side.rev}:${ptrPath}`);
  if (pointer.kind !== 'file') return null;
  if (pointer.size > TRACKED_MAX) throw new TroveError('USAGE', `${file} is tracked by trove and ${pointer.size} bytes long; params and metrics files are read up to ${TRACKED_MAX} bytes.`, { data: { file, rev: side.rev, size: pointer.size } });
  try {
    const chunks = repo.store.readChunkList(pointer.oid);
    const data = chunks ? Buffer.concat(chunks.map((c) => repo.store!.readObject(c.oid, file))) : repo.store.readObject(pointer.oid, file);
    if (createHash('sha256').update(data).digest('hex') !== pointer.oid.hex) throw new TroveError('CORRUPT_OBJECT', `The stored content of ${file} does not match its pointer.`, { hint: 'Run trove fsck.', data: { file, rev: side.rev } });
    return data;
  } catch (err) {
    if (err instanceof TroveError && err.code === 'OBJECT_MISSING') {
      throw new TroveError('OBJECT_MISSING', `${file} in ${revText(side.rev)} is tracked by trove and its content is not in the local store.`, {
        hint: side.commit === null ? `Run trove pull ${file}.` : `Fetch it first: trove fetch ${file} --rev ${side.rev}`,
        data: { file, rev: side.rev, oid: formatOid(pointer.oid) },
        cause: err,
      });
    }
    throw err;
  }
}

function parseMetrics(text: string, file: string, rev: string | null): Record<string, MetricValue> {
  try {
    return parseMetricsFile(text, file, metricsFormatFor(file)!, (t) => yamlLib().parse(t));
  } catch (err) {
    if (!(err instanceof TroveError) || err.code !== 'BAD_METRICS') throw err;
    const line = (err.data?.line as number | null | undefined) ?? null;
    const reason = String(err.data?.reason ?? err.message);
    throw new TroveError('BAD_METRICS', `Metrics file ${file}${line !== null ? `, line ${line}` : ''}, in ${revText(rev)}: ${reason}.`, {
      hint: rev === null ? `Fix ${file} (JSON, YAML, or a CSV header row plus one value row), then run the command again.` : `Compare other revisions, or fix the file in a new commit (git show ${rev}:${file} prints it).`,
      data: { file, rev, line, reason },
      cause: err,
    });
  }
}

function unionKeys(x: Record<string, unknown> | null, y: Record<string, unknown> | null): string[] {
  return [...new Set([...Object.keys(x ?? {}), ...Object.keys(y ?? {})])].sort();
}

function own<T>(m: Record<string, T> | null, key: string): T | undefined {
  return m !== null && Object.prototype.hasOwnProperty.call(m, key) ? m[key] : undefined;
}

function presence(files: readonly string[], old: Map<string, unknown>, neu: Map<string, unknown>): FilePresence[] {
  return files.map((file) => ({ file, old: old.has(file), new: neu.has(file) }));
}
