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
 * non-empty on both sides, a removed and an added row with the same key are
 * reported once, as "changed", with the columns that differ.
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
  /** the key column's name when rows were paired by key */
  readonly key: string | null;
  readonly counts: { readonly from: number; readonly to: number; readonly added: number; readonly removed: number; readonly changed: number; readonly unchanged: number };
  /** at most `maxRows` of each list, in row order */
  readonly added: DiffRow[];
  readonly removed: DiffRow[];
  readonly changed: ChangedRow[];
  /** true when a list was cut at maxRows (the counts cover all rows) */
  readonly truncated: boolean;
}

interface Record {
  readonly raw: string;
  readonly cells: string[];
}

/** The delimiter a file name implies, or undefined when it is not a CSV or TSV file. */
export function delimiterFor(name: string): Delimiter | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return ',';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return '\t';
  return undefined;
}

/**
 * Records of a CSV (RFC 4180: quoted fields may hold the delimiter, quotes
 * doubled, and newlines) or TSV text. `raw` is the record's text without its
 * line ending, the identity rows are compared by. A BOM and CRLF endings are
 * accepted; a last line without a newline is a record, an empty last line is not.
 */
export function parseRecords(text: string, delimiter: Delimiter): Record[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: Record[] = [];
  if (delimiter === '\t' || !text.includes('"')) {
    // No quoting: a record is a line (the common case, and ~5x faster than the state machine).
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const raw = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      out.push({ raw, cells: raw.split(delimiter) });
      start = end + 1;
    }
    return out;
  }
  let i = 0;
  while (i < text.length) {
    const start = i;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (;;) {
      if (i >= text.length) {
        cells.push(cell);
        break;
      }
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
          }
        } else {
          cell += ch;
          i++;
        }
      } else if (ch === '"' && cell === '') {
        quoted = true;
        i++;
      } else if (ch === delimiter) {
        cells.push(cell);
        cell = '';
        i++;
      } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
        cells.push(cell);
        break;
      } else {
        cell += ch;
        i++;
      }
    }
    const end = i;
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    out.push({ raw: text.slice(start, end), cells });
  }
  return out;
}

const KEY_NAME = /^(id|key|uuid|.*_id)$/i;

/** Diff two versions of a table; `maxRows` bounds each listed kind of row (default 1,000). */
export function csvRowDiff(fromText: string, toText: string, delimiter: Delimiter, options: { maxRows?: number } = {}): CsvRowDiff {
  const maxRows = options.maxRows ?? 1000;
  const a = parseRecords(fromText, delimiter);
  const b = parseRecords(toText, delimiter);
  const ha = a[0];
  const hb = b[0];
  const rowsA = a.slice(1);
  const rowsB = b.slice(1);
  const header = { from: ha?.cells ?? [], to: hb?.cells ?? [], changed: (ha?.raw ?? '') !== (hb?.raw ?? '') };

  const removedAll = onlyIn(rowsA, rowsB);
  const addedAll = onlyIn(rowsB, rowsA);
  const unchanged = rowsA.length - removedAll.length;

  let changed: ChangedRow[] = [];
  let key: string | null = null;
  let removed = removedAll;
  let added = addedAll;
  const k = header.changed ? -1 : keyColumn(header.from, rowsA, rowsB);
  if (k >= 0 && removedAll.length > 0 && addedAll.length > 0) {
    key = header.from[k]!;
    const byKey = new Map(addedAll.map((r) => [r.cells[k]!, r]));
    const paired = new Set<DiffRow>();
    const stillRemoved: DiffRow[] = [];
    for (const r of removedAll) {
      const to = byKey.get(r.cells[k]!);
      if (!to) {
        stillRemoved.push(r);
        continue;
      }
      paired.add(to);
      const width = Math.max(r.cells.length, to.cells.length);
      const columns: number[] = [];
      for (let c = 0; c < width; c++) if (r.cells[c] !== to.cells[c]) columns.push(c);
      changed.push({ key: r.cells[k]!, from: r, to, columns });
    }
    removed = stillRemoved;
    added = addedAll.filter((r) => !paired.has(r));
  } else if (k >= 0) key = header.from[k]!;
  const counts = { from: rowsA.length, to: rowsB.length, added: added.length, removed: removed.length, changed: changed.length, unchanged };
  const truncated = added.length > maxRows || removed.length > maxRows || changed.length > maxRows;
  changed = changed.slice(0, maxRows);
  return { header, key, counts, added: added.slice(0, maxRows), removed: removed.slice(0, maxRows), changed, truncated };
}

/** Rows of `xs` not matched by an equal row of `ys` (multiset difference), in order. */
function onlyIn(xs: readonly Record[], ys: readonly Record[]): DiffRow[] {
  const left = new Map<string, number>();
  for (const y of ys) left.set(y.raw, (left.get(y.raw) ?? 0) + 1);
  const out: DiffRow[] = [];
  xs.forEach((x, i) => {
    const n = left.get(x.raw) ?? 0;
    if (n > 0) left.set(x.raw, n - 1);
    else out.push({ row: i + 1, cells: x.cells });
  });
  return out;
}

/** The obvious key column, or -1: a key-like name (else the first column) with unique, non-empty values on both sides. */
function keyColumn(header: readonly string[], a: readonly Record[], b: readonly Record[]): number {
  if (header.length < 2) return -1;
  const named = header.findIndex((h) => KEY_NAME.test(h.trim()));
  const k = named >= 0 ? named : 0;
  const unique = (rows: readonly Record[]): boolean => {
    const seen = new Set<string>();
    for (const r of rows) {
      const v = r.cells[k];
      if (v === undefined || v === '' || seen.has(v)) return false;
      seen.add(v);
    }
    return true;
  };
  return unique(a) && unique(b) ? k : -1;
}
