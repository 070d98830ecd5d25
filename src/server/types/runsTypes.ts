import type { MetricGoal, PrimaryMetric, RunStatus } from '../../core/experimentRecord.js';
import type { CheckpointSummary } from '../../core/expQuery.js';

/**
 * The runs page's routes. NaN and ±Infinity in /api/runs are
 * `{"$float": "NaN" | "Infinity" | "-Infinity"}` as in every trove JSON
 * (expQuery's numberOf reads both); /api/series has null instead (a gap).
 */
export type WireNumber = number | { readonly $float: 'NaN' | 'Infinity' | '-Infinity' };

/** One metric of one run (core/runMetrics.ts RunMetric on the wire). */
export interface RunsMetric {
  readonly goal: MetricGoal;
  /** 'primary': the run's primary metric goal; 'guess': from the name (loss/err/mse/… minimize, else maximize) */
  readonly goal_source: 'primary' | 'guess';
  readonly best: WireNumber | null;
  readonly last: WireNumber | null;
  readonly min: WireNumber | null;
  readonly max: WireNumber | null;
  readonly last_step: number | null;
  /** false for runs recorded before summaries carried metric_stats: best/min/max then come from the best and latest checkpoints only */
  readonly exact: boolean;
}

/** A run: its summary as `trove exp ls --json` gives it (so the page filters with the same code), and every metric. */
export interface RunsRow {
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
  readonly best: CheckpointSummary | null;
  readonly latest: CheckpointSummary | null;
  /** metric name (sorted) → best, last, min, max */
  readonly metrics: Record<string, RunsMetric>;
}

/** `GET /api/runs`: every run, newest first. */
export interface RunsResponse {
  readonly runs: RunsRow[];
  /** param keys whose values differ across the runs (every key with one run), sorted */
  readonly differingParams: string[];
  /** every param key, sorted */
  readonly params: string[];
  /** every metric name, sorted, with the goal its best uses: a primary metric's goal when some run has it as primary, else the guess */
  readonly metrics: { readonly name: string; readonly goal: MetricGoal; readonly goal_source: 'primary' | 'guess' }[];
}

/** One metric of one run along its checkpoints (api/runSeries.ts MetricSeries): four arrays of the same length. */
export interface MetricSeries {
  /** the checkpoint's step, or its index (from 0) when it was given none */
  readonly step: number[];
  /** seconds from the run's start */
  readonly time: number[];
  /** ms since the epoch */
  readonly wall: number[];
  /** null for NaN and ±Infinity */
  readonly value: (number | null)[];
}

/** `GET /api/series?ids=a,b&metrics=m1,m2`: curves of the chosen runs, in the order asked. */
export interface SeriesResponse {
  readonly runs: { readonly id: string; readonly created: string; readonly metrics: Record<string, MetricSeries> }[];
  /** ids asked for that are not runs (any more) */
  readonly missing: string[];
}

/** `GET /api/events` (Server-Sent Events): `event: runs`, data `{"ids": [...]}` — those runs changed (new checkpoint, status, removed). `event: ready` once the watcher has its baseline. */
export interface RunsEvent {
  readonly ids: string[];
}
