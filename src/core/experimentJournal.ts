import { TroveError } from '../errors/index.js';
import {
  badRecord,
  normalizeCheckpoint,
  normalizeExperiment,
  normalizeStatus,
  parseCheckpointObject,
  parseExperiment,
  parsePrimaryMetric,
  parseStatusObject,
  recordObject,
  type JournalEvent,
  type RunState,
} from './experimentRecord.js';
import { parseJson, stringifyJson } from './jsonFloats.js';

/**
 * The journal of a live run, `.trove/tmp/experiments/<id>.jsonl` (docs/formats.md,
 * "Experiments"): one event per line, appended before the writer acknowledges
 * it, folded over the run's committed records when it is read.
 */

export function serializeJournalEvent(e: JournalEvent): string {
  switch (e.event) {
    case 'init':
      return stringifyJson({ event: 'init', experiment: normalizeExperiment(e.experiment) }) + '\n';
    case 'checkpoint':
      return stringifyJson({ event: 'checkpoint', checkpoint: normalizeCheckpoint(e.checkpoint), primary_metric: e.primary_metric }) + '\n';
    case 'status':
      return stringifyJson({ event: 'status', status: normalizeStatus(e.status) }) + '\n';
  }
}

/**
 * The events of a journal. A torn last line (the writer was killed mid-append)
 * is dropped: its event was never acknowledged. A bad line elsewhere is BAD_RECORD.
 */
export function parseJournal(text: string, source = 'journal'): JournalEvent[] {
  const lines = text.split('\n');
  const out: JournalEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const last = i === lines.length - 1; // no newline after it: torn
    let raw: Record<string, unknown>;
    try {
      raw = recordObject(parseJson(line), source, 'an event');
    } catch (err) {
      if (last) break;
      throw err instanceof TroveError ? err : badRecord(`${source}:${i + 1}`, 'not JSON');
    }
    const where = `${source}:${i + 1}`;
    if (raw.event === 'init') out.push({ event: 'init', experiment: parseExperiment(stringifyJson(raw.experiment), where) });
    else if (raw.event === 'checkpoint') out.push({ event: 'checkpoint', checkpoint: parseCheckpointObject(raw.checkpoint, where), primary_metric: parsePrimaryMetric(raw.primary_metric, where) });
    else if (raw.event === 'status') out.push({ event: 'status', status: parseStatusObject(raw.status, where) });
    else if (!last) throw badRecord(where, 'unknown event');
  }
  return out;
}

/**
 * Apply journal events to a run (null: nothing committed yet). Checkpoints
 * already in the run (by id) are skipped, so folding a journal twice is a no-op.
 * A checkpoint's primary_metric is adopted only while the run has none (Keepsake:
 * a later checkpoint() without one keeps the first).
 */
export function foldJournal(run: RunState | null, events: readonly JournalEvent[]): RunState | null {
  let state = run;
  for (const e of events) {
    if (e.event === 'init') {
      if (state === null) state = { experiment: e.experiment, checkpoints: [], status: { status: 'running', updated: e.experiment.created, pid: null, host: e.experiment.host } };
      continue;
    }
    if (state === null) continue;
    if (e.event === 'checkpoint') {
      if (state.checkpoints.some((c) => c.id === e.checkpoint.id)) continue;
      const experiment = state.experiment.primary_metric === null && e.primary_metric !== null ? { ...state.experiment, primary_metric: e.primary_metric } : state.experiment;
      state = { experiment, checkpoints: [...state.checkpoints, e.checkpoint], status: { ...state.status, updated: maxIso(state.status.updated, e.checkpoint.created) } };
    } else {
      state = { ...state, status: e.status };
    }
  }
  return state;
}

function maxIso(a: string, b: string): string {
  return a >= b ? a : b;
}
