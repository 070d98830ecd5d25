import { TroveError } from '../errors/index.js';
import { type MetricGoal, type PrimaryMetric, type RunStatus } from '../core/experimentRecord.js';
import { encodeFloats } from '../core/jsonFloats.js';
import { bestCheckpoint, latestCheckpoint, summarizeRun } from '../core/runSummary.js';
import { runMetrics } from '../core/runMetrics.js';
import { resolveId } from '../experiments/expRuns.js';
import { readRun, type Run } from '../experiments/readRuns.js';
import type { Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';
import { expCodeDiff, type ExpCodeDiffResult } from './expCodeDiff.js';

export interface CompareRow {
  readonly key: string;
  /** one value per run, in the order of `runs`; null where `present` is false */
  readonly values: unknown[];
  readonly present: boolean[];
  /** true when the runs do not all have the same value (a missing value differs from any value) */
  readonly differs: boolean;
}

export interface CompareMetricRow {
  readonly key: string;
  /** the goal "best" uses, per run: its primary metric's goal, else guessed from the name (as the runs table) */
  readonly goals: (MetricGoal | null)[];
  /** each run's best value of the metric over all its checkpoints (min or max by the goal; NaN never counts) */
  readonly best: CompareRow;
  /** the value at each run's latest checkpoint that has the metric */
  readonly last: CompareRow;
}

export interface CompareRunsResult {
  readonly runs: { readonly id: string; readonly created: string; readonly status: RunStatus; readonly primary_metric: PrimaryMetric | null; readonly checkpoints: number; readonly best: { readonly id: string; readonly step: number | null } | null; readonly latest: { readonly id: string; readonly step: number | null } | null; readonly commit: string | null }[];
  /** every param any run has, sorted by key */
  readonly params: CompareRow[];
  readonly metrics: CompareMetricRow[];
  /** the code change from the first run to each other run */
  readonly code: ExpCodeDiffResult[];
}

/** More runs than this side by side is a table, not a comparison. */
export const MAX_COMPARE = 8;

/**
 * Runs side by side (the UI's compare page): every param with the ones that
 * differ marked, each metric's best and last value (core/runMetrics, as the
 * runs table: best by the run's primary goal or one guessed from the
 * metric's name), and the code diff from
 * the first run to each of the others (expCodeDiff). `ids` are run ids or
 * unique prefixes, 2 to 8 of them, in the order to show.
 *
 * @example
 *   const c = await compareRuns(repo, { ids: ['3f2a', '9c01'] });
 *   c.params.filter((p) => p.differs).map((p) => p.key);
 */
export async function compareRuns(repo: Repo, options: { readonly ids: readonly string[] }): Promise<CompareRunsResult> {
  checkOptions('compareRuns', repo, options, { ids: 'string[]' });
  if (options.ids.length < 2 || options.ids.length > MAX_COMPARE) {
    throw new TroveError('USAGE', `Compare takes 2 to ${MAX_COMPARE} runs, not ${options.ids.length}.`, { hint: 'Select two or more runs in the runs table, then Compare.', data: { reason: 'compare-count', count: options.ids.length } });
  }
  const runs: Run[] = [];
  for (const id of options.ids) runs.push(await readRun(repo, (await resolveId(repo, id, 'experiment')).id));
  const best = runs.map((r) => bestCheckpoint(r.checkpoints, r.experiment.primary_metric) ?? latestCheckpoint(r.checkpoints));
  const last = runs.map((r) => latestCheckpoint(r.checkpoints));
  // Best and last of every numeric metric as the runs table computes them (one definition in core/runMetrics).
  const stats = runs.map((r) => runMetrics(summarizeRun(r)));
  const metricKeys = sortedKeys(stats);
  const column = (field: 'best' | 'last'): Record<string, unknown>[] => stats.map((m) => Object.fromEntries(Object.entries(m).flatMap(([k, v]) => (v[field] === null ? [] : [[k, v[field]]]))));
  const [bestValues, lastValues] = [column('best'), column('last')];
  const code: ExpCodeDiffResult[] = [];
  for (const r of runs.slice(1)) code.push(await expCodeDiff(repo, { a: runs[0]!.experiment.id, b: r.experiment.id }));
  return {
    runs: runs.map((r, i) => ({
      id: r.experiment.id,
      created: r.experiment.created,
      status: r.status.status,
      primary_metric: r.experiment.primary_metric,
      checkpoints: r.checkpoints.length,
      best: best[i] ? { id: best[i]!.id, step: best[i]!.step } : null,
      latest: last[i] ? { id: last[i]!.id, step: last[i]!.step } : null,
      commit: r.experiment.code.commit,
    })),
    params: sortedKeys(runs.map((r) => r.experiment.params)).map((key) => row(key, runs.map((r) => r.experiment.params))),
    metrics: metricKeys.map((key) => ({ key, goals: stats.map((m) => m[key]?.goal ?? null), best: row(key, bestValues), last: row(key, lastValues) })),
    code,
  };
}

function sortedKeys(objects: readonly Record<string, unknown>[]): string[] {
  return [...new Set(objects.flatMap((o) => Object.keys(o)))].sort();
}

function row(key: string, objects: readonly Record<string, unknown>[]): CompareRow {
  const present = objects.map((o) => Object.prototype.hasOwnProperty.call(o, key));
  const values = objects.map((o, i) => (present[i] ? o[key] : null));
  const texts = values.map((v, i) => (present[i] ? JSON.stringify(encodeFloats(v) ?? null) : '\u0000absent'));
  return { key, values, present, differs: new Set(texts).size > 1 };
}
