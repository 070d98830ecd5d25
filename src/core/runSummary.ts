import {
  EXPERIMENT_MESSAGE_PREFIX,
  badRecord,
  isExperimentId,
  parsePrimaryMetric,
  parseStatusObject,
  recordObject,
  recordString,
  type CheckpointBrief,
  type CheckpointRecord,
  type MetricStats,
  type PrimaryMetric,
  type RunState,
  type RunSummary,
} from './experimentRecord.js';
import { parseJson, stringifyJson } from './jsonFloats.js';

/**
 * The summary of a run that its commit's message carries (docs/formats.md,
 * "Experiments"): best and latest checkpoint and every metric's min, max and
 * last, so `trove exp ls` and the UI's runs table read 1,000 runs with one
 * `git for-each-ref` and no checkpoint file.
 */

function brief(c: CheckpointRecord): CheckpointBrief {
  return { id: c.id, step: c.step, metrics: c.metrics };
}

/** The value of the primary metric in a checkpoint, when it is a number that is not NaN. */
function metricValue(c: CheckpointRecord, name: string): number | null {
  const v = c.metrics[name];
  return typeof v === 'number' && !Number.isNaN(v) ? v : null;
}

/**
 * The best checkpoint by the primary metric: the lowest (minimize) or highest
 * (maximize) number, the earliest on a tie; checkpoints without the metric or
 * with NaN are never best. Null without a primary metric or any candidate.
 */
export function bestCheckpoint(cs: readonly CheckpointRecord[], pm: PrimaryMetric | null): CheckpointRecord | null {
  if (pm === null) return null;
  let best: CheckpointRecord | null = null;
  let bestValue = 0;
  for (const c of cs) {
    const v = metricValue(c, pm.name);
    if (v === null) continue;
    if (best === null || (pm.goal === 'minimize' ? v < bestValue : v > bestValue)) {
      best = c;
      bestValue = v;
    }
  }
  return best;
}

export function latestCheckpoint(cs: readonly CheckpointRecord[]): CheckpointRecord | null {
  return cs.length ? cs[cs.length - 1]! : null;
}

/**
 * min, max, last and count of every metric that is a number in some
 * checkpoint (names sorted; other values, e.g. strings, are not counted).
 * One pass: a writer recomputes it at each ref move (~1 s), 1,000
 * checkpoints × 5 metrics is well under a millisecond.
 */
export function metricStats(cs: readonly CheckpointRecord[]): Record<string, MetricStats> {
  const acc = new Map<string, { min: number | null; max: number | null; last: number; last_step: number | null; count: number }>();
  for (const c of cs) {
    for (const [name, v] of Object.entries(c.metrics)) {
      if (typeof v !== 'number') continue;
      let a = acc.get(name);
      if (!a) acc.set(name, (a = { min: null, max: null, last: v, last_step: c.step, count: 0 }));
      a.count++;
      a.last = v;
      a.last_step = c.step;
      if (Number.isNaN(v)) continue;
      if (a.min === null || v < a.min) a.min = v;
      if (a.max === null || v > a.max) a.max = v;
    }
  }
  const out: Record<string, MetricStats> = {};
  for (const name of [...acc.keys()].sort()) {
    const a = acc.get(name)!;
    out[name] = { min: a.min, max: a.max, last: a.last, last_step: a.last_step, count: a.count };
  }
  return out;
}

export function summarizeRun(run: RunState): RunSummary {
  const e = run.experiment;
  const best = bestCheckpoint(run.checkpoints, e.primary_metric);
  const latest = latestCheckpoint(run.checkpoints);
  return {
    id: e.id,
    created: e.created,
    updated: run.status.updated,
    status: run.status.status,
    host: e.host,
    user: e.user,
    pid: run.status.pid,
    params: e.params,
    primary_metric: e.primary_metric === null ? null : { name: e.primary_metric.name, goal: e.primary_metric.goal },
    checkpoints: run.checkpoints.length,
    best: best && brief(best),
    latest: latest && brief(latest),
    metric_stats: metricStats(run.checkpoints),
  };
}

/** The commit message of a run's commit: "trove experiment <id>", a blank line, the summary as one JSON line. */
export function serializeCommitMessage(s: RunSummary): string {
  return `${EXPERIMENT_MESSAGE_PREFIX}${s.id}\n\n${stringifyJson(s)}\n`;
}

/** The summary in a run commit's message (for-each-ref %(contents)); BAD_RECORD when it is not one. */
export function parseCommitMessage(text: string, source = 'commit message'): RunSummary {
  const nl = text.indexOf('\n');
  const subject = (nl < 0 ? text : text.slice(0, nl)).trim();
  if (!subject.startsWith(EXPERIMENT_MESSAGE_PREFIX)) throw badRecord(source, 'not a trove experiment commit');
  const line = text.slice(nl + 1).split('\n').find((l) => l.trim().startsWith('{'));
  if (line === undefined) throw badRecord(source, 'no summary line');
  let raw: unknown;
  try {
    raw = parseJson(line);
  } catch {
    throw badRecord(source, 'the summary line is not JSON');
  }
  const o = recordObject(raw, source, 'the summary');
  const id = recordString(o, 'id', source);
  if (!isExperimentId(id)) throw badRecord(source, '"id" is not 32 hex digits');
  const st = parseStatusObject({ status: o.status, updated: o.updated, pid: o.pid, host: o.host }, source);
  const count = o.checkpoints;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) throw badRecord(source, '"checkpoints" is not a count');
  const parseBrief = (v: unknown): CheckpointBrief | null => {
    if (v === null || v === undefined) return null;
    const b = recordObject(v, source, 'a checkpoint summary');
    const step = b.step ?? null;
    return { id: recordString(b, 'id', source), step: typeof step === 'number' ? step : null, metrics: recordObject(b.metrics ?? {}, source, 'metrics') };
  };
  return {
    id,
    created: recordString(o, 'created', source),
    updated: st.updated,
    status: st.status,
    host: st.host,
    user: recordString(o, 'user', source),
    pid: st.pid,
    params: recordObject(o.params ?? {}, source, '"params"'),
    primary_metric: parsePrimaryMetric(o.primary_metric, source),
    checkpoints: count,
    best: parseBrief(o.best),
    latest: parseBrief(o.latest),
    ...withStats(parseMetricStats(o.metric_stats)),
  };
}

function withStats(s: Record<string, MetricStats> | undefined): { metric_stats?: Record<string, MetricStats> } {
  return s === undefined ? {} : { metric_stats: s };
}

/**
 * metric_stats of a summary, or undefined when it is not one: it is a cache of
 * checkpoints.jsonl, so a malformed one is dropped (readers fall back to
 * best/latest) rather than hiding the whole run from exp ls.
 */
function parseMetricStats(v: unknown): Record<string, MetricStats> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const out: Record<string, MetricStats> = {};
  const num = (x: unknown): x is number => typeof x === 'number';
  for (const name of Object.keys(o).sort()) {
    const m = o[name] as Record<string, unknown> | null;
    if (m === null || typeof m !== 'object') return undefined;
    const step = m.last_step ?? null;
    if (!(m.min === null || num(m.min)) || !(m.max === null || num(m.max)) || !num(m.last) || !(step === null || num(step)) || !num(m.count)) return undefined;
    out[name] = { min: m.min as number | null, max: m.max as number | null, last: m.last, last_step: step as number | null, count: m.count };
  }
  return out;
}
