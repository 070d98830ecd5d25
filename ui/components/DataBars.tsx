import { useEffect } from 'preact/hooks';
import { formatBytes } from '../format.js';

export interface BarSeries {
  readonly label: string;
  /** one value per bar (null: unknown, drawn as a gap) */
  readonly values: readonly (number | null)[];
  readonly cls: string;
}

/** What a chart drew, for tests: `window.__troveCharts[id]`. */
function expose(id: string, x: readonly string[], series: readonly BarSeries[]): void {
  const w = window as unknown as { __troveCharts?: Record<string, { series: { label: string; x: readonly string[]; y: readonly (number | null)[] }[] }> };
  w.__troveCharts ??= {};
  w.__troveCharts[id] = { series: series.map((s) => ({ label: s.label, x, y: s.values })) };
}

/**
 * Small bar charts, one band per series, each with its own scale (a
 * version's size is ~200x the bytes it adds: one shared axis would flatten
 * the second band to nothing). Plain SVG: a few dozen rects need no library.
 */
export function DataBars(props: { id: string; labels: readonly string[]; titles: readonly string[]; series: readonly BarSeries[]; onPick?: (i: number) => void }) {
  const { labels, series } = props;
  useEffect(() => expose(props.id, labels, series), [props.id, labels, series]);
  const width = 1000;
  const band = 70;
  const gap = 22;
  const left = 90;
  const n = Math.max(1, labels.length);
  const step = (width - left) / n;
  const barW = Math.max(1, Math.min(40, step * 0.7));
  // Commit labels under the bars while they fit (~60 px each).
  const showLabels = step >= 60;
  const height = series.length * (band + gap) + (showLabels ? 18 : 4);
  return (
    <svg class="data-bars" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={series.map((s) => s.label).join(' and ') + ' per version'} data-testid={`chart-${props.id}`}>
      {series.map((s, si) => {
        const top = si * (band + gap) + gap - 6;
        const max = Math.max(1, ...s.values.map((v) => v ?? 0));
        return (
          <g>
            <text x={0} y={top + 12} class="data-bars-label">{s.label}</text>
            <text x={0} y={top + 28} class="data-bars-max">max {formatBytes(max)}</text>
            <line x1={left} x2={width} y1={top + band} y2={top + band} class="data-bars-axis" />
            {s.values.map((v, i) => {
              const h = v === null ? 0 : Math.max(v > 0 ? 1 : 0, (v / max) * band);
              return (
                <rect
                  class={`data-bar ${s.cls}`}
                  x={left + i * step + (step - barW) / 2}
                  y={top + band - h}
                  width={barW}
                  height={h}
                  onClick={props.onPick ? () => props.onPick!(i) : undefined}
                >
                  <title>{`${props.titles[i]}\n${s.label}: ${v === null ? 'unknown (not in the local store)' : formatBytes(v)}`}</title>
                </rect>
              );
            })}
          </g>
        );
      })}
      {showLabels &&
        labels.map((l, i) => (
          <text x={left + i * step + step / 2} y={height - 4} class="data-bars-x" text-anchor="middle">{l}</text>
        ))}
    </svg>
  );
}
