import { createHash } from 'node:crypto';
import { TroveError } from '../errors/index.js';
import type { PackEntryKind } from './packIndex.js';

/**
 * The binary index of a local pack (`<store>/packs/<name>.tidx`, version 1,
 * docs/formats.md "Local pack index"). Big-endian:
 *
 *     "TROVEIDX" · u32 version=1 · u32 N · u64 pack size · 32 B pack sha256
 *     fan-out 256 × u32        (count of entries whose oid's first byte ≤ i)
 *     N × 32 B oids            sorted by (oid, kind), strictly
 *     N × u64 offsets · N × u32 lengths · N × u8 kinds ('o' or 'f')
 *     F × (u32 entry index + 32 B sha256 of the list bytes), for the N's 'f' entries in index order
 *     32 B sha256 of everything above
 *
 * Readers keep the fixed 1,080-byte head (header + fan-out) per pack and
 * `pread` one fan-out bucket of oids, then that entry's offset, length and
 * kind: a lookup reads ~3.5 KB at 28k entries, never the whole index. The
 * pack itself is the remote pack format (core/packIndex.ts): entries tile it
 * from offset 0, so the text index (and the pack's name) can be regenerated
 * from this one.
 */
export const LOCAL_PACK_INDEX_VERSION = 1;
export const TIDX_MAGIC = 'TROVEIDX';
/** magic, version, N, pack size, pack sha256 */
export const TIDX_HEADER_BYTES = 8 + 4 + 4 + 8 + 32;
export const TIDX_FANOUT_BYTES = 256 * 4;
/** What a reader keeps per pack: header and fan-out. */
export const TIDX_HEAD_BYTES = TIDX_HEADER_BYTES + TIDX_FANOUT_BYTES;
const OID_BYTES = 32;
const F_RECORD_BYTES = 4 + 32;
const TRAILER_BYTES = 32;

export interface LocalPackEntry {
  readonly kind: PackEntryKind;
  readonly hex: string;
  readonly offset: number;
  readonly length: number;
  /** sha256 of the entry's bytes (equals hex for 'o') */
  readonly digest: string;
}

export interface LocalPackIndex {
  readonly packSize: number;
  /** sha256 of the whole pack file */
  readonly packSha256: string;
  /** sorted by (hex, kind) */
  readonly entries: LocalPackEntry[];
}

/** Where each section of an index of `count` entries (of which `lists` are 'f') starts. */
export function tidxSections(count: number, lists: number): { oids: number; offsets: number; lengths: number; kinds: number; lists: number; trailer: number; size: number } {
  const oids = TIDX_HEAD_BYTES;
  const offsets = oids + count * OID_BYTES;
  const lengths = offsets + count * 8;
  const kinds = lengths + count * 4;
  const listsAt = kinds + count;
  const trailer = listsAt + lists * F_RECORD_BYTES;
  return { oids, offsets, lengths, kinds, lists: listsAt, trailer, size: trailer + TRAILER_BYTES };
}

/** Sort order of index entries: by oid, then kind. */
export function compareIndexKeys(a: { hex: string; kind: PackEntryKind }, b: { hex: string; kind: PackEntryKind }): number {
  return a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
}

/** Encode the index of a pack whose entries (in any order) tile `packSize` bytes. */
export function encodeLocalPackIndex(index: LocalPackIndex): Buffer {
  const entries = [...index.entries].sort(compareIndexKeys);
  const n = entries.length;
  const lists = entries.filter((e) => e.kind === 'f').length;
  const s = tidxSections(n, lists);
  const out = Buffer.alloc(s.size);
  out.write(TIDX_MAGIC, 0, 'latin1');
  out.writeUInt32BE(LOCAL_PACK_INDEX_VERSION, 8);
  out.writeUInt32BE(n, 12);
  out.writeBigUInt64BE(BigInt(index.packSize), 16);
  out.write(index.packSha256, 24, 'hex');
  const fan = new Uint32Array(256);
  let f = 0;
  entries.forEach((e, i) => {
    fan[parseInt(e.hex.slice(0, 2), 16)]!++;
    out.write(e.hex, s.oids + i * OID_BYTES, 'hex');
    out.writeBigUInt64BE(BigInt(e.offset), s.offsets + i * 8);
    out.writeUInt32BE(e.length, s.lengths + i * 4);
    out.writeUInt8(e.kind.charCodeAt(0), s.kinds + i);
    if (e.kind === 'f') {
      out.writeUInt32BE(i, s.lists + f * F_RECORD_BYTES);
      out.write(e.digest, s.lists + f * F_RECORD_BYTES + 4, 'hex');
      f++;
    }
  });
  let acc = 0;
  for (let b = 0; b < 256; b++) {
    acc += fan[b]!;
    out.writeUInt32BE(acc, TIDX_HEADER_BYTES + b * 4);
  }
  createHash('sha256').update(out.subarray(0, s.trailer)).digest().copy(out, s.trailer);
  return out;
}

export interface TidxHead {
  readonly count: number;
  readonly packSize: number;
  readonly packSha256: string;
  /** fanout[b] = entries whose oid's first byte ≤ b */
  readonly fanout: Uint32Array;
}

/**
 * Parse the fixed head of an index (header and fan-out) of a file of
 * `fileSize` bytes: what a reader checks before its first lookup. The sizes
 * must agree with the count; the trailer is checked by parseLocalPackIndex
 * (fsck), not on every open.
 */
export function parseTidxHead(head: Uint8Array, fileSize: number, source: string): TidxHead {
  const buf = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (buf.length < TIDX_HEADER_BYTES || buf.toString('latin1', 0, 8) !== TIDX_MAGIC) throw bad(source, 'bad magic or too short');
  const version = buf.readUInt32BE(8);
  if (version > LOCAL_PACK_INDEX_VERSION) {
    throw new TroveError('NEWER_FORMAT', `The local pack index ${source} has version ${version}, newer than this trove understands (${LOCAL_PACK_INDEX_VERSION}).`, { hint: 'Upgrade trove (npm install -g trove@latest).', data: { source } });
  }
  if (version !== LOCAL_PACK_INDEX_VERSION) throw bad(source, `unknown version ${version}`);
  if (buf.length < TIDX_HEAD_BYTES) throw bad(source, 'it is truncated');
  const count = buf.readUInt32BE(12);
  const packSize = Number(buf.readBigUInt64BE(16));
  const fanout = new Uint32Array(256);
  let prev = 0;
  for (let b = 0; b < 256; b++) {
    const v = buf.readUInt32BE(TIDX_HEADER_BYTES + b * 4);
    if (v < prev) throw bad(source, 'the fan-out is not monotonic');
    fanout[b] = prev = v;
  }
  if (prev !== count) throw bad(source, 'the fan-out does not end at the entry count');
  const min = tidxSections(count, 0).size;
  if (fileSize < min || fileSize > tidxSections(count, count).size || (fileSize - min) % F_RECORD_BYTES !== 0) throw bad(source, 'its size does not match its entry count');
  if (!Number.isSafeInteger(packSize)) throw bad(source, 'the pack size is out of range');
  return { count, packSize, packSha256: buf.toString('hex', 24, 56), fanout };
}

/**
 * Parse and check a whole index (untrusted: fsck, the golden test, a
 * conversion): magic, version (NEWER_FORMAT when newer), trailer, strictly
 * sorted oids agreeing with the fan-out, kinds, 'f' records, and entries
 * that tile [0, pack size) exactly.
 */
export function parseLocalPackIndex(data: Uint8Array, source: string): LocalPackIndex {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const head = parseTidxHead(buf, buf.length, source);
  const n = head.count;
  const lists = (buf.length - tidxSections(n, 0).size) / F_RECORD_BYTES;
  const s = tidxSections(n, lists);
  if (!createHash('sha256').update(buf.subarray(0, s.trailer)).digest().equals(buf.subarray(s.trailer, s.size))) throw bad(source, 'its checksum does not match');
  const entries: LocalPackEntry[] = [];
  let listRecords = 0;
  for (let i = 0; i < n; i++) {
    const hex = buf.toString('hex', s.oids + i * OID_BYTES, s.oids + (i + 1) * OID_BYTES);
    const kindByte = buf[s.kinds + i]!;
    const kind = String.fromCharCode(kindByte);
    if (kind !== 'o' && kind !== 'f') throw bad(source, `entry ${i} has an unknown kind`);
    let digest = hex;
    if (kind === 'f') {
      const at = s.lists + listRecords * F_RECORD_BYTES;
      if (listRecords >= lists || buf.readUInt32BE(at) !== i) throw bad(source, `entry ${i} has no chunk-list record`);
      digest = buf.toString('hex', at + 4, at + F_RECORD_BYTES);
      listRecords++;
    }
    const e: LocalPackEntry = { kind, hex, offset: Number(buf.readBigUInt64BE(s.offsets + i * 8)), length: buf.readUInt32BE(s.lengths + i * 4), digest };
    const prev = entries[i - 1];
    if (prev && compareIndexKeys(prev, e) >= 0) throw bad(source, 'the oids are not sorted');
    const fanBucket = buf[s.oids + i * OID_BYTES]!;
    if (i >= head.fanout[fanBucket]! || (fanBucket > 0 && i < head.fanout[fanBucket - 1]!)) throw bad(source, 'the fan-out does not match the oids');
    entries.push(e);
  }
  if (listRecords !== lists) throw bad(source, 'it has chunk-list records for no entry');
  const byOffset = [...entries].sort((a, b) => a.offset - b.offset);
  let at = 0;
  for (const e of byOffset) {
    if (e.offset !== at) throw bad(source, 'its entries do not tile the pack');
    at += e.length;
  }
  if (at !== head.packSize) throw bad(source, 'its entries do not tile the pack');
  return { packSize: head.packSize, packSha256: head.packSha256, entries };
}

/** Binary search a bucket of sorted 32-byte oids (one fan-out bucket read by pread) for `key`; the index within it, or -1. */
export function searchOids(oids: Uint8Array, key: Uint8Array): number {
  let lo = 0;
  let hi = Math.floor(oids.length / OID_BYTES);
  const b = Buffer.from(oids.buffer, oids.byteOffset, oids.byteLength);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = b.compare(key, 0, OID_BYTES, mid * OID_BYTES, (mid + 1) * OID_BYTES);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

function bad(source: string, why: string): TroveError {
  return new TroveError('BAD_MANIFEST', `The local pack index ${source} is invalid: ${why}.`, { hint: 'Run trove fsck; it names the pack, and trove fetch brings back what a remote still has.', data: { source } });
}
