import { TroveError } from '../errors/index.js';
import { encodeFloats, parseJson, stringifyJson } from './jsonFloats.js';

/**
 * The experiment run format (docs/formats.md, "Experiments"): pure codecs, no I/O.
 *
 * One run = one ref `refs/trove/experiments/<id>` pointing at a commit whose
 * tree holds experiment.json, checkpoints.jsonl and status.json, and whose
 * message carries a one-line JSON summary (what `exp ls` reads with one
 * for-each-ref). While a run is live its writer appends every event to the
 * journal `.trove/tmp/experiments/<id>.jsonl` before acknowledging it.
 *
 * In memory, NaN and ±Infinity are plain numbers; on disk and on the wire they
 * are `{"$float": "NaN" | "Infinity" | "-Infinity"}` (core/jsonFloats.ts). The journal
 * of a live run is core/experimentJournal.ts; the summary in a run commit's
 * message (best, latest, metric_stats) is core/runSummary.ts.
 */

export const EXPERIMENT_FORMAT = 1;
export const EXPERIMENT_REF_PREFIX = 'refs/trove/experiments/';
export const EXPERIMENT_MESSAGE_PREFIX = 'trove experiment ';
export const EXPERIMENT_FILES = { experiment: 'experiment.json', checkpoints: 'checkpoints.jsonl', status: 'status.json' } as const;
/** the shortest id prefix commands accept */
export const MIN_PREFIX = 4;

export type RunStatus = 'running' | 'stopped' | 'crashed';
export type MetricGoal = 'minimize' | 'maximize';

export interface PrimaryMetric {
  readonly name: string;
  readonly goal: MetricGoal;
}

/** a file or directory in trove's content store */
export interface StoredData {
  readonly kind: 'file' | 'dir';
  /** "sha256:<hex>" */
  readonly oid: string;
  readonly size: number;
  readonly files: number;
}

/** a tracked path in the work tree when the run started (lineage) */
export interface DataLineage {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  readonly oid: string;
}

export interface ExperimentCode {
  /** HEAD when the run started, null in a repository without commits */
  readonly commit: string | null;
  /** the path given to init, repo-relative ('.' = the whole work tree) */
  readonly path: string;
  /** the uncommitted changes under path as a directory object; null when there are none */
  readonly dirty: StoredData | null;
  /** tracked files under path deleted in the work tree when the run started (repository paths, sorted); absent when none */
  readonly deleted?: readonly string[];
}

export interface ExperimentRecord {
  readonly 'trove-experiment': 1;
  readonly id: string;
  readonly created: string;
  readonly params: Record<string, unknown>;
  readonly command: readonly string[];
  readonly host: string;
  readonly user: string;
  readonly python: string | null;
  readonly packages: Record<string, string>;
  readonly code: ExperimentCode;
  readonly data: readonly DataLineage[];
  readonly primary_metric: PrimaryMetric | null;
}

export interface CheckpointRecord {
  readonly id: string;
  readonly step: number | null;
  readonly created: string;
  readonly metrics: Record<string, unknown>;
  readonly path: string | null;
  readonly data: StoredData | null;
}

export interface StatusRecord {
  readonly status: RunStatus;
  readonly updated: string;
  readonly pid: number | null;
  readonly host: string;
}

export interface CheckpointBrief {
  readonly id: string;
  readonly step: number | null;
  readonly metrics: Record<string, unknown>;
}

export interface RunSummary {
  readonly id: string;
  readonly created: string;
  readonly updated: string;
  readonly status: RunStatus;
  readonly host: string;
  readonly user: string;
  readonly pid: number | null;
  readonly params: Record<string, unknown>;
  readonly primary_metric: PrimaryMetric | null;
  readonly checkpoints: number;
  readonly best: CheckpointBrief | null;
  readonly latest: CheckpointBrief | null;
  /**
   * Every numeric metric over all checkpoints (sorted by name), so a table can
   * show best and last of each without reading checkpoints.jsonl. Absent in
   * runs written before it existed (readers fall back to best/latest).
   */
  readonly metric_stats?: Record<string, MetricStats>;
}

/** One metric of a run over all its checkpoints. */
export interface MetricStats {
  /** lowest / highest value, NaN never counted; null when every value is NaN */
  readonly min: number | null;
  readonly max: number | null;
  /** the value in the last checkpoint that has this metric (NaN kept) */
  readonly last: number;
  /** that checkpoint's step (null when it has none) */
  readonly last_step: number | null;
  /** checkpoints that have this metric as a number */
  readonly count: number;
}

/** One line of the journal `.trove/tmp/experiments/<id>.jsonl`. */
export type JournalEvent =
  | { readonly event: 'init'; readonly experiment: ExperimentRecord }
  | { readonly event: 'checkpoint'; readonly checkpoint: CheckpointRecord; readonly primary_metric: PrimaryMetric | null }
  | { readonly event: 'status'; readonly status: StatusRecord };

/** A run as a whole: what the ref's tree holds (plus the folded journal). */
export interface RunState {
  readonly experiment: ExperimentRecord;
  readonly checkpoints: readonly CheckpointRecord[];
  readonly status: StatusRecord;
}

// ---------------------------------------------------------------- ids

const ID_RE = /^[0-9a-f]{32}$/;

/** 16 random bytes as hex. Web Crypto (a global in Node 20 and browsers), so this module stays importable by the web UI. */
export function newExperimentId(): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function isExperimentId(s: unknown): s is string {
  return typeof s === 'string' && ID_RE.test(s);
}

export function experimentRef(id: string): string {
  if (!isExperimentId(id)) throw new TroveError('USAGE', `"${id}" is not an experiment id (32 lowercase hex digits).`, { data: { id } });
  return EXPERIMENT_REF_PREFIX + id;
}

/**
 * The one id among `ids` that starts with `prefix` (≥ 4 hex digits, any case).
 * None: NOT_FOUND; several: USAGE with data.reason 'ambiguous' and data.matches.
 * `what` names the thing in messages ("experiment", "checkpoint").
 */
export function matchIdPrefix(ids: Iterable<string>, prefix: string, what = 'experiment'): string {
  const p = prefix.toLowerCase();
  if (!/^[0-9a-f]+$/.test(p) || p.length < MIN_PREFIX || p.length > 32) {
    throw new TroveError('USAGE', `"${prefix}" is not a ${what} id or prefix (${MIN_PREFIX} to 32 hex digits).`, {
      hint: 'Copy the id from trove exp ls.',
      data: { prefix, reason: 'bad-prefix' },
    });
  }
  const matches = [...new Set([...ids].filter((id) => id.startsWith(p)))].sort();
  if (matches.length === 0) throw new TroveError('NOT_FOUND', `No ${what} id starts with "${prefix}".`, { hint: 'List runs with trove exp ls.', data: { prefix, what } });
  if (matches.length > 1) {
    throw new TroveError('USAGE', `"${prefix}" matches ${matches.length} ${what}s; give more digits.`, {
      hint: `Use one of: ${matches.slice(0, 5).map((m) => m.slice(0, 12)).join(', ')}`,
      data: { prefix, reason: 'ambiguous', matches },
    });
  }
  return matches[0]!;
}

// ---------------------------------------------------------------- records (fixed key order)

function storedData(d: StoredData | null): StoredData | null {
  return d === null ? null : { kind: d.kind, oid: d.oid, size: d.size, files: d.files };
}

export function normalizeExperiment(e: ExperimentRecord): ExperimentRecord {
  return {
    'trove-experiment': 1,
    id: e.id,
    created: e.created,
    params: e.params,
    command: [...e.command],
    host: e.host,
    user: e.user,
    python: e.python,
    packages: e.packages,
    // `deleted` only when there are some: a record without deletions keeps its bytes.
    code: { commit: e.code.commit, path: e.code.path, dirty: storedData(e.code.dirty), ...(e.code.deleted && e.code.deleted.length ? { deleted: [...e.code.deleted] } : {}) },
    data: e.data.map((d) => ({ path: d.path, kind: d.kind, oid: d.oid })),
    primary_metric: e.primary_metric === null ? null : { name: e.primary_metric.name, goal: e.primary_metric.goal },
  };
}

export function normalizeCheckpoint(c: CheckpointRecord): CheckpointRecord {
  return { id: c.id, step: c.step, created: c.created, metrics: c.metrics, path: c.path, data: storedData(c.data) };
}

export function normalizeStatus(s: StatusRecord): StatusRecord {
  return { status: s.status, updated: s.updated, pid: s.pid, host: s.host };
}

/** experiment.json: pretty-printed (2 spaces), trailing newline. */
export function serializeExperiment(e: ExperimentRecord): string {
  return stringifyJson(normalizeExperiment(e), 2) + '\n';
}

/** checkpoints.jsonl: one compact object per line, in order; empty file for no checkpoints. */
export function serializeCheckpoints(cs: readonly CheckpointRecord[]): string {
  return cs.map((c) => stringifyJson(normalizeCheckpoint(c)) + '\n').join('');
}

export function serializeStatus(s: StatusRecord): string {
  return stringifyJson(normalizeStatus(s), 2) + '\n';
}

/** BAD_RECORD for one of a run's records (`source` names the file or line). Shared by the run codecs. */
export function badRecord(source: string, reason: string): TroveError {
  return new TroveError('BAD_RECORD', `Experiment record ${source}: ${reason}.`, {
    hint: 'The run may have been written by a newer trove or edited by hand; trove exp rm removes it.',
    data: { source, reason },
  });
}

export function recordObject(v: unknown, source: string, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badRecord(source, `${what} is not an object`);
  return v as Record<string, unknown>;
}

export function recordString(o: Record<string, unknown>, k: string, source: string): string {
  const v = o[k];
  if (typeof v !== 'string') throw badRecord(source, `"${k}" is not a string`);
  return v;
}

function strOrNull(o: Record<string, unknown>, k: string, source: string): string | null {
  const v = o[k];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw badRecord(source, `"${k}" is not a string or null`);
  return v;
}

function parseStoredData(v: unknown, source: string, what: string): StoredData | null {
  if (v === null || v === undefined) return null;
  const o = recordObject(v, source, what);
  const kind = o.kind;
  if (kind !== 'file' && kind !== 'dir') throw badRecord(source, `${what}.kind is not "file" or "dir"`);
  const oid = recordString(o, 'oid', source);
  const size = o.size;
  const files = o.files;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw badRecord(source, `${what}.size is not a byte count`);
  if (typeof files !== 'number' || !Number.isSafeInteger(files) || files < 0) throw badRecord(source, `${what}.files is not a count`);
  return { kind, oid, size, files };
}

export function parsePrimaryMetric(v: unknown, source = 'primary_metric'): PrimaryMetric | null {
  if (v === null || v === undefined) return null;
  let name: unknown;
  let goal: unknown;
  if (Array.isArray(v)) [name, goal] = v;
  else if (typeof v === 'object') ({ name, goal } = v as Record<string, unknown>);
  if (typeof name !== 'string' || name === '' || (goal !== 'minimize' && goal !== 'maximize')) {
    throw new TroveError('USAGE', `${source} must be [name, "minimize" | "maximize"].`, { hint: 'Pass e.g. ("loss", "minimize").', data: { value: encodeFloats(v) } });
  }
  return { name, goal };
}

export function parseExperiment(text: string, source: string = EXPERIMENT_FILES.experiment): ExperimentRecord {
  let raw: unknown;
  try {
    raw = parseJson(text);
  } catch {
    throw badRecord(source, 'not JSON');
  }
  const o = recordObject(raw, source, 'the record');
  const fmt = o['trove-experiment'];
  if (typeof fmt === 'number' && fmt > EXPERIMENT_FORMAT) {
    throw new TroveError('NEWER_FORMAT', `${source} has format ${fmt}; this trove reads up to ${EXPERIMENT_FORMAT}.`, { hint: 'Upgrade trove.', data: { source, format: fmt } });
  }
  if (fmt !== EXPERIMENT_FORMAT) throw badRecord(source, '"trove-experiment" is not 1');
  const id = recordString(o, 'id', source);
  if (!isExperimentId(id)) throw badRecord(source, '"id" is not 32 hex digits');
  const command = o.command;
  if (!Array.isArray(command) || command.some((a) => typeof a !== 'string')) throw badRecord(source, '"command" is not a list of strings');
  const code = recordObject(o.code, source, '"code"');
  const data = o.data ?? [];
  if (!Array.isArray(data)) throw badRecord(source, '"data" is not a list');
  return normalizeExperiment({
    'trove-experiment': 1,
    id,
    created: recordString(o, 'created', source),
    params: recordObject(o.params ?? {}, source, '"params"'),
    command: command as string[],
    host: recordString(o, 'host', source),
    user: recordString(o, 'user', source),
    python: strOrNull(o, 'python', source),
    packages: recordObject(o.packages ?? {}, source, '"packages"') as Record<string, string>,
    code: { commit: strOrNull(code, 'commit', source), path: recordString(code, 'path', source), dirty: parseStoredData(code.dirty, source, 'code.dirty'), deleted: parseDeleted(code.deleted, source) },
    data: data.map((d) => {
      const x = recordObject(d, source, 'a data entry');
      if (x.kind !== 'file' && x.kind !== 'dir') throw badRecord(source, 'a data entry kind is not "file" or "dir"');
      return { path: recordString(x, 'path', source), kind: x.kind, oid: recordString(x, 'oid', source) };
    }),
    primary_metric: parsePrimaryMetric(o.primary_metric, `${source} primary_metric`),
  });
}

export function parseCheckpointObject(raw: unknown, source: string): CheckpointRecord {
  const o = recordObject(raw, source, 'a checkpoint');
  const id = recordString(o, 'id', source);
  if (!isExperimentId(id)) throw badRecord(source, 'a checkpoint id is not 32 hex digits');
  const step = o.step ?? null;
  if (step !== null && (typeof step !== 'number' || !Number.isSafeInteger(step))) throw badRecord(source, '"step" is not an integer or null');
  return {
    id,
    step: step as number | null,
    created: recordString(o, 'created', source),
    metrics: recordObject(o.metrics ?? {}, source, '"metrics"'),
    path: strOrNull(o, 'path', source),
    data: parseStoredData(o.data, source, 'data'),
  };
}

export function parseCheckpoints(text: string, source: string = EXPERIMENT_FILES.checkpoints): CheckpointRecord[] {
  const out: CheckpointRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let raw: unknown;
    try {
      raw = parseJson(line);
    } catch {
      throw badRecord(`${source}:${i + 1}`, 'not JSON');
    }
    out.push(parseCheckpointObject(raw, `${source}:${i + 1}`));
  }
  return out;
}

export function parseStatusObject(raw: unknown, source: string): StatusRecord {
  const o = recordObject(raw, source, 'the status');
  const status = o.status;
  if (status !== 'running' && status !== 'stopped' && status !== 'crashed') throw badRecord(source, '"status" is not running, stopped or crashed');
  const pid = o.pid ?? null;
  if (pid !== null && (typeof pid !== 'number' || !Number.isSafeInteger(pid))) throw badRecord(source, '"pid" is not an integer');
  return { status, updated: recordString(o, 'updated', source), pid: pid as number | null, host: recordString(o, 'host', source) };
}

export function parseStatus(text: string, source: string = EXPERIMENT_FILES.status): StatusRecord {
  let raw: unknown;
  try {
    raw = parseJson(text);
  } catch {
    throw badRecord(source, 'not JSON');
  }
  return parseStatusObject(raw, source);
}

/** code.deleted: absent, or a list of safe repository paths. */
function parseDeleted(v: unknown, source: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((p) => typeof p !== 'string' || p === '' || p.startsWith('/') || p.split('/').some((s: string) => s === '..' || s === '.git' || s === '.trove'))) throw badRecord(source, '"code.deleted" is not a list of repository paths');
  return v as string[];
}
