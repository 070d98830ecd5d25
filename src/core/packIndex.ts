import { TroveError } from '../errors/index.js';

/**
 * The index of one remote pack (remote layout 1, docs/formats.md):
 *
 *     trove-pack 1 sha256
 *     o <object hex> <offset> <length>
 *     f <file hex> <offset> <length> <sha256 of these bytes>
 *     …
 *
 * `o` is a store object (whole small file, chunk or manifest page; its bytes
 * hash to its hex); `f` is the chunk list of a large file, named by the file's
 * hash, so the index carries the hash of the list's own bytes. Entries are in
 * pack order and tile the pack from offset 0 without gaps. The pack and index
 * are named by the sha256 of the index text, so an index verifies itself and
 * two clones that pack the same objects produce the same names.
 */
export const PACK_FORMAT = 1;
const HEADER = `trove-pack ${PACK_FORMAT} sha256`;

export type PackEntryKind = 'o' | 'f';

export interface PackEntry {
  readonly kind: PackEntryKind;
  readonly hex: string;
  readonly offset: number;
  readonly length: number;
  /** sha256 of the entry's bytes (equals hex for 'o') */
  readonly digest: string;
}

export function serializePackIndex(entries: readonly Omit<PackEntry, 'offset'>[]): { text: string; entries: PackEntry[]; size: number } {
  let offset = 0;
  const out: PackEntry[] = [];
  const lines = [HEADER];
  for (const e of entries) {
    out.push({ ...e, offset });
    lines.push(e.kind === 'o' ? `o ${e.hex} ${offset} ${e.length}` : `f ${e.hex} ${offset} ${e.length} ${e.digest}`);
    offset += e.length;
  }
  return { text: lines.join('\n') + '\n', entries: out, size: offset };
}

const HEX = /^[0-9a-f]{64}$/;
const INT = /^(0|[1-9][0-9]{0,15})$/;

/** Parse an index read from a remote (untrusted): every field is checked. */
export function parsePackIndex(text: string, source: string): { entries: PackEntry[]; size: number } {
  const bad = (why: string): never => {
    throw new TroveError('BAD_MANIFEST', `The remote pack index ${source} is invalid: ${why}.`, { hint: 'Run trove fsck -r REMOTE; a push from a clone that has the data rewrites it.', data: { source } });
  };
  const lines = text.split('\n');
  const v = /^trove-pack ([1-9][0-9]*) /.exec(lines[0] ?? '');
  if (v && Number(v[1]) > PACK_FORMAT) {
    throw new TroveError('NEWER_FORMAT', `The remote pack index ${source} has format version ${v[1]}, newer than this trove understands (${PACK_FORMAT}).`, { hint: 'Upgrade trove (npm install -g trove@latest).' });
  }
  if (lines[0] !== HEADER) bad('unknown header');
  if (lines[lines.length - 1] !== '') bad('it is truncated');
  const entries: PackEntry[] = [];
  let offset = 0;
  for (let i = 1; i < lines.length - 1; i++) {
    const f = lines[i]!.split(' ');
    const kind = f[0];
    if (!((kind === 'o' && f.length === 4) || (kind === 'f' && f.length === 5))) bad(`line ${i + 1} is malformed`);
    if (!HEX.test(f[1]!) || !INT.test(f[2]!) || !INT.test(f[3]!) || (kind === 'f' && !HEX.test(f[4]!))) bad(`line ${i + 1} is malformed`);
    const at = Number(f[2]);
    const length = Number(f[3]);
    if (at !== offset) bad(`line ${i + 1} does not follow the previous entry`);
    entries.push({ kind: kind as PackEntryKind, hex: f[1]!, offset: at, length, digest: kind === 'o' ? f[1]! : f[4]! });
    offset += length;
  }
  return { entries, size: offset };
}
