import { TroveError } from '../errors/index.js';
import { isValidHex, HASH_ALGORITHMS, type HashAlgorithm } from './oid.js';
import { VERSION_RECORD_FORMAT, type MetricValue, type VersionRecord } from './registryTypes.js';
import { REGISTER_TAG_RE, isValidName, isVersion } from './registryNames.js';
import { METRIC_KEY_RE, toSortedRecord } from './metricsFile.js';

/**
 * The version record (docs/formats.md "Version record"): the body of the
 * annotated tag NAME@vX.Y.Z, also committed as
 * .trove/registry/versions/NAME/vX.Y.Z.yaml. Fixed key order, one `key: value`
 * per line, valid YAML, and read by a strict line parser (no yaml library): the
 * registry reads every record on every command, so 2,000 of them must parse in
 * milliseconds.
 *
 *     trove-version: 1
 *     entity: mnist
 *     type: dataset
 *     version: v2.0.0
 *     path: dataset/handwritten/digits/mnist
 *     data-oid: sha256:<64 hex>
 *     data-kind: dir
 *     data-size: 1843200
 *     data-files: 540
 *     uses: labelsmnist@v2.0.0 mnist@v1.0.0      # optional: absent when empty
 *     metric.accuracy: 0.9746                    # optional, sorted by key
 *     metric.note: "n/a"                         # strings are JSON-quoted
 *
 * The tag message is `Register NAME vX.Y.Z`, a blank line, then the record;
 * anything after a blank line that follows the record (a note given with -m,
 * a signature) is not part of it.
 */

const FIXED_KEYS = ['trove-version', 'entity', 'type', 'version', 'path', 'data-oid', 'data-kind', 'data-size', 'data-files'] as const;
const FIXED_PREFIXES = FIXED_KEYS.map((k) => `${k}: `);
/** A path written without quotes; anything else is JSON-quoted so the line stays one YAML scalar. */
const PLAIN_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.\/-]*$/;
const NUMBER_RE = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const COUNT_RE = /^(0|[1-9]\d*)$/;

/** The record body: the lines above, each ending in \n. */
export function serializeVersionRecord(r: VersionRecord): string {
  let out =
    `trove-version: ${VERSION_RECORD_FORMAT}\n` +
    `entity: ${r.entity}\n` +
    `type: ${r.type}\n` +
    `version: ${r.version}\n` +
    `path: ${quotePath(r.path)}\n` +
    `data-oid: ${r.dataOid}\n` +
    `data-kind: ${r.dataKind}\n` +
    `data-size: ${r.dataSize}\n` +
    `data-files: ${r.dataFiles}\n`;
  if (r.uses.length > 0) out += `uses: ${[...r.uses].sort().join(' ')}\n`;
  for (const key of Object.keys(r.metrics).sort()) out += `metric.${key}: ${formatMetricValue(r.metrics[key]!)}\n`;
  return out;
}

/** The annotated tag's message: subject, blank line, record; an optional note after another blank line. */
export function versionTagMessage(r: VersionRecord, note?: string): string {
  const body = serializeVersionRecord(r);
  const extra = note && note.trim() ? `\n${note.trim()}\n` : '';
  return `Register ${r.entity} ${r.version}\n\n${body}${extra}`;
}

/** Where the committed copy of a record lives. */
export function versionRecordPath(entity: string, version: string): string {
  return `.trove/registry/versions/${entity}/${version}.yaml`;
}

/** A metric value as written in a record: canonical JSON number, or a JSON-quoted string. */
export function formatMetricValue(v: MetricValue): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TroveError('BAD_METRICS', `Metric value ${v} is not a finite number.`, { data: { value: String(v) } });
    return JSON.stringify(v);
  }
  return JSON.stringify(v);
}

function quotePath(p: string): string {
  return PLAIN_PATH.test(p) ? p : JSON.stringify(p);
}

/**
 * Parse a record from a full tag message or from the body alone (the committed
 * file). `source` names the tag or file in errors. Throws BAD_RECORD with data
 * {file: source, line (1-based in `text`), reason}, or NEWER_FORMAT when the
 * record was written by a newer trove.
 */
export function parseVersionRecord(text: string, source: string): VersionRecord {
  // One pass with indexOf, no split: every command parses every record (2,000 in a few ms).
  let pos: number;
  if (text.startsWith('trove-version:')) pos = 0;
  else {
    // Skip the subject and blank line of a tag message: the record starts at its first key.
    const k = text.indexOf('\ntrove-version:');
    if (k < 0) throw bad(source, 1, 'there is no "trove-version:" line');
    pos = k + 1;
  }
  /** the line number of the line `next()` returned last */
  let lineNo = pos === 0 ? 0 : countLines(text, pos);
  const next = (): string | null => {
    if (pos >= text.length) {
      pos = text.length + 1;
      lineNo++;
      return null;
    }
    let e = text.indexOf('\n', pos);
    if (e < 0) e = text.length;
    const end = e > pos && text.charCodeAt(e - 1) === 13 ? e - 1 : e;
    const line = text.slice(pos, end);
    pos = e + 1;
    lineNo++;
    return line;
  };
  const fixed: string[] = new Array<string>(FIXED_PREFIXES.length);
  for (let f = 0; f < FIXED_PREFIXES.length; f++) {
    const raw = next();
    const prefix = FIXED_PREFIXES[f]!;
    if (raw === null || !raw.startsWith(prefix)) {
      throw bad(source, lineNo, raw ? `expected "${FIXED_KEYS[f]}:" but found "${clip(raw)}"` : `"${FIXED_KEYS[f]}:" is missing`);
    }
    fixed[f] = raw.slice(prefix.length);
  }
  const [formatText, entity, type, version, pathText, dataOid, dataKind, sizeText, filesText] = fixed as [string, string, string, string, string, string, string, string, string];
  const first = lineNo - FIXED_KEYS.length + 1; // line of trove-version
  if (!COUNT_RE.test(formatText) || Number(formatText) < 1) throw bad(source, first, `"trove-version" must be a positive integer, not "${clip(formatText)}"`);
  if (Number(formatText) > VERSION_RECORD_FORMAT) {
    throw new TroveError('NEWER_FORMAT', `The version record ${source} has format ${formatText}; this trove reads up to ${VERSION_RECORD_FORMAT}.`, {
      hint: 'Upgrade trove to read it.',
      data: { file: source, line: first, format: Number(formatText) },
    });
  }
  if (!isValidName(entity)) throw bad(source, first + 1, `"${clip(entity)}" is not a valid entity name`);
  if (!isValidName(type)) throw bad(source, first + 2, `"${clip(type)}" is not a valid type name`);
  if (!isVersion(version)) throw bad(source, first + 3, `"${clip(version)}" is not a version (vMAJOR.MINOR.PATCH)`);
  const path = parsePath(pathText, source, first + 4);
  if (!validOid(dataOid)) throw bad(source, first + 5, `"${clip(dataOid)}" is not an object id (sha256:<64 hex>)`);
  if (dataKind !== 'file' && dataKind !== 'dir') throw bad(source, first + 6, `data-kind must be file or dir, not "${clip(dataKind)}"`);
  const dataSize = parseCount(sizeText, source, first + 7, 'data-size');
  const dataFiles = parseCount(filesText, source, first + 8, 'data-files');

  let uses: string[] = [];
  const metrics = new Map<string, MetricValue>();
  let line = next();
  if (line !== null && line.startsWith('uses:')) {
    uses = parseUses(line.slice(5), source, lineNo);
    line = next();
  }
  // Metric lines run until a blank line (a note or signature may follow) or the end.
  for (; line !== null && line !== ''; line = next()) {
    if (!line.startsWith('metric.')) {
      throw bad(source, lineNo, line.includes(':') && !line.startsWith('uses:') ? `unknown key "${clip(line.slice(0, line.indexOf(':')))}"` : `unexpected line "${clip(line)}"`);
    }
    const colon = line.indexOf(': ');
    if (colon < 0) throw bad(source, lineNo, `expected "metric.KEY: VALUE", found "${clip(line)}"`);
    const key = line.slice(7, colon);
    if (!METRIC_KEY_RE.test(key)) throw bad(source, lineNo, `"${clip(key)}" is not a valid metric key`);
    if (metrics.has(key)) throw bad(source, lineNo, `metric "${key}" is given twice`);
    metrics.set(key, parseMetricValue(line.slice(colon + 2), source, lineNo));
  }
  return {
    format: Number(formatText),
    entity,
    type,
    version,
    path,
    dataOid,
    dataKind,
    dataSize,
    dataFiles,
    uses,
    metrics: toSortedRecord(metrics),
  };
}

/** 1 + the number of newlines before `pos`: the line `pos` starts, minus one (next() adds it). */
function countLines(text: string, pos: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function parsePath(text: string, source: string, line: number): string {
  let p = text;
  if (text.startsWith('"')) {
    try {
      p = JSON.parse(text) as string;
    } catch {
      throw bad(source, line, 'the quoted path does not parse');
    }
    if (typeof p !== 'string') throw bad(source, line, 'the path is not a string');
  } else if (!PLAIN_PATH.test(text)) {
    throw bad(source, line, `the path "${clip(text)}" must be JSON-quoted`);
  }
  if (p === '') throw bad(source, line, 'the path is empty');
  return p;
}

function parseUses(text: string, source: string, line: number): string[] {
  const out = text.split(' ').filter((s) => s !== '');
  let sorted = true;
  for (let k = 0; k < out.length; k++) {
    const t = out[k]!;
    if (!REGISTER_TAG_RE.test(t)) throw bad(source, line, `"${clip(t)}" in uses is not a version tag (NAME@vX.Y.Z)`);
    if (k > 0 && out[k - 1]! >= t) sorted = false;
  }
  if (!sorted) {
    out.sort();
    for (let k = 1; k < out.length; k++) if (out[k - 1] === out[k]) throw bad(source, line, 'uses lists a version twice');
  }
  return out;
}

function parseMetricValue(text: string, source: string, line: number): MetricValue {
  if (text.startsWith('"')) {
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v === 'string') return v;
    } catch {
      /* fall through */
    }
    throw bad(source, line, 'the quoted metric value does not parse');
  }
  if (!NUMBER_RE.test(text)) throw bad(source, line, `metric value "${clip(text)}" is neither a number nor a quoted string`);
  const n = Number(text);
  if (!Number.isFinite(n)) throw bad(source, line, `metric value "${clip(text)}" is not finite`);
  return n;
}

function parseCount(text: string, source: string, line: number, key: string): number {
  if (!COUNT_RE.test(text) || !Number.isSafeInteger(Number(text))) throw bad(source, line, `${key} must be a non-negative integer, not "${clip(text)}"`);
  return Number(text);
}

function validOid(text: string): boolean {
  const colon = text.indexOf(':');
  if (colon < 0) return false;
  const algo = text.slice(0, colon) as HashAlgorithm;
  return HASH_ALGORITHMS.includes(algo) && isValidHex(algo, text.slice(colon + 1));
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function bad(file: string, line: number, reason: string): TroveError {
  return new TroveError('BAD_RECORD', `Version record ${file}, line ${line}: ${reason}.`, {
    hint: `Recreate the record with \`trove version\`, or fix ${file} by hand.`,
    data: { file, line, reason },
  });
}
