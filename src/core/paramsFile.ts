import { TroveError } from '../errors/index.js';

/**
 * Params files (`trove params diff`, issue 15; DVC's `params diff`): YAML, JSON
 * or TOML documents flattened to `{dotted.key: leaf}`.
 *
 * - Nested mappings become dotted paths (`train: {lr: 0.1}` → `train.lr`);
 *   list items are indexed (`layers: [64, 32]` → `layers.0`, `layers.1`), so a
 *   change to one item shows as that item, not as a whole new list.
 * - Leaves keep their type: number, string, boolean, null. An empty mapping or
 *   list is a leaf of its own (`{}` / `[]`), so it is not lost.
 * - NaN and ±Infinity (YAML `.nan`, TOML `inf`) are kept as
 *   `{"$float": "NaN" | "Infinity" | "-Infinity"}` (the issue-15 contract for
 *   floats JSON cannot hold). TOML dates and times become their TOML text.
 * - Two paths that flatten to the same key (`a.b: 1` beside `a: {b: 2}`) are
 *   refused, naming the key: silently keeping one would hide a change.
 *
 * The YAML and TOML parsers are injected (core stays free of libraries and I/O).
 * Errors: BAD_PARAMS with data {file, rev, line (1-based or null), reason}.
 */

export type FloatMarker = { readonly $float: 'NaN' | 'Infinity' | '-Infinity' };
export type ParamValue = string | number | boolean | null | FloatMarker | readonly [] | Readonly<Record<string, never>>;
export type ParamsFormat = 'yaml' | 'json' | 'toml';

export interface ParamsParsers {
  readonly yaml: (text: string) => unknown;
  readonly toml: (text: string) => unknown;
}

/** The format of a params file by its extension, or null. */
export function paramsFormatFor(fileName: string): ParamsFormat | null {
  const m = /\.(json|ya?ml|toml)$/i.exec(fileName);
  if (!m) return null;
  const ext = m[1]!.toLowerCase();
  return ext === 'json' ? 'json' : ext === 'toml' ? 'toml' : 'yaml';
}

/** `where` names the file in errors: `{file, rev}` (rev null = the work tree). */
export interface FileAt {
  readonly file: string;
  readonly rev: string | null;
}

/** Parse a params file and flatten it (keys sorted). */
export function parseParamsFile(text: string, at: FileAt, format: ParamsFormat, parsers: ParamsParsers): Record<string, ParamValue> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  try {
    doc = format === 'json' ? JSON.parse(text) : format === 'toml' ? parsers.toml(text) : parsers.yaml(text);
  } catch (err) {
    throw badParams(at, errorLine(text, err), `it is not valid ${format.toUpperCase()} (${firstLine(err)})`);
  }
  // An empty YAML file is an empty set of params, not an error.
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw badParams(at, 1, `the ${format.toUpperCase()} document is not a mapping of names to values`);
  return flattenParams(doc as Record<string, unknown>, at);
}

/** `{train: {lr: 0.1}, layers: [64]}` → `{'layers.0': 64, 'train.lr': 0.1}`. */
export function flattenParams(doc: Readonly<Record<string, unknown>>, at: FileAt = { file: '(params)', rev: null }): Record<string, ParamValue> {
  const out = new Map<string, ParamValue>();
  const put = (key: string, v: ParamValue): void => {
    if (out.has(key)) throw badParams(at, null, `the key "${clip(key)}" appears twice after flattening nested keys with "."`);
    out.set(key, v);
  };
  const walk = (v: unknown, key: string): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return put(key, v);
    if (typeof v === 'number') return put(key, Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : floatMarker(v));
    if (typeof v === 'bigint') return put(key, Number.isSafeInteger(Number(v)) ? Number(v) : v.toString());
    if (v instanceof Date) return put(key, dateText(v));
    if (Array.isArray(v)) {
      if (v.length === 0) return put(key, []);
      v.forEach((item, i) => walk(item, key === '' ? String(i) : `${key}.${i}`));
      return;
    }
    if (typeof v === 'object') {
      const entries = Object.entries(v as object);
      if (entries.length === 0) return put(key, {});
      for (const [k, x] of entries) walk(x, key === '' ? k : `${key}.${k}`);
      return;
    }
    throw badParams(at, null, `the value of "${clip(key)}" is a ${typeof v}`);
  };
  for (const [k, v] of Object.entries(doc)) walk(v, k);
  const sorted: Record<string, ParamValue> = {};
  for (const k of [...out.keys()].sort()) Object.defineProperty(sorted, k, { value: out.get(k)!, enumerable: true, writable: true, configurable: true });
  return sorted;
}

export function floatMarker(n: number): FloatMarker {
  return { $float: Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity' };
}

/** Two leaves are the same when their JSON is (NaN equals NaN here, as a param). */
export function sameParam(a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** How a leaf is shown in a table: strings as they are, everything else as JSON (`true`, `null`, `[]`, NaN). */
export function paramText(v: ParamValue | undefined): string {
  if (v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && '$float' in v) return (v as FloatMarker).$float;
  return JSON.stringify(v);
}

/** smol-toml's TomlDate.toISOString() keeps a local date a date (`1979-05-27`) and a local time a time; a plain Date gives its ISO form. */
function dateText(d: Date): string {
  try {
    return d.toISOString();
  } catch {
    // toISOString throws on an invalid date: show its String() form ('Invalid Date') instead
    return String(d);
  }
}

function errorLine(text: string, err: unknown): number | null {
  const e = err as { linePos?: { line?: unknown }[]; line?: unknown; message?: unknown } | null;
  const lp = Array.isArray(e?.linePos) ? e!.linePos[0]?.line : undefined;
  if (typeof lp === 'number') return lp;
  if (typeof e?.line === 'number') return e.line; // smol-toml's TomlError
  const msg = typeof e?.message === 'string' ? e.message : '';
  const lc = /line (\d+)/.exec(msg);
  if (lc) return Number(lc[1]);
  const pos = /position (\d+)/.exec(msg);
  if (pos) return text.slice(0, Number(pos[1])).split('\n').length;
  return null;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 160);
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function revText(rev: string | null): string {
  return rev === null ? 'the work tree' : `revision ${rev}`;
}

export function badParams(at: FileAt, line: number | null, reason: string): TroveError {
  return new TroveError('BAD_PARAMS', `Params file ${at.file}${line !== null ? `, line ${line}` : ''}, in ${revText(at.rev)}: ${reason}.`, {
    hint: at.rev === null ? `Fix ${at.file}, then run the command again.` : `Compare other revisions, or fix the file in a new commit (git show ${at.rev}:${at.file} prints it).`,
    data: { file: at.file, rev: at.rev, line, reason },
  });
}
