import { createHash } from 'node:crypto';
import { TroveError } from '../errors/index.js';
import type { PackEntry, PackEntryKind } from './packIndex.js';

/**
 * The cached binary form of one remote pack index (`<name>.ridx` in the
 * store's remote cache, docs/formats.md "Cached remote pack index"). A remote
 * `.idx` is text, ~140 bytes an entry, in pack order: looking one object up
 * means parsing all of it. This form is sorted by object, so a lookup reads
 * one fan-out bucket (N/256 records) with a single pread and bisects it in
 * memory; a remote with a million objects costs 1 KiB of fan-out per pack in
 * memory instead of a Map of a million entries. Big-endian:
 *
 *     "TROVERIX" · u32 version=1 · u32 N · u32 F · u64 pack size · 32 B pack name
 *     fan-out: 256 × u32, records whose oid's first byte ≤ b
 *     N records of 49 B sorted by (oid, kind o<f):
 *         32 B oid · u8 kind (0 o, 1 f) · u64 offset · u32 length · u32 digest slot (0xffffffff for o)
 *     F × 32 B digests of the f entries' bytes, by slot
 *     32 B sha256 of everything above
 *
 * The pack name is the sha256 of the text index it was converted from, so a
 * cached file names what it stands for; the trailer catches a torn or rotted
 * cache file (then it is rebuilt from the remote).
 */
export const REMOTE_PACK_INDEX_FILE_VERSION = 1;
export const RIDX_MAGIC = 'TROVERIX';
export const RIDX_HEADER = 8 + 4 + 4 + 4 + 8 + 32;
export const RIDX_FANOUT = 256 * 4;
export const RIDX_RECORD = 32 + 1 + 8 + 4 + 4;
const NO_DIGEST = 0xffffffff;

/** Byte size of a file holding `n` records, `f` of them chunk lists. */
export function ridxSize(n: number, f: number): number {
  return RIDX_HEADER + RIDX_FANOUT + n * RIDX_RECORD + f * 32 + 32;
}

/** Encode a parsed (and so already verified) remote index. A (kind, oid) listed twice keeps its first entry. */
export function encodeRemotePackIndex(name: string, entries: readonly PackEntry[], packSize: number): Buffer {
  const sorted = entries
    .map((e, i) => ({ e, i, key: Buffer.from(e.hex, 'hex') }))
    .sort((a, b) => a.key.compare(b.key) || kindByte(a.e.kind) - kindByte(b.e.kind) || a.i - b.i)
    .filter((x, i, all) => i === 0 || !(all[i - 1]!.key.equals(x.key) && all[i - 1]!.e.kind === x.e.kind));
  const f = sorted.filter((x) => x.e.kind === 'f').length;
  const out = Buffer.alloc(ridxSize(sorted.length, f));
  out.write(RIDX_MAGIC, 0, 'latin1');
  out.writeUInt32BE(REMOTE_PACK_INDEX_FILE_VERSION, 8);
  out.writeUInt32BE(sorted.length, 12);
  out.writeUInt32BE(f, 16);
  out.writeBigUInt64BE(BigInt(packSize), 20);
  out.write(name, 28, 'hex');
  const fan = new Uint32Array(256);
  for (const x of sorted) fan[x.key[0]!]!++;
  let acc = 0;
  for (let b = 0; b < 256; b++) out.writeUInt32BE((acc += fan[b]!), RIDX_HEADER + b * 4);
  let at = RIDX_HEADER + RIDX_FANOUT;
  const digestsAt = at + sorted.length * RIDX_RECORD;
  let slot = 0;
  for (const { e, key } of sorted) {
    key.copy(out, at);
    out[at + 32] = kindByte(e.kind);
    out.writeBigUInt64BE(BigInt(e.offset), at + 33);
    out.writeUInt32BE(e.length, at + 41);
    if (e.kind === 'f') {
      out.writeUInt32BE(slot, at + 45);
      out.write(e.digest, digestsAt + slot * 32, 'hex');
      slot++;
    } else out.writeUInt32BE(NO_DIGEST, at + 45);
    at += RIDX_RECORD;
  }
  createHash('sha256').update(out.subarray(0, out.length - 32)).digest().copy(out, out.length - 32);
  return out;
}

export interface RemotePackIndexHeader {
  readonly name: string;
  readonly count: number;
  readonly lists: number;
  readonly packSize: number;
  /** cumulative record counts by first oid byte */
  readonly fanout: Uint32Array;
}

/**
 * Check the header and fan-out of a cached index (the first RIDX_HEADER +
 * RIDX_FANOUT bytes) against its name and file size. The trailer is the
 * caller's to check (it hashes the whole file, streaming).
 */
export function parseRemotePackIndexHeader(head: Buffer, fileSize: number, source: string): RemotePackIndexHeader {
  const bad = (why: string): never => {
    throw new TroveError('BAD_MANIFEST', `The cached remote pack index ${source} is invalid: ${why}.`, { hint: 'It is rebuilt from the remote; delete it if this persists.', data: { source } });
  };
  if (head.length < RIDX_HEADER + RIDX_FANOUT) bad('it is truncated');
  if (head.toString('latin1', 0, 8) !== RIDX_MAGIC) bad('bad magic');
  const version = head.readUInt32BE(8);
  if (version > REMOTE_PACK_INDEX_FILE_VERSION) {
    throw new TroveError('NEWER_FORMAT', `The cached remote pack index ${source} has format version ${version}, newer than this trove understands (${REMOTE_PACK_INDEX_FILE_VERSION}).`, { hint: 'Upgrade trove (npm install -g trove@latest).' });
  }
  if (version !== REMOTE_PACK_INDEX_FILE_VERSION) bad(`unknown version ${version}`);
  const count = head.readUInt32BE(12);
  const lists = head.readUInt32BE(16);
  const packSize = Number(head.readBigUInt64BE(20));
  if (!Number.isSafeInteger(packSize)) bad('the pack size is out of range');
  if (lists > count || ridxSize(count, lists) !== fileSize) bad('its size does not match its header');
  const fanout = new Uint32Array(256);
  let prev = 0;
  for (let b = 0; b < 256; b++) {
    const v = head.readUInt32BE(RIDX_HEADER + b * 4);
    if (v < prev) bad('the fan-out is not monotonic');
    fanout[b] = prev = v;
  }
  if (prev !== count) bad('the fan-out does not count every record');
  return { name: head.toString('hex', 28, 60), count, lists, packSize, fanout };
}

/** One decoded record. `digestSlot` is resolved by the caller for f entries (their digests sit after the records). */
export interface RidxRecord {
  readonly kind: PackEntryKind;
  readonly hex: string;
  readonly offset: number;
  readonly length: number;
  readonly digestSlot: number;
}

export function decodeRecord(buf: Buffer, at: number): RidxRecord {
  return {
    hex: buf.toString('hex', at, at + 32),
    kind: buf[at + 32] === 1 ? 'f' : 'o',
    offset: Number(buf.readBigUInt64BE(at + 33)),
    length: buf.readUInt32BE(at + 41),
    digestSlot: buf.readUInt32BE(at + 45),
  };
}

/**
 * Bisect `records` (a run of sorted records, as read from one fan-out bucket)
 * for (kind, oid); the record's offset in `records`, or -1.
 */
export function findRecord(records: Buffer, key: Buffer, kind: PackEntryKind): number {
  const k = kindByte(kind);
  let lo = 0;
  let hi = records.length / RIDX_RECORD;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = mid * RIDX_RECORD;
    const c = records.compare(key, 0, 32, at, at + 32) || records[at + 32]! - k;
    if (c === 0) return at;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

export function kindByte(kind: PackEntryKind): number {
  return kind === 'f' ? 1 : 0;
}
