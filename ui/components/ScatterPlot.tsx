import { useEffect } from 'preact/hooks';
import { formatValue } from '../format.js';
import { axisScale, logTicks, niceTicks, type AxisScale } from './plotDimensions.js';
import { exposeChart } from './runValues.js';

export interface ScatterPoint {
  readonly id: string;
  readonly x: number | string;
  readonly y: number | string;
  /** drawn grey when false (outside the parallel-coordinates brush) */
  readonly active: boolean;
}

const W = 640;
const H = 330;
const L = 70;
const R = 20;
const T = 16;
const B = 46;

/**
 * A scatter of runs as SVG: x and y numeric (linear, or log for x when asked
 * and all x > 0) or categorical. Each point links to its run. Sets
 * window.__troveCharts.scatter to {series:[{label, x, y, ids}]}.
 */
export function ScatterPlot({ points, xLabel, yLabel, logX }: { points: readonly ScatterPoint[]; xLabel: string; yLabel: string; logX: boolean }) {
  const sx = axisScale(points.map((p) => p.x), { log: logX });
  const sy = axisScale(points.map((p) => p.y));
  useEffect(() => {
    exposeChart('scatter', [{ label: `${yLabel} vs ${xLabel}`, x: points.map((p) => p.x), y: points.map((p) => p.y), ids: points.map((p) => p.id) }]);
  }, [points, xLabel, yLabel]);
  const px = (p: number): number => L + p * (W - L - R);
  const py = (p: number): number => T + (1 - p) * (H - T - B);
  const ticks = (s: AxisScale): { p: number; text: string }[] =>
    s.numeric ? (s.log ? logTicks(s.min, s.max) : niceTicks(s.min, s.max, 5)).map((v) => ({ p: s.pos(v)!, text: formatValue(v) })).filter((t) => t.p >= -1e-9 && t.p <= 1 + 1e-9) : s.categories.map((c) => ({ p: s.pos(c)!, text: c }));
  // Points away from the frame's edges: a 4% margin inside.
  const inset = (p: number): number => 0.04 + 0.92 * p;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} class="plots-scatter" data-testid="scatter-svg">
      <rect x={L} y={T} width={W - L - R} height={H - T - B} class="plots-frame" />
      {ticks(sx).map((t) => (
        <g>
          <line x1={px(inset(t.p))} x2={px(inset(t.p))} y1={H - B} y2={H - B + 4} class="plots-tickline" />
          <text x={px(inset(t.p))} y={H - B + 16} text-anchor="middle" class="plots-tick">{t.text}</text>
        </g>
      ))}
      {ticks(sy).map((t) => (
        <g>
          <line x1={L - 4} x2={L} y1={py(inset(t.p))} y2={py(inset(t.p))} class="plots-tickline" />
          <text x={L - 6} y={py(inset(t.p)) + 4} text-anchor="end" class="plots-tick">{t.text}</text>
        </g>
      ))}
      <text x={(L + W - R) / 2} y={H - 8} text-anchor="middle" class="plots-axis-label">{xLabel}{sx.log ? ' (log)' : ''}</text>
      <text x={14} y={(T + H - B) / 2} text-anchor="middle" transform={`rotate(-90 14 ${(T + H - B) / 2})`} class="plots-axis-label">{yLabel}</text>
      {points.map((p) => {
        const a = sx.pos(p.x);
        const b = sy.pos(p.y);
        if (a === undefined || b === undefined) return null;
        return (
          <a href={`#/run/${p.id}`}>
            <circle cx={px(inset(a))} cy={py(inset(b))} r={5} class={p.active ? 'plots-point' : 'plots-point plots-point-out'} data-testid="scatter-point" data-id={p.id}>
              <title>{`${p.id.slice(0, 8)}: ${xLabel}=${formatValue(p.x)}, ${yLabel}=${formatValue(p.y)}`}</title>
            </circle>
          </a>
        );
      })}
    </svg>
  );
}
