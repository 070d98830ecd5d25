import type { MetricGoal, RunSummary } from './experimentRecord.js';

/**
 * Best, last, min and max of every metric of a run, from its summary alone
 * (the web UI's runs table for 1,000 runs reads no checkpoints.jsonl).
 */

/** One metric of one run as the runs table shows it. */
export interface RunMetric {
  /** the run's primary-metric goal for its primary metric, else guessed from the name (guessGoal) */
  readonly goal: MetricGoal;
  readonly goal_source: 'primary' | 'guess';
  /** min (minimize) or max (maximize); null when no value counts (all NaN) */
  readonly best: number | null;
  /** the latest value (NaN kept); null when unknown (an old summary whose latest checkpoint lacks it) */
  readonly last: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly last_step: number | null;
  /**
   * false for runs written before summaries carried metric_stats: min, max
   * and best are then taken from the best and latest checkpoints only
   */
  readonly exact: boolean;
}

// Names whose smaller values are better, as most trackers name them; anything else
// (accuracy, f1, auc, reward, bleu, iou…) is taken as maximize.
const MINIMIZE_RE = /loss|err|mse|mae|rmse|perplexity|wer|cer/i;

/** The goal a metric most likely has from its name: minimize for loss/error-like names, else maximize. */
export function guessGoal(name: string): MetricGoal {
  return MINIMIZE_RE.test(name) ? 'minimize' : 'maximize';
}

function goalOf(run: RunSummary, name: string): { goal: MetricGoal; goal_source: 'primary' | 'guess' } {
  if (run.primary_metric?.name === name) return { goal: run.primary_metric.goal, goal_source: 'primary' };
  return { goal: guessGoal(name), goal_source: 'guess' };
}

const isNum = (v: unknown): v is number => typeof v === 'number';

/** Every numeric metric of a run (names sorted) with its goal, best, last, min and max. */
export function runMetrics(run: RunSummary): Record<string, RunMetric> {
  const out: Record<string, RunMetric> = {};
  if (run.metric_stats) {
    for (const [name, s] of Object.entries(run.metric_stats)) {
      const g = goalOf(run, name);
      out[name] = { ...g, best: g.goal === 'minimize' ? s.min : s.max, last: s.last, min: s.min, max: s.max, last_step: s.last_step, exact: true };
    }
    return out;
  }
  // An older summary: all we know are the best and latest checkpoints.
  const names = new Set<string>();
  for (const c of [run.best, run.latest]) if (c) for (const [k, v] of Object.entries(c.metrics)) if (isNum(v)) names.add(k);
  for (const name of [...names].sort()) {
    const g = goalOf(run, name);
    const seen = [run.best?.metrics[name], run.latest?.metrics[name]].filter((v): v is number => isNum(v) && !Number.isNaN(v));
    const min = seen.length ? Math.min(...seen) : null;
    const max = seen.length ? Math.max(...seen) : null;
    const last = run.latest?.metrics[name];
    out[name] = { ...g, best: g.goal === 'minimize' ? min : max, last: isNum(last) ? last : null, min, max, last_step: isNum(last) ? run.latest!.step : null, exact: false };
  }
  return out;
}
