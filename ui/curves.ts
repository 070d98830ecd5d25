import type { SeriesResponse } from '../src/server/types/runsTypes.js';

export type XAxis = 'step' | 'time' | 'wall';

/** One line of the chart: a run's metric along the chosen x axis. */
export interface Curve {
  readonly id: string;
  readonly metric: string;
  readonly label: string;
  readonly x: number[];
  /** null: a gap (NaN or ±Infinity recorded, or ≤ 0 on a log scale) */
  readonly y: (number | null)[];
}

/**
 * TensorBoard's smoothing: an exponential moving average with weight `w`
 * (0 = none, 0.99 = very smooth), debiased so the first points are not pulled
 * towards 0. Gaps stay gaps and do not reset the average.
 */
export function smoothEma(ys: readonly (number | null)[], w: number): (number | null)[] {
  if (w <= 0) return ys.slice();
  let last = 0;
  let n = 0;
  return ys.map((y) => {
    if (y === null || !Number.isFinite(y)) return y;
    last = last * w + (1 - w) * y;
    n++;
    return last / (1 - Math.pow(w, n));
  });
}

/**
 * The curves to draw, one per (run, metric) in the order asked, x in the
 * unit the axis shows (steps, seconds since the run started, or epoch
 * seconds for wall time, as uPlot's time scale wants).
 */
export function buildCurves(data: SeriesResponse, metrics: readonly string[], x: XAxis, smoothing: number, log: boolean, label: (id: string) => string): Curve[] {
  const out: Curve[] = [];
  for (const run of data.runs) {
    for (const m of metrics) {
      const s = run.metrics[m];
      if (!s) continue;
      const xs = x === 'step' ? s.step : x === 'time' ? s.time : s.wall.map((w) => w / 1000);
      let ys = smoothEma(s.value, smoothing);
      if (log) ys = ys.map((y) => (y !== null && y > 0 ? y : null));
      const line = ascending(xs, ys);
      out.push({ id: run.id, metric: m, label: metrics.length > 1 ? `${label(run.id)} ${m}` : label(run.id), x: line.x, y: line.y });
    }
  }
  return out;
}

/**
 * x ascending and unique, as a chart's x axis must be: a run that restarted
 * its step count, or two checkpoints in the same millisecond, keeps the LAST
 * value recorded at each x (smoothing already ran in recording order).
 */
export function ascending(xs: readonly number[], ys: readonly (number | null)[]): { x: number[]; y: (number | null)[] } {
  let sorted = true;
  for (let i = 1; i < xs.length; i++) if (!(xs[i]! > xs[i - 1]!)) sorted = false;
  if (sorted) return { x: xs.slice(), y: ys.slice() };
  const last = new Map<number, number | null>();
  xs.forEach((x, i) => last.set(x, ys[i] ?? null));
  const x = [...last.keys()].sort((a, b) => a - b);
  return { x, y: x.map((v) => last.get(v)!) };
}
