/**
 * Values of the run area's JSON: NaN and ±Infinity arrive as {"$float": …}
 * (see src/server/types/runTypes.ts); these turn them back into numbers and
 * into table text.
 */
import { formatValue } from '../format.js';

/** A JSON value as a number when it is one ({"$float"} included), else undefined. */
export function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const f = (v as { $float?: unknown }).$float;
    if (f === 'NaN') return NaN;
    if (f === 'Infinity') return Infinity;
    if (f === '-Infinity') return -Infinity;
  }
  return undefined;
}

/** A param or metric for a cell: numbers short, {"$float"} as NaN/Infinity, objects as JSON. */
export function showValue(v: unknown): string {
  const n = numberOf(v);
  return n !== undefined ? formatValue(n) : formatValue(v);
}

/** Expose what a chart drew for the browser tests: window.__troveCharts[id] = {series:[{label,x,y}]}. */
export function exposeChart(id: string, series: readonly { label: string; x: readonly unknown[]; y: readonly unknown[]; ids?: readonly string[] }[]): void {
  const w = window as unknown as { __troveCharts?: Record<string, unknown> };
  w.__troveCharts = w.__troveCharts ?? {};
  w.__troveCharts[id] = { series: series.map((s) => ({ label: s.label, x: [...s.x], y: [...s.y], ...(s.ids ? { ids: [...s.ids] } : {}) })) };
}
