import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { numberOf } from '../../src/core/expQuery.js';
import type { RunsRow } from '../../src/server/types/runsTypes.js';
import { formatTime, formatValue, shortId } from '../format.js';
import type { RunColumn } from '../runsColumns.js';
import { markOnce } from '../marks.js';

export interface RunsSort {
  readonly key: string;
  readonly desc: boolean;
}

interface Props {
  readonly rows: readonly RunsRow[];
  readonly columns: readonly RunColumn[];
  readonly sort: RunsSort;
  onSort(key: string): void;
  readonly selected: ReadonlySet<string>;
  onToggle(id: string): void;
  /** what to say when there is no row */
  readonly empty: preact.ComponentChildren;
}

/** Fixed row height (px): the table draws only the rows in view, so 1,000 or 100,000 runs cost the same. */
export const ROW_HEIGHT = 28;
const OVERSCAN = 8;

function cell(col: RunColumn, r: RunsRow) {
  const v = col.value(r);
  if (col.key === 'status') return <span class={`badge ${r.status}`} data-testid="run-status">{r.status}</span>;
  if (col.key === 'created') return <span title={r.created}>{formatTime(r.created)}</span>;
  const n = numberOf(v);
  return formatValue(n !== undefined ? n : v);
}

/** The runs, virtualised: a scroll box whose spacer rows stand for the rows out of view. */
export function RunsTable({ rows, columns, sort, onSort, selected, onToggle, empty }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const update = (): void => setView({ top: el.scrollTop, height: el.clientHeight });
    update();
    el.addEventListener('scroll', update, { passive: true });
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      ro.disconnect();
    };
  }, []);
  // Rendered with its rows and answering clicks: the benchmark's "table interactive".
  useEffect(() => markOnce('trove:runs-table'), []);
  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);
  const shown = rows.slice(first, last);
  const arrow = (key: string): string => (sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : '');
  const span = columns.length + 2;
  return (
    <div class="runs-table-box" ref={box} data-testid="runs-table-box">
      <table class="runs-table" data-testid="runs-table">
        <thead>
          <tr>
            <th class="runs-check" />
            <th class="runs-sortable" onClick={() => onSort('id')} data-testid="runs-th-id" aria-sort={sort.key === 'id' ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
              run{arrow('id')}
            </th>
            {columns.map((c) => (
              <th
                key={c.key}
                class={`runs-sortable${c.numeric ? ' num' : ''}${c.group === 'param' ? ' runs-param' : c.group === 'metric' ? ' runs-metric' : ''}`}
                title={`${c.title} (click to sort)`}
                onClick={() => onSort(c.key)}
                data-testid={`runs-th-${c.key}`}
                aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
              >
                {c.label}
                {arrow(c.key)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {first > 0 && <tr class="runs-spacer" style={{ height: `${first * ROW_HEIGHT}px` }}><td colSpan={span} /></tr>}
          {shown.map((r) => (
            <tr key={r.id} class={selected.has(r.id) ? 'runs-selected' : ''} data-testid="run-row" data-id={r.id} style={{ height: `${ROW_HEIGHT}px` }}>
              <td class="runs-check">
                <input type="checkbox" checked={selected.has(r.id)} onChange={() => onToggle(r.id)} aria-label={`select run ${shortId(r.id)}`} data-testid="run-select" />
              </td>
              <td class="runs-id">
                <a href={`#/run/${r.id}`} title={r.id} data-testid="run-link">{shortId(r.id)}</a>
              </td>
              {columns.map((c) => (
                <td key={c.key} class={c.numeric ? 'num' : ''} data-col={c.key}>
                  {cell(c, r)}
                </td>
              ))}
            </tr>
          ))}
          {last < rows.length && <tr class="runs-spacer" style={{ height: `${(rows.length - last) * ROW_HEIGHT}px` }}><td colSpan={span} /></tr>}
        </tbody>
      </table>
      {rows.length === 0 && <p class="empty" data-testid="runs-empty">{empty}</p>}
    </div>
  );
}
