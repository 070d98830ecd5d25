import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { matchesFilter, numberOf, type RunSummary } from '../../src/core/expQuery.js';
import { parseRunFilterText } from '../../src/core/runFilterText.js';
import type { RunsResponse, RunsRow, SeriesResponse } from '../../src/server/types/runsTypes.js';
import { query } from '../api.js';
import { ColumnChooser } from '../components/ColumnChooser.js';
import { RunsCurves } from '../components/RunsCurves.js';
import { RunsTable, type RunsSort } from '../components/RunsTable.js';
import { Pending } from '../components/Status.js';
import { downloadText, toCsv } from '../csv.js';
import type { PageProps } from '../routes.js';
import { allColumns, compareCells, defaultColumnKeys, type RunColumn } from '../runsColumns.js';
import { useJson, type Loaded } from '../useJson.js';
import { useRunEvents } from '../useRunEvents.js';

/** Several live events in a burst (a run checkpointing fast) make one reload. */
const RELOAD_DEBOUNCE_MS = 250;

/** `select=ID,ID` (ids or prefixes), `metric=NAME,NAME` and `filter=TEXT` from the page's address: a bookmarked comparison. */
function listParam(params: URLSearchParams, name: string): string[] {
  return (params.get(name) ?? '').split(',').map((x) => x.trim()).filter(Boolean);
}

/** The runs: a sortable, filterable table of every experiment, and the curves of the selected ones. */
export function RunsPage({ params }: PageProps) {
  const [refresh, setRefresh] = useState(0);
  const [seriesRefresh, setSeriesRefresh] = useState(0);
  const [selected, setSelected] = useState<string[]>(() => listParam(params, 'select'));
  const [chosenMetrics, setChosenMetrics] = useState<string[] | null>(() => (params.get('metric') ? listParam(params, 'metric') : null));
  const [filterText, setFilterText] = useState(() => params.get('filter') ?? '');
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const pending = useRef<{ timer: ReturnType<typeof setTimeout> | null; series: boolean }>({ timer: null, series: false });
  useRunEvents(
    useCallback((ids: string[]) => {
      const p = pending.current;
      if (ids.length === 0 || ids.some((id) => selectedRef.current.some((s) => id.startsWith(s)))) p.series = true;
      if (p.timer) return;
      p.timer = setTimeout(() => {
        p.timer = null;
        setRefresh((n) => n + 1);
        if (p.series) setSeriesRefresh((n) => n + 1);
        p.series = false;
      }, RELOAD_DEBOUNCE_MS);
    }, []),
  );
  const runs = useJson<RunsResponse>('/api/runs', refresh);
  const data = runs.state === 'ok' ? runs.data : null;
  // The curves' request goes out with the table's when the address names the metric (no waiting for /api/runs).
  const metrics = chosenMetrics ?? (data ? defaultMetrics(data, selected) : []);
  const seriesPath = selected.length && metrics.length ? `/api/series${query({ ids: selected.join(','), metrics: metrics.join(',') })}` : null;
  const series = useJson<SeriesResponse>(seriesPath, seriesRefresh);
  // Keep the address in step (replaceState: no hashchange, no re-render), so the view can be bookmarked.
  useEffect(() => {
    const q = query({ filter: filterText.trim() || undefined, select: selected.length ? selected.join(',') : undefined, metric: chosenMetrics?.length ? chosenMetrics.join(',') : undefined });
    if (window.location.hash.startsWith('#/runs')) history.replaceState(null, '', `#/runs${q}`);
  }, [filterText, selected.join(','), chosenMetrics?.join(',')]);
  return (
    <section class="runs" data-testid="runs-page">
      <h1>Runs</h1>
      <Pending loaded={runs}>
        {(d) => <RunsView data={d} filterText={filterText} setFilterText={setFilterText} selected={selected} setSelected={setSelected} metrics={metrics} setMetrics={setChosenMetrics} series={series} />}
      </Pending>
    </section>
  );
}

/** The first selected run's primary metric, else the first metric there is. */
function defaultMetrics(data: RunsResponse, selected: readonly string[]): string[] {
  const first = selected.length ? data.runs.find((r) => r.id.startsWith(selected[0]!)) : undefined;
  const pm = first?.primary_metric?.name;
  const names = data.metrics.map((m) => m.name);
  const m = pm && names.includes(pm) ? pm : names[0];
  return m ? [m] : [];
}

interface ViewProps {
  readonly data: RunsResponse;
  readonly filterText: string;
  setFilterText(text: string): void;
  /** ids or prefixes (from the address) */
  readonly selected: string[];
  setSelected(ids: string[]): void;
  readonly metrics: string[];
  setMetrics(metrics: string[]): void;
  readonly series: Loaded<SeriesResponse>;
}

function RunsView({ data, filterText, setFilterText, selected, setSelected, metrics, setMetrics, series }: ViewProps) {
  const [sort, setSort] = useState<RunsSort>({ key: 'created', desc: true });
  const [chosenColumns, setChosenColumns] = useState<string[] | null>(null);

  const columns = useMemo(() => allColumns(data), [data]);
  const visibleKeys = chosenColumns ?? defaultColumnKeys(data);
  const visible = useMemo(() => {
    const on = new Set(visibleKeys);
    return columns.filter((c) => on.has(c.key));
  }, [columns, visibleKeys.join('\n')]);

  const parsed = useMemo(() => {
    try {
      return { filters: parseRunFilterText(filterText), error: null };
    } catch (err) {
      return { filters: [], error: (err as Error).message };
    }
  }, [filterText]);
  const filtered = useMemo(() => (parsed.filters.length ? data.runs.filter((r) => parsed.filters.every((f) => matchesFilter(r as RunSummary, f))) : data.runs), [data, parsed]);
  const sorted = useMemo(() => {
    const col = columns.find((c) => c.key === sort.key);
    const value = (r: RunsRow): unknown => (sort.key === 'id' ? r.id : col ? col.value(r) : undefined);
    const keyed = filtered.map((r, i) => ({ r, i, v: value(r) }));
    keyed.sort((a, b) => compareCells(a.v, b.v, sort.desc) || a.i - b.i);
    return keyed.map((k) => k.r);
  }, [filtered, sort, columns]);

  const onSort = useCallback((key: string) => setSort((s) => (s.key === key ? { key, desc: !s.desc } : { key, desc: columns.find((c) => c.key === key)?.numeric ?? false })), [columns]);
  // Full ids of the selected runs that exist (a prefix from the address names the run it starts; runs removed meanwhile drop out).
  const present = useMemo(() => {
    const out: string[] = [];
    for (const s of selected) {
      const r = data.runs.find((x) => x.id.startsWith(s));
      if (r && !out.includes(r.id)) out.push(r.id);
    }
    return out;
  }, [data, selected.join(',')]);
  const selectedSet = useMemo(() => new Set(present), [present]);
  const onToggle = useCallback((id: string) => setSelected(present.includes(id) ? present.filter((s) => s !== id) : [...present, id]), [present]);

  const exportCsv = (): void => downloadText('runs.csv', tableCsv(sorted, visible));
  return (
    <>
      <div class="runs-toolbar">
        <input
          class={`runs-filter${parsed.error ? ' runs-filter-bad' : ''}`}
          type="search"
          placeholder="filter, as trove exp ls: lr>0.01 status=stopped"
          value={filterText}
          onInput={(e) => setFilterText((e.target as HTMLInputElement).value)}
          data-testid="runs-filter"
          aria-invalid={parsed.error ? 'true' : 'false'}
        />
        <span class="muted" data-testid="runs-count">
          {sorted.length === data.runs.length ? `${data.runs.length} runs` : `${sorted.length} of ${data.runs.length} runs`}
          {present.length ? `, ${present.length} selected` : ''}
        </span>
        <ColumnChooser columns={columns} visible={visible.map((c) => c.key)} onChange={setChosenColumns} onReset={() => setChosenColumns(null)} />
        <button type="button" onClick={exportCsv} data-testid="runs-csv" title="the rows and columns shown, as CSV">Export CSV</button>
        {present.length >= 2 && (
          <a class="runs-button" href={`#/compare${query({ ids: present.join(',') })}`} data-testid="runs-compare" title="params, metrics and code of the selected runs side by side">
            Compare {present.length}
          </a>
        )}
        {present.length > 0 && (
          <button type="button" onClick={() => setSelected([])} data-testid="runs-clear">Clear selection</button>
        )}
      </div>
      {parsed.error && <div class="runs-filter-error" role="alert" data-testid="runs-filter-error">{parsed.error}</div>}
      <RunsTable
        rows={sorted}
        columns={visible}
        sort={sort}
        onSort={onSort}
        selected={selectedSet}
        onToggle={onToggle}
        empty={
          data.runs.length === 0 ? (
            <>No experiment runs in this repository yet. A training script records them with <code>experiment = trove.init(params=…)</code> and <code>experiment.checkpoint(metrics=…)</code> (docs/experiments.md); they show here as they train.</>
          ) : (
            'No run matches the filter.'
          )
        }
      />
      {present.length > 0 ? <RunsCurves data={data} ids={present} metrics={metrics} setMetrics={setMetrics} series={series} /> : <p class="muted runs-hint">Select runs (the boxes on the left) to overlay their curves.</p>}
    </>
  );
}

/** The table as shown: full ids, then the visible columns; numbers as numbers, NaN and infinities spelled out. */
function tableCsv(rows: readonly RunsRow[], columns: readonly RunColumn[]): string {
  const header = ['id', ...columns.map((c) => (c.group === 'param' ? c.key.slice('params.'.length) : c.key === 'created' ? 'started' : c.group === 'metric' ? c.key.replace('.', '_') : c.key))];
  const cells = rows.map((r) => [r.id, ...columns.map((c) => {
    const v = c.value(r);
    const n = numberOf(v);
    return n !== undefined ? String(n) : v;
  })]);
  return toCsv([header, ...cells]);
}
