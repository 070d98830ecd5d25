import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A table body that renders only the rows in view (plus a margin), between
 * two spacer rows that keep the scroll height right: a 20,000-file data diff
 * costs ~40 rows of DOM, not 20,000. Rows have one fixed height (CSS
 * `.data-vrows td { height }` must match `rowHeight`).
 */
export function DataVirtualRows<T>(props: {
  rows: readonly T[];
  rowHeight: number;
  /** the scroll box's height in px */
  height: number;
  header: ComponentChildren;
  row: (item: T, index: number) => ComponentChildren;
  testid?: string;
  /** columns, for the spacer rows */
  columns: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  useEffect(() => {
    // A new list (another filter) starts at the top.
    if (box.current) box.current.scrollTop = 0;
    setTop(0);
  }, [props.rows]);
  const margin = 10;
  const first = Math.max(0, Math.floor(top / props.rowHeight) - margin);
  const last = Math.min(props.rows.length, Math.ceil((top + props.height) / props.rowHeight) + margin);
  const shown = props.rows.slice(first, last);
  return (
    <div class="data-vrows" ref={box} style={{ maxHeight: `${props.height}px` }} onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)} data-testid={props.testid} data-total={props.rows.length}>
      <table>
        <thead>{props.header}</thead>
        <tbody>
          {first > 0 && <tr class="data-spacer" style={{ height: `${first * props.rowHeight}px` }}><td colSpan={props.columns} /></tr>}
          {shown.map((r, i) => props.row(r, first + i))}
          {last < props.rows.length && <tr class="data-spacer" style={{ height: `${(props.rows.length - last) * props.rowHeight}px` }}><td colSpan={props.columns} /></tr>}
        </tbody>
      </table>
    </div>
  );
}
