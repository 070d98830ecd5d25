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
 * As in git-lfs, the size is checked before parsing so a large file that merely
 * ends in `.trove` is rejected quickly, and an unknown newer version is a clear
 * error rather than a guess.
 */
export const POINTER_VERSION = 1;
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
}

export function createPointer(p: Omit<Pointer, 'version'>): Pointer {
  return { version: POINTER_VERSION, ...p };
}

export function serializePointer(p: Pointer): string {
  const lines = [`trove: ${POINTER_VERSION}`, `kind: ${p.kind}`, `oid: ${formatOid(p.oid)}`, `size: ${p.size}`];
  if (p.kind === 'dir') lines.push(`files: ${p.files ?? 0}`);
  if (p.kind === 'file' && p.executable) lines.push('mode: 755');
  return lines.join('\n') + '\n';
}

/** Parse pointer text; `source` names the file in errors. Throws BAD_POINTER. */
export function parsePointer(text: string | Buffer, source: string): Pointer {
  const bad = (why: string, hint = `Restore it from Git (git checkout -- ${source}) or re-add the data with trove add.`): never => {
    throw new TroveError('BAD_POINTER', `Pointer file ${source} is invalid: ${why}.`, { hint, data: { file: source } });
  };
  if (text.length > POINTER_MAX_BYTES) bad(`it is larger than ${POINTER_MAX_BYTES} bytes`);
  const str = typeof text === 'string' ? text : text.toString('utf8');
  if (str.includes('\0')) bad('it contains a NUL byte');
  const lines = str.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const fields: [string, string][] = [];
  for (const line of lines) {
    const m = /^([a-z]+): (.*)$/.exec(line);
    if (!m) bad(`line "${line.slice(0, 60)}" is not "key: value"`);
    fields.push([m![1]!, m![2]!]);
  }
  const take = (key: string): string => {
    const f = fields.shift();
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
  if (fields.length > 0) bad(`unexpected key "${fields[0]![0]}"`);
  return { version, kind: kind as PointerKind, oid, size, ...(files !== undefined ? { files } : {}), ...(executable ? { executable } : {}) };
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
