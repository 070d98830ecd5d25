import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { TroveError } from '../errors/index.js';
import type { PackEntry, PackEntryKind } from '../core/packIndex.js';
import { parseTidxHead, tidxSections, TIDX_HEAD_BYTES } from '../core/localPackIndex.js';

/**
 * Compare the oid at record `j` of `oids` with the key's eight big-endian
 * words, in JS: a ranged Buffer.compare crosses into C++ with its argument
 * checks on every probe, which made a lookup cost ~10 µs over 8 packs.
 */
export function compareAt(oids: Buffer, j: number, words: Uint32Array): number {
  const at = j * 32;
  for (let w = 0; w < 8; w++) {
    const a = oids.readUInt32BE(at + w * 4);
    const b = words[w]!;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** Bisect a bucket of sorted 32-byte oids for the key; its record index, or -1. */
export function searchBucket(oids: Buffer, words: Uint32Array): number {
  let lo = 0;
  let hi = oids.length >>> 5;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareAt(oids, mid, words);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

/** A pack dropped without close() (a library caller's index) still gives its descriptor back. */
const closer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed with its process's other files: nothing to release
  }
});

/** One fan-out bucket of a cached index: its oids (32 B each) and kinds (1 B each, 'o' or 'f'). */
export interface Bucket {
  readonly oids: Buffer;
  readonly kinds: Buffer;
}

/** Bytes of fan-out buckets kept in memory per index (all packs together); past it the oldest are read again. */
export const BUCKET_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * One remote pack as the index knows it: its size and its cached binary
 * index, in the local pack index format (`<name>.tidx`, core/localPackIndex.ts;
 * the pack-sha256 field is zero: a remote names packs by their index, and
 * the pack's own hash is not known here). Entries stay on disk: `entries()`
 * reads them for the few callers that walk a whole pack (gc -r, fsck -r);
 * lookups read one fan-out bucket.
 */
export class RemotePack {
  readonly sections: ReturnType<typeof tidxSections>;
  /** fan-out buckets read and kept (RemoteIndex bounds their bytes) */
  readonly buckets: (Bucket | undefined)[] = new Array(256);
  private listRecords: Buffer | undefined;
  private fd: number | undefined;

  constructor(
    readonly name: string,
    readonly size: number,
    readonly count: number,
    readonly fanout: Uint32Array,
    lists: number,
    /** the cached file, or undefined when the cache could not be written (then `mem` holds it) */
    private readonly file: string | undefined,
    private readonly mem: Buffer | undefined,
  ) {
    this.sections = tidxSections(count, lists);
  }

  /** Bytes [at, at + length) of the binary index (one pread on a descriptor kept until close()). */
  read(at: number, length: number): Buffer {
    if (this.mem) return this.mem.subarray(at, at + length);
    if (this.fd === undefined) {
      this.fd = openSync(this.file!, 'r');
      closer.register(this, this.fd, this);
    }
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, at + done);
      if (n === 0) throw new TroveError('CORRUPT_OBJECT', `The cached remote pack index ${this.file} was truncated while in use.`, { hint: 'Run the command again: it is rebuilt from the remote.' });
      done += n;
    }
    return out;
  }

  close(): void {
    if (this.fd === undefined) return;
    closer.unregister(this);
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  /** Entry `i` (its position in the sorted index) as a pack entry. */
  entryAt(i: number, kind: PackEntryKind, hex: string): PackEntry {
    const offset = Number(this.read(this.sections.offsets + i * 8, 8).readBigUInt64BE(0));
    const length = this.read(this.sections.lengths + i * 4, 4).readUInt32BE(0);
    let digest = hex;
    if (kind === 'f') {
      // Chunk-list records are in entry order: bisect them for this entry's digest.
      this.listRecords ??= this.read(this.sections.lists, this.sections.trailer - this.sections.lists);
      const r = this.listRecords;
      let lo = 0;
      let hi = r.length / 36;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const at = r.readUInt32BE(mid * 36);
        if (at === i) {
          digest = r.toString('hex', mid * 36 + 4, mid * 36 + 36);
          break;
        }
        if (at < i) lo = mid + 1;
        else hi = mid;
      }
    }
    return { kind, hex, offset, length, digest };
  }

  /**
   * Every entry, in pack order (one read of the index; its checksum was
   * verified when the remote was opened). Decoded directly rather than by
   * parseLocalPackIndex: a hand-made remote index listing an object twice is
   * cached with the first copy only, so its entries need not tile the pack.
   */
  entries(): PackEntry[] {
    const s = this.sections;
    const all = this.read(0, s.size);
    const digests = new Map<number, string>();
    for (let at = s.lists; at < s.trailer; at += 36) digests.set(all.readUInt32BE(at), all.toString('hex', at + 4, at + 36));
    const out: PackEntry[] = [];
    for (let i = 0; i < this.count; i++) {
      const hex = all.toString('hex', s.oids + i * 32, s.oids + i * 32 + 32);
      const kind: PackEntryKind = all[s.kinds + i] === 0x66 ? 'f' : 'o';
      out.push({ kind, hex, offset: Number(all.readBigUInt64BE(s.offsets + i * 8)), length: all.readUInt32BE(s.lengths + i * 4), digest: kind === 'f' ? (digests.get(i) ?? '') : hex });
    }
    return out.sort((a, b) => a.offset - b.offset);
  }
}

/** 'f' records of an index of `count` entries in `size` bytes. */
export function listsOf(count: number, size: number): number {
  return (size - tidxSections(count, 0).size) / 36;
}

/** A cached binary index, its trailer verified by a streaming hash; undefined when there is none. */
export function openCached(file: string, name: string): RemotePack | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined; // not cached yet
  }
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, TIDX_HEAD_BYTES));
    readSync(fd, head, 0, head.length, 0);
    const h = parseTidxHead(head, size, file);
    const hash = createHash('sha256');
    const buf = Buffer.alloc(Math.max(1, Math.min(1 << 20, size)));
    const body = size - 32;
    for (let at = 0; at < body; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, body - at), at);
      if (n === 0) throw new TroveError('BAD_MANIFEST', `The cached remote pack index ${file} is truncated.`);
      hash.update(buf.subarray(0, n));
      at += n;
    }
    const trailer = Buffer.alloc(32);
    readSync(fd, trailer, 0, 32, body);
    if (!hash.digest().equals(trailer)) throw new TroveError('BAD_MANIFEST', `The cached remote pack index ${file} (of ${name}) does not match its checksum.`);
    return new RemotePack(name, h.packSize, h.count, h.fanout, listsOf(h.count, size), file, undefined);
  } finally {
    closeSync(fd);
  }
}
