import { appendFileSync, closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseLocalPackIndex, searchOids, type LocalPackEntry } from '../../core/localPackIndex.js';
import type { PackEntryKind } from '../../core/packIndex.js';
import { PackTable, keyWords } from './PackTable.js';
import { listPackNames, openPacks, type LoadedPack, type PackInfo } from './openPacks.js';

/** Where a packed entry is: the pack file and the byte range of its entry. */
export interface PackLocation {
  /** the pack's name (sha256 of its text index) */
  readonly pack: string;
  /** the `.pack` file */
  readonly file: string;
  readonly offset: number;
  readonly length: number;
}

export type { PackInfo };
type Loaded = LoadedPack;

/** The fewest lookups (or one hasMany of this many oids) after which a set builds its in-memory table over all packs (PackTable): below it, each lookup preads a fan-out bucket per pack. Also the hits in one pack after which its offsets and lengths are read whole. */
export const PACK_TABLE_AFTER = 64;

/**
 * The lookups after which the table pays for itself (ski rental): a lookup
 * without it preads a bucket in each pack (~1 µs a pack), the table costs
 * ~0.5 µs an entry to build (a sequential read, the insertion, and the
 * garbage it leaves). So it is built once the lookups have cost about what
 * it would: entries / (2 × packs), and never before PACK_TABLE_AFTER. At
 * 1,000,000 entries in 37 packs that is ~13,500 lookups: a status, which
 * reads a few hundred manifest pages, no longer builds a 0.6 s table
 * (10 % of its time at 1M, profiled); an add, fetch or push, which look up
 * every object, still builds it early.
 */
export function tableAfterFor(entries: number, packs: number): number {
  return Math.max(PACK_TABLE_AFTER, Math.ceil(entries / (2 * Math.max(1, packs))));
}

export interface PackSetOptions {
  /** build the table after exactly this many lookups (tests: 0 builds it on the first lookup); default tableAfterFor the packs listed */
  readonly tableAfter?: number;
}

/** The list of corrupt packed entries (hex per line): skipped by every lookup until a repack drops them. */
export const BAD_LIST = 'bad';

/**
 * The published packs of a store (`<store>/packs/*.tidx`; a pack without
 * its `.tidx` does not exist for readers). Each pack's index head (1,080
 * bytes) is read once; a lookup `pread`s one fan-out bucket of oids and the
 * entry's offset, length and kind. Packs are searched newest first. A miss
 * can re-list the directory when it changed since (git's reprepare): a
 * concurrent add or gc may just have published a pack. Entries listed in
 * `packs/bad` read as absent (fetch restores them).
 *
 * A set asked many times (after `tableAfter` lookups, or one hasMany of as
 * many oids) reads every pack's oid and kind sections once into one
 * in-memory table (PackTable, git's multi-pack index): from then on a
 * lookup is one hash probe whatever the number of packs, and a miss reads
 * nothing. A command that asks once or twice (a one-file add) never pays
 * for the table. Packs published later (this process's own, or found by a
 * re-listing) are added to the table; a pack gone from the listing drops it
 * (rebuilt on the next lookup).
 */
export class PackSet {
  private loaded: Loaded[] | undefined;
  private dirStamp: bigint | undefined;
  private bad: Set<string> | undefined;
  private unreadableIndexes: string[] = [];
  /** options.tableAfter, else undefined: tableAfterFor the packs listed */
  private readonly fixedTableAfter: number | undefined;
  private lookups = 0;
  private table: PackTable | undefined;
  /** the packs of `table`, by their number in it */
  private tablePacks: Loaded[] = [];
  /** Reads of `.tidx` files (heads, buckets, sections, offsets) and stats of the directory: what the table and the batched re-listing save, counted for tests. */
  readonly reads = { index: 0, dirStats: 0 };

  constructor(
    readonly packsDir: string,
    options: PackSetOptions = {},
  ) {
    this.fixedTableAfter = options.tableAfter;
  }

  /** Lookups after which the table is built (see tableAfterFor). */
  get tableAfter(): number {
    if (this.fixedTableAfter !== undefined) return this.fixedTableAfter;
    const packs = this.load();
    if (this.afterFor !== packs) this.after = tableAfterFor(packs.reduce((n, p) => n + p.count, 0), packs.length);
    this.afterFor = packs;
    return this.after;
  }

  /** tableAfter's answer, for the listing it was computed from */
  private after = PACK_TABLE_AFTER;
  private afterFor: readonly Loaded[] | undefined;

  /** The published packs, newest first. */
  packs(): readonly PackInfo[] {
    return this.load();
  }

  /** `.tidx` files whose head could not be read at the last listing (their packs are skipped; fsck reports them). */
  unreadable(): readonly string[] {
    this.load();
    return this.unreadableIndexes;
  }

  /**
   * Re-list the packs directory if it changed since it was listed; true when
   * it did. Readers call it on a miss before they report an object absent.
   */
  reloadIfChanged(): boolean {
    if (this.loaded === undefined) {
      this.load();
      return true;
    }
    if (this.stamp() === this.dirStamp) return false;
    this.refresh();
    return true;
  }

  /** Drop everything read so far; the next lookup lists the directory again. */
  reload(): void {
    this.close();
    this.loaded = undefined;
    this.bad = undefined;
    this.dropTable();
  }

  /**
   * List the directory again and keep what is still listed: packs that
   * appeared are read (their heads, and into the table if there is one),
   * packs that left are closed (the table is then rebuilt on the next
   * lookup). What a writer of this process calls after publishing, instead
   * of reload(): the other packs' heads and the table are not read again.
   */
  refresh(): void {
    if (this.loaded === undefined) {
      this.load();
      return;
    }
    this.bad = undefined;
    this.dirStamp = this.stamp();
    const listed = listPackNames(this.packsDir);
    const byName = new Map(this.loaded.map((p) => [p.name, p]));
    const gone = this.loaded.filter((p) => !listed.has(p.name));
    const unreadable: string[] = [];
    const fresh = openPacks(this.packsDir, [...listed].filter((n) => !byName.has(n)), unreadable, this.reads);
    // an unreadable index still listed was tried again above
    this.unreadableIndexes = unreadable;
    if (gone.length > 0) {
      for (const p of gone) this.closePack(p);
      this.dropTable();
    } else if (this.table) {
      this.table.reserve(this.table.size + fresh.reduce((n, p) => n + p.count, 0));
      for (const p of [...fresh].reverse()) this.addToTable(p);
    }
    this.loaded = [...fresh, ...this.loaded.filter((p) => listed.has(p.name))];
  }

  /** Where an entry is packed (newest pack first), or undefined. `reload`: on a miss, re-list the directory once if it changed. */
  lookup(kind: PackEntryKind, hex: string, reload = false): PackLocation | undefined {
    const found = this.find(kind, hex);
    if (found || !reload || !this.reloadIfChanged()) return found;
    return this.find(kind, hex);
  }

  /** Like lookup, without reading the entry's offset and length. */
  has(kind: PackEntryKind, hex: string, reload = false): boolean {
    const here = (): boolean => !this.isBad(hex) && this.findEntry(kind, hex) !== undefined;
    return here() || (reload && this.reloadIfChanged() && here());
  }

  /**
   * Presence of many entries. A pack with no more than 4× as many entries as
   * asked about has its whole oid table read once (a sequential read instead
   * of a bucket read per oid); others are searched per oid.
   */
  hasMany(kind: PackEntryKind, hexes: readonly string[]): boolean[] {
    if ((this.table || hexes.length >= this.tableAfter) && this.load().length > 0) {
      this.lookups = Math.max(this.lookups, this.tableAfter);
      return hexes.map((hex) => !this.isBad(hex) && this.findEntry(kind, hex) !== undefined);
    }
    const out = hexes.map(() => false);
    for (const p of this.load()) {
      if (p.count <= 4 * hexes.length && p.allOids === undefined) p.allOids = this.pread(p, 'tidx', p.sections.oids, p.count * 32);
      hexes.forEach((hex, i) => {
        if (!out[i]) out[i] = this.findIn(p, kind, hex) !== undefined && !this.isBad(hex);
      });
    }
    return out;
  }

  /** The entry's bytes, as stored (the caller verifies them). */
  read(loc: PackLocation): Buffer {
    const p = this.load().find((x) => x.name === loc.pack);
    if (!p) throw Object.assign(new Error(`pack ${loc.pack} is no longer listed`), { code: 'ENOENT' });
    return this.pread(p, 'pack', loc.offset, loc.length);
  }

  /** Is this hex in `packs/bad` (a packed entry found corrupt)? */
  isBad(hex: string): boolean {
    if (this.bad === undefined) {
      this.bad = new Set();
      try {
        for (const line of readFileSync(join(this.packsDir, BAD_LIST), 'utf8').split('\n')) if (/^[0-9a-f]{64}$/.test(line)) this.bad.add(line);
      } catch {
        // no bad list: no entry is known to be corrupt
      }
    }
    return this.bad.has(hex);
  }

  /** Record a corrupt packed entry: it reads as absent from now on, in this process and every later one, until a repack drops it. */
  markBad(hex: string): void {
    appendFileSync(join(this.packsDir, BAD_LIST), hex + '\n');
    this.bad?.add(hex);
  }

  /** Every packed entry (each pack's whole index read and checked), newest pack first; an entry in several packs is listed once, from the newest. */
  *entries(): Generator<LocalPackEntry & { readonly pack: string; readonly file: string }> {
    const seen = new Set<string>();
    for (const p of this.load()) {
      const index = parseLocalPackIndex(readFileSync(p.index), p.index);
      for (const e of index.entries) {
        if (seen.has(e.kind + e.hex) || this.isBad(e.hex)) continue;
        seen.add(e.kind + e.hex);
        yield { ...e, pack: p.name, file: p.file };
      }
    }
  }

  /**
   * Every packed entry pack by pack, newest first, each pack's index read
   * and checked, one pack in memory at a time: an entry in several packs is
   * yielded once per pack (callers that count dedupe with a SortedOidSet,
   * 32 bytes an entry outside the heap, where entries() holds a string per
   * entry: gc at 1,000,000 objects).
   */
  *entriesByPack(): Generator<LocalPackEntry> {
    for (const p of this.load()) {
      for (const e of parseLocalPackIndex(readFileSync(p.index), p.index).entries) if (!this.isBad(e.hex)) yield e;
    }
  }

  /**
   * Every packed chunk list ('f' entry) once, where a lookup finds it (the
   * newest pack holding it; none on the bad list), read from each index's
   * list records (36 bytes a list) and their oids: fsck checks chunk lists
   * without listing every packed entry. One pack's records in memory at a time.
   */
  *chunkLists(): Generator<PackLocation & { readonly hex: string }> {
    for (const p of this.load()) {
      const n = (p.sections.trailer - p.sections.lists) / 36;
      if (n === 0) continue;
      const records = this.pread(p, 'tidx', p.sections.lists, n * 36);
      for (let k = 0; k < n; k++) {
        const i = records.readUInt32BE(k * 36);
        // a damaged index: verifyPacks reports it
        if (i >= p.count) continue;
        const hex = this.pread(p, 'tidx', p.sections.oids + i * 32, 32, this.scratch).toString('hex');
        const at = this.lookup('f', hex);
        if (at?.pack === p.name) yield { hex, ...at };
      }
    }
  }

  /** Close the cached descriptors (the set stays usable: they reopen on demand). */
  close(): void {
    for (const p of this.loaded ?? []) this.closePack(p);
  }

  private closePack(p: Loaded): void {
    for (const fd of [p.tidxFd, p.packFd]) {
      if (fd === undefined) continue;
      try {
        closeSync(fd);
      } catch {
        // closing a read-only descriptor cannot lose data: nothing to report
      }
    }
    p.tidxFd = p.packFd = undefined;
  }

  private find(kind: PackEntryKind, hex: string): PackLocation | undefined {
    if (this.load().length === 0 || this.isBad(hex)) return undefined;
    const e = this.findEntry(kind, hex);
    if (!e) return undefined;
    const { p, i } = e;
    // A pack read entry after entry (push, checkout) has its offsets and lengths read once (12 B per entry) instead of two reads per entry.
    if (p.places === undefined && ++p.hits > (this.fixedTableAfter ?? PACK_TABLE_AFTER)) p.places = { offsets: this.pread(p, 'tidx', p.sections.offsets, p.count * 8), lengths: this.pread(p, 'tidx', p.sections.lengths, p.count * 4) };
    if (p.places) return { pack: p.name, file: p.file, offset: Number(p.places.offsets.readBigUInt64BE(i * 8)), length: p.places.lengths.readUInt32BE(i * 4) };
    const offset = Number(this.pread(p, 'tidx', p.sections.offsets + i * 8, 8, this.scratch).readBigUInt64BE(0));
    const length = this.pread(p, 'tidx', p.sections.lengths + i * 4, 4, this.scratch).readUInt32BE(0);
    return { pack: p.name, file: p.file, offset, length };
  }

  /** The newest pack holding the entry and its index there (the bad list is the caller's): through the table once it pays. */
  private findEntry(kind: PackEntryKind, hex: string): { p: Loaded; i: number } | undefined {
    const packs = this.load();
    if (packs.length === 0) return undefined;
    if (this.table === undefined && ++this.lookups > this.tableAfter) this.buildTable();
    if (this.table) {
      const hit = this.table.find(kind, keyWords(hex, this.key));
      return hit && { p: this.tablePacks[hit.pack]!, i: hit.index };
    }
    for (const p of packs) {
      const i = this.findIn(p, kind, hex);
      if (i !== undefined) return { p, i };
    }
    return undefined;
  }

  /** One sequential read of each pack's oids and kinds, oldest pack first (so the newest wins a duplicate). */
  private buildTable(): void {
    this.table = new PackTable();
    this.tablePacks = [];
    this.table.reserve(this.load().reduce((n, p) => n + p.count, 0));
    for (const p of [...this.load()].reverse()) this.addToTable(p);
  }

  private addToTable(p: Loaded): void {
    const oids = p.allOids ?? this.pread(p, 'tidx', p.sections.oids, p.count * 32);
    p.kinds ??= this.pread(p, 'tidx', p.sections.kinds, p.count);
    this.table!.addPack(oids, p.kinds);
    this.tablePacks.push(p);
    // the table holds a copy: the per-pack one is no longer read
    p.allOids = undefined;
  }

  private dropTable(): void {
    this.table = undefined;
    this.tablePacks = [];
  }

  /** The entry's index in pack `p`, or undefined. */
  private findIn(p: Loaded, kind: PackEntryKind, hex: string): number | undefined {
    const key = Buffer.from(hex, 'hex');
    const b = key[0]!;
    const lo = b === 0 ? 0 : p.head.fanout[b - 1]!;
    const hi = p.head.fanout[b]!;
    if (hi === lo) return undefined;
    if (!p.allOids && this.scratch.length < (hi - lo) * 32) this.scratch = Buffer.allocUnsafeSlow(Math.max((hi - lo) * 32, 2 * this.scratch.length));
    const bucket = p.allOids ? p.allOids.subarray(lo * 32, hi * 32) : this.pread(p, 'tidx', p.sections.oids + lo * 32, (hi - lo) * 32, this.scratch);
    const at = searchOids(bucket, key);
    if (at < 0) return undefined;
    // An oid can be there twice, once per kind ('f' sorts before 'o'): look at the neighbours too.
    for (const j of [at, at - 1, at + 1]) {
      if (j < 0 || j >= hi - lo || !bucket.subarray(j * 32, j * 32 + 32).equals(key)) continue;
      p.kinds ??= this.pread(p, 'tidx', p.sections.kinds, p.count);
      if (String.fromCharCode(p.kinds[lo + j]!) === kind) return lo + j;
    }
    return undefined;
  }

  private readonly key = new Uint32Array(8);

  /** Reused for bucket, offset and length reads (a new buffer per lookup was an eighth of a read's time); never handed out. */
  private scratch = Buffer.allocUnsafeSlow(16 * 1024);

  private pread(p: Loaded, which: 'tidx' | 'pack', position: number, length: number, into?: Buffer): Buffer {
    if (which === 'tidx') this.reads.index++;
    let fd = which === 'tidx' ? p.tidxFd : p.packFd;
    if (fd === undefined) {
      fd = openSync(which === 'tidx' ? p.index : p.file, 'r');
      if (which === 'tidx') p.tidxFd = fd;
      else p.packFd = fd;
    }
    const buf = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, position + got);
      if (n === 0) throw Object.assign(new Error(`${which === 'tidx' ? p.index : p.file} is shorter than its index says`), { code: 'EIO' });
      got += n;
    }
    return buf;
  }

  private stamp(): bigint | undefined {
    this.reads.dirStats++;
    try {
      const st = statSync(this.packsDir, { bigint: true });
      return st.mtimeNs ^ (st.ino << 20n);
    } catch {
      // no packs directory: a store without packs (format 1)
      return undefined;
    }
  }

  private load(): Loaded[] {
    if (this.loaded) return this.loaded;
    this.dirStamp = this.stamp();
    const unreadable: string[] = [];
    this.loaded = openPacks(this.packsDir, [...listPackNames(this.packsDir)], unreadable, this.reads);
    this.unreadableIndexes = unreadable;
    return this.loaded;
  }

}
