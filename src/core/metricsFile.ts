import { TroveError } from '../errors/index.js';
import type { MetricValue } from './registryTypes.js';

/**
 * Metrics given to `trove version NAME --metrics-file F` / `--metric K=V`.
 *
 * Formats: JSON, YAML (parsed by an injected function so core stays free of
 * the yaml library) and CSV. Nested JSON/YAML objects are flattened with '.'
 * (`{"val": {"acc": 0.9}}` → `val.acc`); arrays, null and booleans are refused
 * rather than guessed at. Numbers stay numbers; NaN and ±Infinity are refused
 * (a record must compare and serialise the same everywhere).
 *
 * CSV, checked against ml-git (HPInc/ml-git ml_git/file_system/local.py,
 * `__add_metrics_from_file` and `add_metrics`): ml-git reads the file with
 * Python's `csv.reader(delimiter=',')` (excel dialect: RFC 4180 quoting with
 * `""` escapes, CRLF or LF), takes row 1 as the keys and row 2 as the values,
 * zips them and stores `float(value)` for each. trove matches the header row +
 * value row layout, the delimiter and the quoting, and differs on purpose where
 * ml-git loses data silently:
 *   - a second value row is refused (ml-git ignores every row after the first),
 *     naming its line;
 *   - a header and value row of different lengths are refused (zip truncates);
 *   - a cell that is not a number is kept as a string (ml-git's float() raises);
 *     nan / inf are refused (float() accepts them);
 *   - a UTF-8 BOM (Excel's "CSV UTF-8") is skipped.
 * ml-git only accepts CSV and lets the file replace --metric; trove accepts
 * JSON and YAML too, and a --metric given on the command line overrides the
 * file's value for that key (the api merges them).
 *
 * Errors: BAD_METRICS with data {file, line (1-based, or null when unknown), reason}.
 */

/** Metric keys: letters, digits, `_ . - /`, not starting with a digit, '.', '-' or '/'. */
export const METRIC_KEY_RE = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;
/** A decimal number as people and tools write it (Python's float() syntax minus nan/inf/underscores). */
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE_TEXT = /^[+-]?(nan|inf|infinity)$/i;

export type MetricsFormat = 'json' | 'yaml' | 'csv';

/** The format for a file name by its extension, or null (the caller then asks for --format). */
export function metricsFormatFor(fileName: string): MetricsFormat | null {
  const m = /\.(json|ya?ml|csv)$/i.exec(fileName);
  if (!m) return null;
  const ext = m[1]!.toLowerCase();
  return ext === 'json' ? 'json' : ext === 'csv' ? 'csv' : 'yaml';
}

/** Parse a metrics file into `{key: value}` with keys sorted. */
export function parseMetricsFile(
  text: string,
  source: string,
  format: MetricsFormat,
  yamlParse?: (t: string) => unknown,
): Record<string, MetricValue> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  switch (format) {
    case 'csv':
      return parseCsvMetrics(text, source);
    case 'json': {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (err) {
        throw bad(source, jsonErrorLine(text, err), `it is not valid JSON (${firstLine(err)})`);
      }
      return fromDocument(doc, text, source, 'JSON');
    }
    case 'yaml': {
      if (!yamlParse) throw new TroveError('INTERNAL', 'parseMetricsFile needs a YAML parser for YAML metrics.');
      let doc: unknown;
      try {
        doc = yamlParse(text);
      } catch (err) {
        throw bad(source, yamlErrorLine(err), `it is not valid YAML (${firstLine(err)})`);
      }
      return fromDocument(doc, text, source, 'YAML');
    }
  }
}

/** `--metric accuracy=0.97` → ['accuracy', 0.97]; `--metric note=n/a` → ['note', 'n/a']. USAGE on a bad argument. */
export function parseMetricArg(arg: string): [string, MetricValue] {
  const eq = arg.indexOf('=');
  const usage = (reason: string) =>
    new TroveError('USAGE', `Invalid --metric "${arg.slice(0, 120)}": ${reason}.`, {
      hint: 'Write --metric KEY=VALUE, e.g. --metric accuracy=0.97',
      data: { arg: arg.slice(0, 120), reason },
    });
  if (eq < 0) throw usage('it has no "="');
  const key = arg.slice(0, eq);
  const text = arg.slice(eq + 1);
  if (!METRIC_KEY_RE.test(key)) throw usage(`"${key}" is not a valid metric key (letters, digits, _ . - /; not starting with a digit)`);
  if (text.trim() === '') throw usage('the value is empty');
  const v = cellValue(text);
  if (v === null) throw usage('NaN and Infinity are not allowed');
  return [key, v];
}

/** A cell's value: a finite number when it reads as one, else the text; null for nan/inf. */
function cellValue(text: string): MetricValue | null {
  const t = text.trim();
  if (NON_FINITE_TEXT.test(t)) return null;
  if (NUMBER_TEXT.test(t)) {
    const n = Number(t);
    if (!Number.isFinite(n)) return null;
    return Object.is(n, -0) ? 0 : n;
  }
  return text;
}

// ---------------------------------------------------------------- CSV

interface CsvRecord {
  readonly line: number;
  readonly cells: string[];
}

/** RFC 4180 records (quoted cells may hold commas, `""` and newlines), each with the line it starts on. */
export function parseCsv(text: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw bad(source, start, 'a quoted cell is not closed');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          cell += c;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw bad(source, line, 'text follows a closing quote');
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') throw bad(source, line, 'a quote inside an unquoted cell');
          cell += text[i];
          i++;
        }
      }
      cells.push(cell);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') {
      i++;
      line++;
    }
    // Blank lines (a trailing newline, an empty last line) are not records.
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: start, cells });
  }
  return records;
}

function parseCsvMetrics(text: string, source: string): Record<string, MetricValue> {
  const records = parseCsv(text, source);
  if (records.length === 0) throw bad(source, 1, 'the file is empty; it needs a header row and one value row');
  const [header, values, extra] = records as [CsvRecord, CsvRecord | undefined, CsvRecord | undefined];
  if (!values) throw bad(source, header.line + 1, 'there is no value row under the header row');
  if (extra) throw bad(source, extra.line, 'a second value row; a metrics CSV has a header row and exactly one value row');
  if (header.cells.length !== values.cells.length) {
    throw bad(source, values.line, `the header has ${header.cells.length} cells but the value row has ${values.cells.length}`);
  }
  const out = new Map<string, MetricValue>();
  header.cells.forEach((rawKey, col) => {
    const key = rawKey.trim();
    if (!METRIC_KEY_RE.test(key)) throw bad(source, header.line, `"${clip(key)}" is not a valid metric key`);
    if (out.has(key)) throw bad(source, header.line, `the key "${key}" appears twice`);
    const cell = values.cells[col]!;
    if (cell.trim() === '') throw bad(source, values.line, `the value of "${key}" is empty`);
    const v = cellValue(cell);
    if (v === null) throw bad(source, values.line, `the value of "${key}" is ${cell.trim()}; NaN and Infinity are not allowed`);
    out.set(key, v);
  });
  return toSortedRecord(out);
}

// ---------------------------------------------------------------- JSON / YAML

function fromDocument(doc: unknown, text: string, source: string, what: string): Record<string, MetricValue> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw bad(source, 1, `the ${what} document is not a mapping of metric names to values`);
  }
  const out = new Map<string, MetricValue>();
  const walk = (obj: object, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix + k;
      const where = () => lineOfKey(text, k);
      if (!METRIC_KEY_RE.test(key)) throw bad(source, where(), `"${clip(key)}" is not a valid metric key`);
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw bad(source, where(), `the value of "${key}" is ${v}; NaN and Infinity are not allowed`);
        if (out.has(key)) throw bad(source, where(), `the key "${key}" appears twice after flattening`);
        out.set(key, Object.is(v, -0) ? 0 : v);
      } else if (typeof v === 'string') {
        if (out.has(key)) throw bad(source, where(), `the key "${key}" appears twice after flattening`);
        out.set(key, v);
      } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        walk(v, `${key}.`);
      } else {
        const kind = v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v;
        throw bad(source, where(), `the value of "${key}" is ${kind}; a metric is a number or a string`);
      }
    }
  };
  walk(doc, '');
  return toSortedRecord(out);
}

/** Best effort: the first line where `key` appears as a mapping key, else null. */
function lineOfKey(text: string, key: string): number | null {
  const esc = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|[\\s{,])["']?${esc}["']?\\s*:`);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  return null;
}

function jsonErrorLine(text: string, err: unknown): number | null {
  const msg = err instanceof Error ? err.message : '';
  const lc = /line (\d+) column \d+/.exec(msg);
  if (lc) return Number(lc[1]);
  const pos = /position (\d+)/.exec(msg);
  if (pos) return text.slice(0, Number(pos[1])).split('\n').length;
  return null;
}

/** The `yaml` library's YAMLParseError carries linePos [{line, col}]. */
function yamlErrorLine(err: unknown): number | null {
  const lp = (err as { linePos?: { line?: unknown }[] } | null)?.linePos;
  const line = Array.isArray(lp) ? lp[0]?.line : undefined;
  return typeof line === 'number' ? line : null;
}

/**
 * A plain object with sorted keys. `__proto__` is defined, not assigned, so it
 * stays data; other keys are assigned (defineProperty on every key made
 * parsing 2,000 version records several times slower).
 */
export function toSortedRecord(m: Map<string, MetricValue>): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  const keys = [...m.keys()];
  let sorted = true;
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) sorted = false;
  if (!sorted) keys.sort();
  for (const k of keys) {
    if (k === '__proto__') Object.defineProperty(out, k, { value: m.get(k)!, enumerable: true, writable: true, configurable: true });
    else out[k] = m.get(k)!;
  }
  return out;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 160);
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function bad(file: string, line: number | null, reason: string): TroveError {
  return new TroveError('BAD_METRICS', `Metrics file ${file}${line !== null ? `, line ${line}` : ''}: ${reason}.`, {
    hint: 'A metrics file is JSON, YAML, or a CSV header row plus one value row.',
    data: { file, line, reason },
  });
}
