import { useMemo, useRef, useState } from 'preact/hooks';
import type { RunsResponse, SeriesResponse } from '../../src/server/types/runsTypes.js';
import { buildCurves, type XAxis } from '../curves.js';
import { shortId } from '../format.js';
import type { Loaded } from '../useJson.js';
import { ErrorBox } from './Status.js';
import { CurvesChart } from './CurvesChart.js';

interface Props {
  readonly data: RunsResponse;
  /** selected run ids (full), in the order they were selected */
  readonly ids: readonly string[];
  /** the metrics drawn, and how to change them (the page fetches their series) */
  readonly metrics: readonly string[];
  setMetrics(metrics: string[]): void;
  readonly series: Loaded<SeriesResponse>;
}

/** The selected runs' metric curves overlaid: metric(s), x axis, log scale, smoothing. */
export function RunsCurves({ data, ids, metrics: asked, setMetrics, series }: Props) {
  const names = data.metrics.map((m) => m.name);
  const metrics = asked.filter((m) => names.includes(m));
  const [x, setX] = useState<XAxis>('step');
  const [log, setLog] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  // While another selection loads, keep drawing what is still asked for from the last answer (no blank flash).
  const lastOk = useRef<SeriesResponse | null>(null);
  if (series.state === 'ok') lastOk.current = series.data;
  const shown = series.state === 'ok' ? series.data : lastOk.current;
  const idsKey = ids.join(',');
  const curves = useMemo(() => {
    if (!shown) return [];
    const want = new Set(ids);
    return buildCurves({ ...shown, runs: shown.runs.filter((r) => want.has(r.id)) }, metrics, x, smoothing, log, (id) => shortId(id));
  }, [shown, idsKey, metrics.join(','), x, smoothing, log]);
  const toggleMetric = (m: string): void => {
    const next = metrics.includes(m) ? metrics.filter((n) => n !== m) : [...metrics, m];
    setMetrics(names.filter((n) => next.includes(n)));
  };
  const metricsKey = metrics.join(',');
  const stableMetrics = useMemo(() => metrics, [metricsKey]);
  return (
    <section class="runs-curves" data-testid="runs-curves" data-state={series.state}>
      <div class="runs-curves-controls">
        <span class="runs-curves-metrics" data-testid="curves-metrics">
          {names.map((m) => (
            <label key={m}>
              <input type="checkbox" checked={metrics.includes(m)} onChange={() => toggleMetric(m)} data-testid={`curves-metric-${m}`} /> {m}
            </label>
          ))}
        </span>
        <label>
          x{' '}
          <select value={x} onChange={(e) => setX((e.target as HTMLSelectElement).value as XAxis)} data-testid="curves-x">
            <option value="step">step</option>
            <option value="time">time (relative)</option>
            <option value="wall">wall time</option>
          </select>
        </label>
        <label>
          <input type="checkbox" checked={log} onChange={() => setLog(!log)} data-testid="curves-log" /> log scale
        </label>
        <label title="exponential moving average, as TensorBoard smooths (0: the recorded values)">
          smoothing{' '}
          <input type="range" min="0" max="0.99" step="0.01" value={smoothing} onInput={(e) => setSmoothing(Number((e.target as HTMLInputElement).value))} data-testid="curves-smoothing" />{' '}
          <span class="muted" data-testid="curves-smoothing-value">{smoothing.toFixed(2)}</span>
        </label>
      </div>
      {series.state === 'error' && <ErrorBox error={series.error} />}
      {series.state === 'loading' && !shown && <p class="loading">Loading curves…</p>}
      {metrics.length === 0 && <p class="empty">Choose a metric.</p>}
      <CurvesChart chartId="curves" curves={curves} x={x} log={log} metrics={stableMetrics} />
    </section>
  );
}
