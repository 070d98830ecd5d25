import { TroveError } from '../errors/index.js';
import { formatOid, parseOid, type Oid } from './oid.js';

/**
 * The pointer file committed to Git in place of the data (`PATH.trove`).
 *
 * Format v1, fixed key order, one `key: value` per line (also valid YAML so
 * people and tools can read it):
 *
 *     trove: 1
 *     kind: file            # or dir
 *     oid: sha256:<hex>     # file: sha256 of the content; dir: id of the root manifest
 *     size: 1234            # bytes; for a dir the sum of its files
 *     files: 12             # dir only: number of entries (files and symlinks)
 *     mode: 755             # file only, optional: executable
 *
 * Format v2 is v1 plus a `source` block recording where imported data came
 * from (`trove import`); strings are JSON-quoted so any URL or path stays one
 * line and the text stays valid YAML:
 *
 *     source:
 *       url: "https://example.com/org/datasets.git"
 *       path: "data/images"
 *       rev: "main"                  # optional: the revision asked for
 *       remote: "storage"            # optional: the -r given at import
 *       commit: 0123…                # the commit it resolved to
 *
 * A pointer is written in the lowest version that can express it, so a
 * pointer without a source stays v1 byte for byte and older troves keep
 * reading it; an older trove shown a v2 pointer says "upgrade" instead of
 * guessing.
 *
 * As in git-lfs, the size is checked before parsing so a large file that merely
 * ends in `.trove` is rejected quickly, and an unknown newer version is a clear
 * error rather than a guess.
 */
/** the newest pointer version this trove reads and writes */
export const POINTER_VERSION = 2;
/** the version that introduced the source block */
export const POINTER_SOURCE_VERSION = 2;
export const POINTER_SUFFIX = '.trove';
export const POINTER_MAX_BYTES = 1024;

export type PointerKind = 'file' | 'dir';

export interface Pointer {
  readonly version: number;
  readonly kind: PointerKind;
  readonly oid: Oid;
  readonly size: number;
  /** dir only */
  readonly files?: number;
  /** file only: true when the file is executable */
  readonly executable?: boolean;
  /** where imported data came from (v2) */
  readonly source?: PointerSource;
}

/** The origin of imported data: another Git repository, a path in it, and the commit it resolved to. */
export interface PointerSource {
  /** the other repository's Git URL (a local path is stored absolute) */
  readonly url: string;
  /** the path in that repository (a tracked artifact or a file or folder inside one) */
  readonly path: string;
  /** the revision asked for (branch, tag, commit); absent: that repository's default branch */
  readonly rev?: string;
  /** the remote given with -r at import (a name in that repository's config, or a URL); absent: its default remote */
  readonly remote?: string;
  /** full commit id the revision resolved to */
  readonly commit: string;
}

const SOURCE_KEYS = ['url', 'path', 'rev', 'remote', 'commit'] as const;
const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** A pointer in the lowest format version that can express it (a `version` in `p` is ignored). */
export function createPointer(p: Omit<Pointer, 'version'> & { version?: number }): Pointer {
  return { ...p, version: p.source ? POINTER_SOURCE_VERSION : 1 };
}

export function serializePointer(p: Pointer): string {
  const lines = [`trove: ${p.source ? POINTER_SOURCE_VERSION : 1}`, `kind: ${p.kind}`, `oid: ${formatOid(p.oid)}`, `size: ${p.size}`];
  if (p.kind === 'dir') lines.push(`files: ${p.files ?? 0}`);
  if (p.kind === 'file' && p.executable) lines.push('mode: 755');
  if (p.source) {
    lines.push('source:', `  url: ${JSON.stringify(p.source.url)}`, `  path: ${JSON.stringify(p.source.path)}`);
    if (p.source.rev !== undefined) lines.push(`  rev: ${JSON.stringify(p.source.rev)}`);
    if (p.source.remote !== undefined) lines.push(`  remote: ${JSON.stringify(p.source.remote)}`);
    lines.push(`  commit: ${p.source.commit}`);
  }
  return lines.join('\n') + '\n';
}

/** Parse pointer text; `source` names the file in errors. Throws BAD_POINTER. */
export function parsePointer(text: string | Buffer, source: string): Pointer {
  // The line being read, so an edited pointer is reported where it went wrong (1-based; 0 = the file as a whole).
  let at = 0;
  const bad = (why: string, hint = `Restore it from Git (git checkout -- ${source}) or re-add the data with trove add.`): never => {
    throw new TroveError('BAD_POINTER', `Pointer file ${source} is invalid: ${at ? `line ${at}: ` : ''}${why}.`, { hint, data: { file: source, ...(at ? { line: at } : {}) } });
  };
  if (text.length > POINTER_MAX_BYTES) bad(`it is larger than ${POINTER_MAX_BYTES} bytes`);
  const str = typeof text === 'string' ? text : text.toString('utf8');
  if (str.includes('\0')) bad('it contains a NUL byte');
  const lines = str.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const fields: [string, string, number][] = [];
  const sourceAt = lines.indexOf('source:');
  const sourceLines = sourceAt < 0 ? [] : lines.splice(sourceAt);
  for (const [i, line] of lines.entries()) {
    const m = /^([a-z]+): (.*)$/.exec(line);
    at = i + 1;
    if (!m) bad(`"${line.slice(0, 60)}" is not "key: value"`);
    fields.push([m![1]!, m![2]!, i + 1]);
  }
  at = 0;
  const take = (key: string): string => {
    const f = fields.shift();
    at = f ? f[2] : lines.length + 1;
    if (!f || f[0] !== key) bad(`expected "${key}" ${f ? `but found "${f[0]}"` : 'but the file ended'}`);
    return f![1];
  };
  const versionText = take('trove');
  if (!/^[1-9][0-9]{0,5}$/.test(versionText)) bad('the format version is not a positive integer');
  const version = Number(versionText);
  if (version > POINTER_VERSION) {
    bad(`it has format version ${version}, newer than this trove understands (${POINTER_VERSION})`, 'Upgrade trove (npm install -g trove@latest).');
  }
  const kind = take('kind');
  if (kind !== 'file' && kind !== 'dir') bad(`kind "${kind}" is neither file nor dir`);
  let oid: Oid;
  try {
    oid = parseOid(take('oid'), 'oid');
  } catch (err) {
    return bad((err as Error).message.replace(/\.$/, ''));
  }
  const size = parseCount(take('size')) ?? bad('size is not a non-negative integer');
  let files: number | undefined;
  let executable: boolean | undefined;
  if (kind === 'dir') files = parseCount(take('files')) ?? bad('files is not a non-negative integer');
  if (kind === 'file' && fields[0]?.[0] === 'mode') {
    if (take('mode') !== '755') bad('mode must be 755');
    executable = true;
  }
  at = fields[0]?.[2] ?? 0;
  if (fields.length > 0) bad(`unexpected key "${fields[0]![0]}"`);
  at = 0;
  // One text per pointer: v2 means "has a source block", so parse and serialize round-trip byte for byte.
  if (sourceLines.length > 0 && version < POINTER_SOURCE_VERSION) bad(`a source block needs format version ${POINTER_SOURCE_VERSION}, but it says ${version}`);
  if (sourceLines.length === 0 && version >= POINTER_SOURCE_VERSION) bad(`format version ${version} requires a source block`);
  const origin = sourceLines.length > 0 ? parseSource(sourceLines.slice(1), bad) : undefined;
  return { version, kind: kind as PointerKind, oid, size, ...(files !== undefined ? { files } : {}), ...(executable ? { executable } : {}), ...(origin ? { source: origin } : {}) };
}

/** The indented lines after `source:`: keys in SOURCE_KEYS order, strings as JSON, the commit as bare hex. */
function parseSource(lines: readonly string[], bad: (why: string) => never): PointerSource {
  const values: Record<string, string> = {};
  let next = 0;
  for (const line of lines) {
    const m = /^  ([a-z]+): (.+)$/.exec(line);
    if (!m) bad(`source line "${line.slice(0, 60)}" is not "  key: value"`);
    const [, key, raw] = m!;
    const at = SOURCE_KEYS.indexOf(key as (typeof SOURCE_KEYS)[number], next);
    if (at < 0) bad(`unexpected or misplaced source key "${key}"`);
    next = at + 1;
    if (key === 'commit') {
      if (!COMMIT.test(raw!)) bad('source commit is not a full commit id');
      values.commit = raw!;
      continue;
    }
    let v: unknown;
    try {
      v = JSON.parse(raw!);
    } catch {
      // not JSON: the check below reports it as not a quoted string
      v = undefined;
    }
    if (typeof v !== 'string' || v === '' || !raw!.startsWith('"')) bad(`source ${key} is not a quoted non-empty string`);
    values[key!] = v as string;
  }
  for (const key of ['url', 'path', 'commit']) if (values[key] === undefined) bad(`the source block has no ${key}`);
  return { url: values.url!, path: values.path!, ...(values.rev !== undefined ? { rev: values.rev } : {}), ...(values.remote !== undefined ? { remote: values.remote } : {}), commit: values.commit! };
}

function parseCount(s: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function isPointerPath(path: string): boolean {
  return path.endsWith(POINTER_SUFFIX) && path.length > POINTER_SUFFIX.length;
}

export function pointerPathFor(dataPath: string): string {
  return dataPath + POINTER_SUFFIX;
}

export function dataPathFor(pointerPath: string): string {
  return pointerPath.slice(0, -POINTER_SUFFIX.length);
}
