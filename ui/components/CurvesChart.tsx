import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import type { Curve, XAxis } from '../curves.js';
import { markOnce } from '../marks.js';

interface Props {
  /** the key in window.__troveCharts (tests read what was drawn there) */
  readonly chartId: string;
  readonly curves: readonly Curve[];
  readonly x: XAxis;
  readonly log: boolean;
  /** metric names in the order of their y scales (the first two get an axis, left and right) */
  readonly metrics: readonly string[];
  readonly height?: number;
}

const PALETTE = ['#2f6fdb', '#d9480f', '#2b8a3e', '#ae3ec9', '#e8590c', '#0b7285', '#c2255c', '#5f3dc4', '#74b816', '#495057'];
const DASHES: (number[] | undefined)[] = [undefined, [6, 4], [2, 3], [10, 3, 2, 3]];

type ChartRegistry = Record<string, { series: { label: string; id: string; metric: string; x: number[]; y: (number | null)[] }[] }>;

/** Publish what the chart draws, for tests (docs/ui.md: charts expose their data). */
function publish(id: string, curves: readonly Curve[] | null): void {
  const w = window as unknown as { __troveCharts?: ChartRegistry };
  w.__troveCharts ??= {};
  if (curves === null) delete w.__troveCharts[id];
  else w.__troveCharts[id] = { series: curves.map((c) => ({ label: c.label, id: c.id, metric: c.metric, x: c.x, y: c.y })) };
}

const X_LABEL: Record<XAxis, string> = { step: 'step', time: 'time since start (s)', wall: 'wall time' };

/**
 * Overlaid curves with uPlot (fast with 10 runs × 1,000 points): the curves
 * are joined on one x axis (uPlot.join; points one run lacks are undefined,
 * so its line runs through, while a recorded NaN stays a gap). One y scale
 * per metric.
 */
export function CurvesChart({ chartId, curves, x, log, metrics, height = 360 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    publish(chartId, curves);
    if (curves.length === 0) return;
    const runColor = new Map<string, string>();
    for (const c of curves) if (!runColor.has(c.id)) runColor.set(c.id, PALETTE[runColor.size % PALETTE.length]!);
    const data = uPlot.join(curves.map((c) => [c.x, c.y] as uPlot.AlignedData));
    const scales: uPlot.Scales = { x: { time: x === 'wall' } };
    for (const m of metrics) scales[m] = log ? { distr: 3, log: 10 } : {};
    const axes: uPlot.Axis[] = [{ label: X_LABEL[x] }];
    metrics.slice(0, 2).forEach((m, i) => axes.push({ scale: m, label: m, side: i === 0 ? 3 : 1, grid: { show: i === 0 } }));
    const opts: uPlot.Options = {
      // The benchmark (bench/ui.mjs) reads when the first curves were on screen.
      hooks: { draw: [() => markOnce('trove:curves-drawn')] },
      width: Math.max(320, el.clientWidth),
      height,
      scales,
      axes,
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      series: [
        { label: X_LABEL[x] },
        ...curves.map((c) => ({ label: c.label, scale: c.metric, stroke: runColor.get(c.id)!, width: 1.5, points: { show: c.x.length < 60 }, ...(DASHES[metrics.indexOf(c.metric) % DASHES.length] ? { dash: DASHES[metrics.indexOf(c.metric) % DASHES.length]! } : {}) })),
      ],
    };
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(320, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [chartId, curves, x, log, metrics, height]);
  useEffect(() => () => publish(chartId, null), [chartId]);
  return <div class="runs-chart" ref={box} data-testid={`chart-${chartId}`} />;
}
