import { TroveError } from '../errors/index.js';
import { isExperimentId, matchIdPrefix } from '../core/experimentRecord.js';
import { listJournalIds } from '../experiments/readRuns.js';
import { readRunsByIds, runCommits } from '../experiments/readRunsByIds.js';
import type { Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export interface RunSeriesOptions {
  /** experiment ids or unique prefixes (≥ 4 hex digits) */
  readonly ids: readonly string[];
  /** metric names; omitted or empty = every metric the runs recorded */
  readonly metrics?: readonly string[];
}

/** One metric of one run along its checkpoints: four arrays of the same length, in checkpoint order. */
export interface MetricSeries {
  /** the checkpoint's step, or its index (from 0) when it was given none */
  readonly step: number[];
  /** seconds from the run's start (experiment.created) to the checkpoint */
  readonly time: number[];
  /** the checkpoint's time, ms since the epoch */
  readonly wall: number[];
  /** the value; null for NaN and ±Infinity (a gap in a curve) */
  readonly value: (number | null)[];
}

export interface RunSeries {
  readonly id: string;
  readonly created: string;
  /** metric name → series; only checkpoints where the metric is a number count, a metric with none is left out */
  readonly metrics: Record<string, MetricSeries>;
}

export interface RunSeriesResult {
  /** in the order of `ids` */
  readonly runs: RunSeries[];
  /** ids (as given) of runs that do not exist (any more) */
  readonly missing: string[];
}

/**
 * The curves of a few runs: per run and metric, step, relative time, wall
 * time and value of every checkpoint. One for-each-ref and ONE
 * `git cat-file --batch` for all finished runs; live runs have their journal
 * folded in. A checkpoint whose metric is not a number (absent, a string) is
 * skipped; NaN and ±Infinity are null.
 *
 * @example
 *   const { runs } = await runSeries(repo, { ids: ['3f2a', '9c01'], metrics: ['loss'] });
 *   runs[0].metrics.loss.value; // [0.9, 0.5, …]
 */
export async function runSeries(repo: Repo, options: RunSeriesOptions): Promise<RunSeriesResult> {
  checkOptions('runSeries', repo, options, { ids: 'string[]', metrics: 'string[]?' });
  const known = [...new Set([...(await runCommits(repo)).keys(), ...listJournalIds(repo)])];
  const missing: string[] = [];
  const ids: string[] = [];
  for (const given of options.ids) {
    if (isExperimentId(given)) {
      ids.push(given);
      continue;
    }
    try {
      ids.push(matchIdPrefix(known, given, 'experiment'));
    } catch (err) {
      if (err instanceof TroveError && err.code === 'NOT_FOUND') missing.push(given);
      else throw err;
    }
  }
  const read = await readRunsByIds(repo, ids);
  const want = options.metrics && options.metrics.length ? new Set(options.metrics) : null;
  const runs = read.runs.map((run): RunSeries => {
    const start = Date.parse(run.experiment.created);
    const metrics: Record<string, { step: number[]; time: number[]; wall: number[]; value: (number | null)[] }> = {};
    run.checkpoints.forEach((c, i) => {
      const wall = Date.parse(c.created);
      for (const [name, v] of Object.entries(c.metrics)) {
        if (typeof v !== 'number' || (want && !want.has(name))) continue;
        const s = (metrics[name] ??= { step: [], time: [], wall: [], value: [] });
        s.step.push(c.step ?? i);
        s.time.push((wall - start) / 1000);
        s.wall.push(wall);
        s.value.push(Number.isFinite(v) ? v : null);
      }
    });
    const sorted: Record<string, MetricSeries> = {};
    for (const k of Object.keys(metrics).sort()) sorted[k] = metrics[k]!;
    return { id: run.experiment.id, created: run.experiment.created, metrics: sorted };
  });
  return { runs, missing: [...missing, ...read.missing] };
}
