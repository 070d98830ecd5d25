import type { PackEntryKind } from '../../core/packIndex.js';

/** Where one table entry lives: which pack (its number in the table, in the order added) and its index in that pack's `.tidx`. */
export interface TableHit {
  readonly pack: number;
  readonly index: number;
}

/**
 * One in-memory table over the entries of many packs (git's multi-pack
 * index, kept in memory instead of on disk): a lookup costs one hash probe
 * sequence, however many packs there are, and a miss costs no system call.
 *
 * Entries are numbered in the order their packs were added (g). Per entry:
 * its 32-byte oid (copied from the pack's oid section, one sequential read
 * per pack) and its kind byte; a slot array of open addressing (linear
 * probing, at most half full) holds g + 1 per slot, 0 for empty, indexed by
 * the oid's bytes 4–7 (sha256 bytes are uniform; bytes 0–3 stay free for the
 * fan-out order). A probe compares the full oid and the kind: an oid can be
 * there as 'o' and as 'f'. Memory: 33 B per entry plus 8–16 B of slots.
 *
 * An entry (oid, kind) already in the table is replaced by the one added
 * later: add packs oldest first and the newest pack wins, as the per-pack
 * search (newest first) answers.
 */
export class PackTable {
  private oids = new Uint32Array(0);
  private kinds = new Uint8Array(0);
  private slots = new Uint32Array(0);
  /** first g of each pack, in the order added, and one past the last */
  private readonly bases: number[] = [0];

  /** Entries held (with duplicates across packs counted once per pack). */
  get size(): number {
    return this.bases[this.bases.length - 1]!;
  }

  /** Bytes of memory held (measured in docs/decisions.md). */
  get bytes(): number {
    return this.oids.byteLength + this.kinds.byteLength + this.slots.byteLength;
  }

  /**
   * Add one pack's entries: `oids` (count × 32 bytes, its `.tidx` oid
   * section) and `kinds` (count bytes). Returns the pack's number in this
   * table.
   */
  addPack(oids: Uint8Array, kinds: Uint8Array): number {
    const count = kinds.length;
    const start = this.size;
    const total = start + count;
    if (total > this.kinds.length) this.reserve(total);
    new Uint8Array(this.oids.buffer).set(oids.subarray(0, count * 32), start * 32);
    this.kinds.set(kinds, start);
    this.bases.push(total);
    for (let g = start; g < total; g++) this.insert(g);
    return this.bases.length - 2;
  }

  /** The newest entry (oid, kind), or undefined. `key`: the oid as 8 native-endian words (keyWords). */
  find(kind: PackEntryKind, key: Uint32Array): TableHit | undefined {
    const k = kind.charCodeAt(0);
    const mask = this.slots.length - 1;
    if (mask < 0) return undefined;
    for (let s = key[1]! & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s]!;
      if (v === 0) return undefined;
      const g = v - 1;
      if (this.kinds[g] === k && this.sameOid(g, key)) return this.hit(g);
    }
  }

  private hit(g: number): TableHit {
    let lo = 0;
    let hi = this.bases.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.bases[mid]! <= g) lo = mid;
      else hi = mid - 1;
    }
    return { pack: lo, index: g - this.bases[lo]! };
  }

  private sameOid(g: number, key: Uint32Array): boolean {
    const o = this.oids;
    const at = g * 8;
    for (let w = 0; w < 8; w++) if (o[at + w] !== key[w]) return false;
    return true;
  }

  /** Place entry g; an equal (oid, kind) already placed gives its slot to g (the later pack wins). */
  private insert(g: number): void {
    const mask = this.slots.length - 1;
    const key = this.oids.subarray(g * 8, g * 8 + 8);
    const k = this.kinds[g]!;
    for (let s = key[1]! & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s]!;
      if (v === 0) {
        this.slots[s] = g + 1;
        return;
      }
      if (this.kinds[v - 1] === k && this.sameOid(v - 1, key)) {
        this.slots[s] = g + 1;
        return;
      }
    }
  }

  /**
   * Room for `total` entries: the entry arrays sized exactly, the slots at
   * most half full (rehashed when they grow). A build reserves for all its
   * packs first: growing pack by pack would copy the table once per pack.
   */
  reserve(total: number): void {
    if (total <= this.kinds.length) return;
    const oids = new Uint32Array(total * 8);
    oids.set(this.oids.subarray(0, this.size * 8));
    this.oids = oids;
    const kinds = new Uint8Array(total);
    kinds.set(this.kinds.subarray(0, this.size));
    this.kinds = kinds;
    if (total * 2 <= this.slots.length) return;
    let cap = 1024;
    while (cap < total * 2) cap *= 2;
    this.slots = new Uint32Array(cap);
    const placed = this.size;
    for (let g = 0; g < placed; g++) this.insert(g);
  }
}

/** An oid (64 hex) as the 8 native-endian words PackTable.find takes (written into `into` when given: no allocation per lookup). */
export function keyWords(hex: string, into = new Uint32Array(8)): Uint32Array {
  Buffer.from(into.buffer, into.byteOffset, 32).write(hex, 'hex');
  return into;
}
