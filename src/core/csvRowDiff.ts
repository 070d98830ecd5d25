/**
 * A row-level diff of two versions of a CSV or TSV table, pure (no I/O), so
 * the server and tests share it.
 *
 * Rows are compared as a multiset of records, not as a sequence: a data table's
 * row order rarely means anything, and an LCS over 200,000 rows that were
 * re-sorted would report every row as changed. A row is "removed" when
 * version A holds it more times than B, "added" the other way round. When
 * both headers are the same and one column is an obvious key (named id, key,
 * uuid or ending in _id, else the first column) whose values are unique and
 * non-empty among the removed rows and among the added rows, a removed and
 * an added row with the same key are reported once, as "changed", with the
 * columns that differ.
 */

export type Delimiter = ',' | '\t';

export interface DiffRow {
  /** 1-based index among the data rows of its side (the header is row 0) */
  readonly row: number;
  readonly cells: string[];
}

export interface ChangedRow {
  readonly key: string;
  readonly from: DiffRow;
  readonly to: DiffRow;
  /** indexes of the columns whose values differ */
  readonly columns: number[];
}

export interface CsvRowDiff {
  readonly header: { readonly from: string[]; readonly to: string[]; readonly changed: boolean };
  /** the key column's name when rows were paired by it (looked for only when rows were both removed and added) */
  readonly key: string | null;
  readonly counts: { readonly from: number; readonly to: number; readonly added: number; readonly removed: number; readonly changed: number; readonly unchanged: number };
  /** at most `maxRows` of each list, in row order */
  readonly added: DiffRow[];
  readonly removed: DiffRow[];
  readonly changed: ChangedRow[];
  /** true when a list was cut at maxRows (the counts cover all rows) */
  readonly truncated: boolean;
}

/** The delimiter a file name implies, or undefined when it is not a CSV or TSV file. */
export function delimiterFor(name: string): Delimiter | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return ',';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return '\t';
  return undefined;
}

/**
 * The records of a CSV (RFC 4180: quoted fields may hold the delimiter,
 * doubled quotes and newlines) or TSV text, as their raw text without the
 * line ending: the identity rows are compared by. A BOM and CRLF endings are
 * accepted; a last line without a newline is a record, an empty last line is
 * not. Record ends are found with indexOf (a newline outside quotes: an even
 * number of quotes since the record began), cells only split for the rows
 * shown: 2 × 20 MB compare in well under a second.
 */
export function splitRecords(text: string, delimiter: Delimiter): string[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: string[] = [];
  const quoting = delimiter === ',' && text.includes('"');
  let nextQuote = quoting ? text.indexOf('"') : -1;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // Quotes before this newline: it ends the record only when they pair up; else it is inside a quoted field.
    let open = false;
    for (;;) {
      while (nextQuote >= 0 && nextQuote < end) {
        open = !open;
        nextQuote = text.indexOf('"', nextQuote + 1);
      }
      if (!open || end >= text.length) break;
      end = text.indexOf('\n', end + 1);
      if (end < 0) end = text.length;
    }
    out.push(text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end));
    start = end + 1;
  }
  return out;
}

/** The cells of one record (its raw text from splitRecords). */
export function parseCells(raw: string, delimiter: Delimiter): string[] {
  if (delimiter === '\t' || !raw.includes('"')) return raw.split(delimiter);
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (raw[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const q = raw.indexOf('"', i);
        if (q < 0) {
          cell += raw.slice(i);
          i = raw.length;
          break;
        }
        cell += raw.slice(i, q);
        if (raw[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      // Anything between the closing quote and the delimiter is kept, as lenient readers do.
      const d = raw.indexOf(delimiter, i);
      cells.push(cell + raw.slice(i, d < 0 ? raw.length : d));
      if (d < 0) return cells;
      i = d + 1;
    } else {
      const d = raw.indexOf(delimiter, i);
      cells.push(raw.slice(i, d < 0 ? raw.length : d));
      if (d < 0) return cells;
      i = d + 1;
    }
  }
}

/** Records with their cells (splitRecords, then parseCells on each). */
export function parseRecords(text: string, delimiter: Delimiter): { raw: string; cells: string[] }[] {
  return splitRecords(text, delimiter).map((raw) => ({ raw, cells: parseCells(raw, delimiter) }));
}

const KEY_NAME = /^(id|key|uuid|.*_id)$/i;

/** Diff two versions of a table; `maxRows` bounds each listed kind of row (default 1,000). */
export function csvRowDiff(fromText: string, toText: string, delimiter: Delimiter, options: { maxRows?: number } = {}): CsvRowDiff {
  const maxRows = options.maxRows ?? 1000;
  const a = splitRecords(fromText, delimiter);
  const b = splitRecords(toText, delimiter);
  const header = { from: a.length ? parseCells(a[0]!, delimiter) : [], to: b.length ? parseCells(b[0]!, delimiter) : [], changed: (a[0] ?? '') !== (b[0] ?? '') };
  const rowsA = a.slice(1);
  const rowsB = b.slice(1);
  // Row numbers (1-based among data rows) of the rows only on one side.
  let { removed, added } = unmatched(rowsA, rowsB);
  const unchanged = rowsA.length - removed.length;
  const row = (rows: readonly string[], n: number): DiffRow => ({ row: n, cells: parseCells(rows[n - 1]!, delimiter) });

  const changed: ChangedRow[] = [];
  let changedCount = 0;
  // A key is looked for only when there is something to pair (it reads one cell of every row).
  const k = header.changed || removed.length === 0 || added.length === 0 ? -1 : keyColumn(header.from, rowsA, removed, rowsB, added, delimiter);
  if (k >= 0) {
    const addedByKey = new Map(added.map((n) => [cellAt(rowsB[n - 1]!, k, delimiter), n]));
    const paired = new Set<number>();
    const stillRemoved: number[] = [];
    for (const n of removed) {
      const key = cellAt(rowsA[n - 1]!, k, delimiter);
      const m = addedByKey.get(key);
      if (m === undefined) {
        stillRemoved.push(n);
        continue;
      }
      paired.add(m);
      if (++changedCount > maxRows) continue; // counted, not listed
      const from = row(rowsA, n);
      const to = row(rowsB, m);
      const width = Math.max(from.cells.length, to.cells.length);
      const columns: number[] = [];
      for (let c = 0; c < width; c++) if (from.cells[c] !== to.cells[c]) columns.push(c);
      changed.push({ key, from, to, columns });
    }
    removed = stillRemoved;
    added = added.filter((n) => !paired.has(n));
  }
  const counts = { from: rowsA.length, to: rowsB.length, added: added.length, removed: removed.length, changed: changedCount, unchanged };
  const truncated = added.length > maxRows || removed.length > maxRows || changedCount > maxRows;
  return {
    header,
    key: k >= 0 ? header.from[k]! : null,
    counts,
    added: added.slice(0, maxRows).map((n) => row(rowsB, n)),
    removed: removed.slice(0, maxRows).map((n) => row(rowsA, n)),
    changed,
    truncated,
  };
}

/**
 * Row numbers (1-based) of the rows of `a` not matched by an equal row of `b`,
 * and of `b` not matched in `a` (multiset difference), each in order: one map
 * of counts, three passes.
 */
function unmatched(a: readonly string[], b: readonly string[]): { removed: number[]; added: number[] } {
  const count = new Map<string, number>();
  for (const x of a) count.set(x, (count.get(x) ?? 0) + 1);
  const added: number[] = [];
  for (let j = 0; j < b.length; j++) {
    const n = count.get(b[j]!);
    if (n) count.set(b[j]!, n - 1);
    else added.push(j + 1);
  }
  // The last occurrences of a row are the unmatched ones (as for b's, which were matched first to last).
  const removed: number[] = [];
  for (let i = a.length - 1; i >= 0; i--) {
    const n = count.get(a[i]!);
    if (n) {
      count.set(a[i]!, n - 1);
      removed.push(i + 1);
    }
  }
  return { removed: removed.reverse(), added };
}

/** Cell `k` of a record, without splitting the rest when nothing is quoted. */
function cellAt(raw: string, k: number, delimiter: Delimiter): string {
  if (delimiter === ',' && raw.includes('"')) return parseCells(raw, delimiter)[k] ?? '';
  let start = 0;
  for (let c = 0; c < k; c++) {
    const d = raw.indexOf(delimiter, start);
    if (d < 0) return '';
    start = d + 1;
  }
  const d = raw.indexOf(delimiter, start);
  return raw.slice(start, d < 0 ? raw.length : d);
}

/**
 * The obvious key column, or -1: a key-like name (else the first column) whose
 * values are non-empty and unique among the removed rows and among the added
 * rows, so pairing them by it is one to one. (Unique among the few rows that
 * differ, not all rows: checking 300,000 rows cost more than the diff.)
 */
function keyColumn(header: readonly string[], a: readonly string[], removed: readonly number[], b: readonly string[], added: readonly number[], delimiter: Delimiter): number {
  if (header.length < 2) return -1;
  const named = header.findIndex((h) => KEY_NAME.test(h.trim()));
  const k = named >= 0 ? named : 0;
  const unique = (rows: readonly string[], which: readonly number[]): boolean => {
    const seen = new Set<string>();
    for (const n of which) {
      const v = cellAt(rows[n - 1]!, k, delimiter);
      if (v === '' || seen.has(v)) return false;
      seen.add(v);
    }
    return true;
  };
  return unique(a, removed) && unique(b, added) ? k : -1;
}
