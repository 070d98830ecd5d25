import { useCallback, useMemo, useState } from 'preact/hooks';
import type { RunsResponse, RunsRow } from '../../src/server/types/runsTypes.js';
import { downloadText, toCsv } from '../csv.js';
import { ParallelCoordinates } from '../components/ParallelCoordinates.js';
import { dimensionsOf, valueOf, type Dimension, type MetricSource } from '../components/plotDimensions.js';
import { ScatterPlot, type ScatterPoint } from '../components/ScatterPlot.js';
import { Pending } from '../components/Status.js';
import type { PageProps } from '../routes.js';
import { useJson } from '../useJson.js';
import { useRunEvents } from '../useRunEvents.js';

/** `#/plots`: every run in parallel coordinates of chosen params and metrics, and a scatter of any two with CSV export. */
export function PlotsPage(_props: PageProps) {
  // New runs and checkpoints appear as they are recorded (/api/events).
  const [refresh, setRefresh] = useState(0);
  useRunEvents(useCallback(() => setRefresh((n) => n + 1), []));
  const loaded = useJson<RunsResponse>('/api/runs', refresh);
  return <Pending loaded={loaded}>{(d) => (d.runs.length ? <PlotsView runs={d.runs} /> : <p class="empty" data-testid="plots-empty">No runs yet: start one with trove.init() in a training script.</p>)}</Pending>;
}

function PlotsView({ runs }: { runs: readonly RunsRow[] }) {
  const dims = useMemo(() => dimensionsOf(runs), [runs]);
  const [source, setSource] = useState<MetricSource>('best');
  // By default: the params that differ between runs, then every metric.
  const [chosen, setChosen] = useState<string[]>(() => dims.filter((d) => d.kind === 'metric' || new Set(runs.map((r) => JSON.stringify(r.params[d.name] ?? null))).size > 1).map((d) => d.key).slice(0, 12));
  const [kept, setKept] = useState<string[] | null>(null);
  const firstParam = dims.find((d) => d.kind === 'param' && runs.some((r) => typeof valueOf(r, d, source) === 'number'));
  const firstMetric = dims.find((d) => d.kind === 'metric');
  const [xKey, setXKey] = useState(firstParam?.key ?? dims[0]?.key ?? '');
  const [yKey, setYKey] = useState(firstMetric?.key ?? dims[dims.length - 1]?.key ?? '');
  const [logX, setLogX] = useState(false);
  const shown = dims.filter((d) => chosen.includes(d.key));
  const xd = dims.find((d) => d.key === xKey);
  const yd = dims.find((d) => d.key === yKey);
  const points = useMemo<ScatterPoint[]>(() => {
    if (!xd || !yd) return [];
    const keptSet = kept ? new Set(kept) : null;
    return runs.flatMap((r) => {
      const x = valueOf(r, xd, source);
      const y = valueOf(r, yd, source);
      return x === undefined || y === undefined ? [] : [{ id: r.id, x, y, active: !keptSet || keptSet.has(r.id) }];
    });
  }, [runs, xd, yd, source, kept]);
  const label = (d: Dimension | undefined): string => (d ? (d.kind === 'metric' ? `${d.name} (${source})` : d.name) : '');
  const exportCsv = (): void => downloadText('scatter.csv', toCsv([['run', label(xd), label(yd)], ...points.map((p) => [p.id, p.x, p.y])]));
  const options = dims.map((d) => <option value={d.key}>{d.kind === 'metric' ? `metric: ${d.name}` : `param: ${d.name}`}</option>);
  return (
    <section class="plots-page" data-testid="plots-page">
      <h1>Plots of {runs.length} runs</h1>
      <div class="plots-controls">
        each run's{' '}
        <select value={source} onChange={(e) => setSource((e.target as HTMLSelectElement).value as MetricSource)} data-testid="plots-source">
          <option value="best">best value of each metric</option>
          <option value="last">last value of each metric</option>
        </select>
        <span class="muted"> (best: the lowest loss, the highest accuracy: the run's primary goal, else guessed from the name, as in the runs table)</span>
      </div>
      <h2>Parallel coordinates</h2>
      <div class="plots-dims" data-testid="plots-dims">
        {dims.map((d) => (
          <label class={d.kind === 'metric' ? 'plots-dim-metric' : ''}>
            <input
              type="checkbox"
              checked={chosen.includes(d.key)}
              data-testid="plots-dim"
              data-key={d.key}
              onChange={(e) => setChosen((e.target as HTMLInputElement).checked ? dims.filter((x) => x.key === d.key || chosen.includes(x.key)).map((x) => x.key) : chosen.filter((k) => k !== d.key))}
            />
            {d.name}
          </label>
        ))}
      </div>
      <ParallelCoordinates runs={runs} dims={shown} source={source} onSelect={(ids) => setKept(ids.length === runs.length ? null : ids)} />
      <h2>Scatter</h2>
      <div class="plots-scatter-row">
        <ScatterPlot points={points} xLabel={label(xd)} yLabel={label(yd)} logX={logX} />
        <div class="plots-scatter-controls">
          <label>x <select value={xKey} onChange={(e) => setXKey((e.target as HTMLSelectElement).value)} data-testid="scatter-x">{options}</select></label>
          <label>y <select value={yKey} onChange={(e) => setYKey((e.target as HTMLSelectElement).value)} data-testid="scatter-y">{options}</select></label>
          <label><input type="checkbox" checked={logX} onChange={(e) => setLogX((e.target as HTMLInputElement).checked)} data-testid="scatter-logx" /> log x</label>
          <button onClick={exportCsv} data-testid="scatter-csv">Export CSV</button>
          <span class="muted">{points.length} runs have both values; grey: outside the brushed ranges; click a point to open its run</span>
        </div>
      </div>
    </section>
  );
}
