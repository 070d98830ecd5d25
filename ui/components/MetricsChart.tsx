import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { exposeChart } from './runValues.js';

export interface ChartSeries {
  readonly label: string;
  /** x values (steps), ascending */
  readonly x: readonly number[];
  readonly y: readonly (number | null)[];
}

const COLORS = ['#2f6fdb', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#0b7285', '#5f3dc4', '#e67700'];

/**
 * Lines of a few metrics against step, drawn by uPlot; each metric on its
 * own scale when its range differs (loss and accuracy on one chart). Sets
 * window.__troveCharts[chartId] to what it drew.
 */
export function MetricsChart({ chartId, series, width = 640, height = 240, xLabel = 'step' }: { chartId: string; series: readonly ChartSeries[]; width?: number; height?: number; xLabel?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    exposeChart(chartId, series);
    if (!box.current || series.length === 0) return;
    const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const data: (number | null)[][] = [xs];
    for (const s of series) {
      const col: (number | null)[] = xs.map(() => null);
      s.x.forEach((x, i) => (col[at.get(x)!] = s.y[i] ?? null));
      data.push(col);
    }
    const plot = new uPlot(
      {
        width,
        height,
        scales: { x: { time: false } },
        axes: [{ label: xLabel, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 1e6] }, { label: series.length === 1 ? series[0]!.label : undefined }],
        series: [{ label: xLabel }, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, points: { show: true, size: 5 }, spanGaps: true }))],
      },
      data as uPlot.AlignedData,
      box.current,
    );
    return () => plot.destroy();
  }, [chartId, series, width, height, xLabel]);
  return <div class="run-chart" ref={box} data-testid={`chart-${chartId}`} />;
}
