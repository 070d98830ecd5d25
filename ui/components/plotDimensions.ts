import type { RunsRow } from '../../src/server/types/runsTypes.js';
import { numberOf } from './runValues.js';

/** A column of the plots: a param, or a metric at each run's best or last checkpoint. */
export interface Dimension {
  /** `param:lr`, `metric:accuracy` */
  readonly key: string;
  readonly label: string;
  readonly kind: 'param' | 'metric';
  readonly name: string;
}

export type MetricSource = 'best' | 'last';

/** Every param and metric the runs have (params first), as dimensions. */
export function dimensionsOf(runs: readonly RunsRow[]): Dimension[] {
  const params = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  return [...params.map((name) => ({ key: `param:${name}`, label: name, kind: 'param' as const, name })), ...metrics.map((name) => ({ key: `metric:${name}`, label: name, kind: 'metric' as const, name }))];
}

/** A run's value on a dimension: a number, a category (string), or undefined when it has none. */
export function valueOf(run: RunsRow, d: Dimension, source: MetricSource): number | string | undefined {
  // A metric's best is over all its checkpoints, by the run's primary goal or one guessed from its name (/api/runs).
  const raw = d.kind === 'param' ? run.params[d.name] : run.metrics[d.name]?.[source];
  if (raw === undefined || raw === null) return undefined;
  const n = numberOf(raw);
  if (n !== undefined) return Number.isFinite(n) ? n : undefined;
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

/** How one dimension maps to a 0..1 position: linear over the numbers, or evenly spaced categories. */
export interface AxisScale {
  readonly numeric: boolean;
  readonly min: number;
  readonly max: number;
  readonly categories: readonly string[];
  readonly log: boolean;
  /** 0 (bottom) .. 1 (top); undefined for a missing value */
  pos(v: number | string | undefined): number | undefined;
}

export function axisScale(values: readonly (number | string | undefined)[], options: { log?: boolean } = {}): AxisScale {
  const present = values.filter((v): v is number | string => v !== undefined);
  const numeric = present.length > 0 && present.every((v) => typeof v === 'number');
  if (numeric) {
    const nums = present as number[];
    const log = Boolean(options.log) && nums.every((v) => v > 0);
    const t = (v: number): number => (log ? Math.log10(v) : v);
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const [a, b] = [t(min), t(max)];
    return { numeric, min, max, categories: [], log, pos: (v) => (typeof v !== 'number' ? undefined : a === b ? 0.5 : (t(v) - a) / (b - a)) };
  }
  const categories = [...new Set(present.map(String))].sort();
  return {
    numeric: false,
    min: 0,
    max: categories.length - 1,
    categories,
    log: false,
    pos: (v) => {
      if (v === undefined) return undefined;
      const i = categories.indexOf(String(v));
      return i < 0 ? undefined : categories.length === 1 ? 0.5 : i / (categories.length - 1);
    },
  };
}

/** About `count` round tick values covering [min, max] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Log-axis ticks: the powers of ten inside [min, max] (min and max themselves when there are fewer than two). */
export function logTicks(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(min)); e <= Math.floor(Math.log10(max)); e++) out.push(Math.pow(10, e));
  return out.length >= 2 ? out : [min, max];
}
