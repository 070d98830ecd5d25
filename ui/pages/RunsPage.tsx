import { useCallback, useMemo, useRef, useState } from 'preact/hooks';
import { matchesFilter, numberOf, type RunSummary } from '../../src/core/expQuery.js';
import { parseRunFilterText } from '../../src/core/runFilterText.js';
import type { RunsResponse, RunsRow } from '../../src/server/types/runsTypes.js';
import { ColumnChooser } from '../components/ColumnChooser.js';
import { RunsCurves } from '../components/RunsCurves.js';
import { RunsTable, type RunsSort } from '../components/RunsTable.js';
import { Pending } from '../components/Status.js';
import { downloadText, toCsv } from '../csv.js';
import type { PageProps } from '../routes.js';
import { allColumns, compareCells, defaultColumnKeys, type RunColumn } from '../runsColumns.js';
import { useJson } from '../useJson.js';
import { useRunEvents } from '../useRunEvents.js';

/** Several live events in a burst (a run checkpointing fast) make one reload. */
const RELOAD_DEBOUNCE_MS = 250;

/** The runs: a sortable, filterable table of every experiment, and the curves of the selected ones. */
export function RunsPage(_props: PageProps) {
  const [refresh, setRefresh] = useState(0);
  const [seriesRefresh, setSeriesRefresh] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const pending = useRef<{ timer: ReturnType<typeof setTimeout> | null; series: boolean }>({ timer: null, series: false });
  useRunEvents(
    useCallback((ids: string[]) => {
      const p = pending.current;
      if (ids.length === 0 || ids.some((id) => selectedRef.current.includes(id))) p.series = true;
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
  return (
    <section class="runs" data-testid="runs-page">
      <h1>Runs</h1>
      <Pending loaded={runs}>{(data) => <RunsView data={data} selected={selected} setSelected={setSelected} seriesRefresh={seriesRefresh} />}</Pending>
    </section>
  );
}

interface ViewProps {
  readonly data: RunsResponse;
  readonly selected: string[];
  setSelected(ids: string[]): void;
  readonly seriesRefresh: number;
}

function RunsView({ data, selected, setSelected, seriesRefresh }: ViewProps) {
  const [filterText, setFilterText] = useState('');
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
  const selectedSet = useMemo(() => new Set(selected), [selected]);
  const onToggle = useCallback((id: string) => setSelected(selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]), [selected]);
  // Runs removed meanwhile drop out of the selection.
  const present = selected.filter((id) => data.runs.some((r) => r.id === id));

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
        {present.length > 0 && (
          <button type="button" onClick={() => setSelected([])} data-testid="runs-clear">Clear selection</button>
        )}
      </div>
      {parsed.error && <div class="runs-filter-error" role="alert" data-testid="runs-filter-error">{parsed.error}</div>}
      <RunsTable rows={sorted} columns={visible} sort={sort} onSort={onSort} selected={selectedSet} onToggle={onToggle} />
      {present.length > 0 ? <RunsCurves data={data} ids={present} refresh={seriesRefresh} /> : <p class="muted runs-hint">Select runs (the boxes on the left) to overlay their curves.</p>}
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
