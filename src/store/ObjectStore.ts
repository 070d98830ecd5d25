import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromFsError, type TroveError } from '../errors/index.js';
import { corrupt, missing } from './storeErrors.js';
import { createOid, type Oid } from '../core/oid.js';
import { parseChunkList, type ChunkRef } from './chunkList.js';
import { chunkListFile, objectFile, packsDir, storeTmpDir } from './layout.js';
import type { ContentStore, IngestSession, LinkStrategy, PackStats, StoredEntry, StoredKind } from './ContentStore.js';
import { PackSet, type PackLocation } from './pack/PackSet.js';
import { PACK_MAX_OBJECT, PACK_MIN_OBJECTS, PACK_TARGET, PackWriter } from './pack/PackWriter.js';
import { openIngestSession } from './ingestSession.js';
import { LooseListing } from './LooseListing.js';
import { materializeObject } from './materializeObject.js';
import { upgradeStoreFormat } from './storeFormat.js';
import { writeObjectSync } from './objectWriter.js';
import { dropDeadPacks } from './pack/dropDeadPacks.js';
import { listLoose, listStore, packedEntry, removeStaleStoreTemps } from './storeListing.js';

export type { LinkStrategy, StoredEntry, StoredKind };

export { LOOSE_LISTING_AFTER, LOOSE_LISTING_MAX } from './LooseListing.js';

/**
 * The local content-addressed cache. Objects are immutable and named by their
 * sha256; every read that leaves the store is verified, and an object that
 * fails verification is deleted (the store heals itself, as pnpm's does) and
 * reported as CORRUPT_OBJECT, never served.
 */
export class ObjectStore implements ContentStore {
  /** Objects are durable before they become visible (core.fsync, on by default; see objectWriter). */
  readonly fsync: boolean;
  /** The store's local packs (format 2): read before loose objects. */
  readonly packs: PackSet;
  /** The loose objects as one listing, when a bulk check or many dedupe misses made one worth taking; quarantine keeps it true. */
  private readonly loose: LooseListing;
  /** Objects up to this size are packed by putObjects and openIngest (PACK_MAX_OBJECT; 0 keeps every object loose). */
  readonly packMaxObject: number;
  /** An ingest of fewer files than this stays loose (PACK_MIN_OBJECTS, as git's unpackLimit): a pack per one-file add would be two files instead of one. */
  readonly packMinObjects: number;
  /** Its pack writers seal a pack at this many bytes (PACK_TARGET); auto-pack counts a pack this big as full. */
  readonly packTargetBytes: number;

  constructor(
    readonly dir: string,
    options: { fsync?: boolean; /** knobs for tests: PACK_MAX_OBJECT, PACK_MIN_OBJECTS, PACK_TARGET, PACK_TABLE_AFTER */ packMaxObject?: number; packMinObjects?: number; packTargetBytes?: number; packTableAfter?: number } = {},
  ) {
    this.fsync = options.fsync ?? true;
    this.packs = new PackSet(packsDir(dir), { tableAfter: options.packTableAfter });
    this.loose = new LooseListing(dir);
    this.packMaxObject = options.packMaxObject ?? PACK_MAX_OBJECT;
    this.packMinObjects = options.packMinObjects ?? PACK_MIN_OBJECTS;
    this.packTargetBytes = options.packTargetBytes ?? PACK_TARGET;
  }

  /**
   * The loose file holding object `oid` stored whole: what a hardlink or
   * symlink into the store names. A packed object is unpacked to it first
   * (verified), so a link never points into a pack.
   */
  objectPath(oid: Oid): string {
    const path = objectFile(this.dir, oid);
    if (existsSync(path)) return path;
    const at = this.packedAt('object', oid, true);
    if (at) {
      const data = this.readPacked(at, oid, `object ${oid.hex.slice(0, 12)}`);
      try {
        writeObjectSync(path, data, { fsync: this.fsync });
      } catch (err) {
        throw fromFsError(err, 'unpacking object into the store at', this.dir);
      }
    }
    return path;
  }

  /** Where a packed entry is, newest pack first; `reload`: on a miss, list the packs again if they changed (a concurrent add or gc). */
  packedAt(kind: StoredKind, oid: Oid, reload = false): PackLocation | undefined {
    return this.packs.lookup(kind === 'object' ? 'o' : 'f', oid.hex, reload);
  }

  /** A packed entry's bytes, verified for an object; a corrupt one goes on the bad list and is reported. */
  readPacked(at: PackLocation, oid: Oid, what: string, retried = false): Buffer {
    let data: Buffer;
    try {
      data = this.packs.read(at);
    } catch (err) {
      // A pack a concurrent gc retired after this process listed it: gc sealed its live entries into a new pack first.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !retried) this.packs.reloadIfChanged();
      const moved = (err as NodeJS.ErrnoException).code === 'ENOENT' && !retried ? this.packedAt('object', oid) : undefined;
      if (!moved || moved.pack === at.pack) throw fromFsError(err, 'reading pack', at.file);
      return this.readPacked(moved, oid, what, true);
    }
    if (createHash('sha256').update(data).digest('hex') !== oid.hex) {
      this.packs.markBad(oid.hex);
      this.clearCompleteMarks();
      throw corrupt(oid, what);
    }
    return data;
  }

  /**
   * Where the store's own writers (objectWriter, SpanStorer) put a verified
   * entry of this kind: fetch hands them this, never a path of its own.
   */
  targetFor(kind: StoredKind, oid: Oid): string {
    return kind === 'object' ? objectFile(this.dir, oid) : chunkListFile(this.dir, oid);
  }

  /** One stored entry with its size, or undefined when it is not stored. */
  entry(kind: StoredKind, oid: Oid): StoredEntry | undefined {
    const at = this.packedAt(kind, oid);
    if (at) return packedEntry(kind, oid, at);
    const path = this.targetFor(kind, oid);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      // absent (or unreadable, which a read of it reports): not stored loose; a pack published meanwhile is looked for
      const late = this.packedAt(kind, oid, true);
      return late ? packedEntry(kind, oid, late) : undefined;
    }
    return { kind, oid, size, path, location: { file: path, offset: 0, length: size, packed: false } };
  }

  /**
   * Delete one loose entry (gc). A packed entry is not removed here: packs
   * are rewritten by repack (gc, P5), never edited in place. The caller clears the complete marks once after
   * its last removal (clearCompleteMarks), instead of once per entry.
   */
  remove(kind: StoredKind, oid: Oid): void {
    if (kind === 'object') this.loose.delete(oid.hex);
    rmSync(this.targetFor(kind, oid), { force: true });
  }

  /** Directory whose files are the objects a `--link symlink` work tree points at (for recognising such links). */
  symlinkRoot(): string {
    return join(this.dir, 'objects');
  }

  /** Scratch directory for probes (link mode); swept by removeStaleTemps. */
  scratchDir(): string {
    return storeTmpDir(this.dir);
  }

  /** Where the index of the remote shown as `display` is cached (one directory per remote). */
  remoteCacheDir(display: string): string {
    return join(this.dir, 'remotes', createHash('sha256').update(display).digest('hex').slice(0, 16));
  }

  /**
   * Packs first, then the loose file; a miss re-lists the packs once if they
   * changed (a gc packs a loose object before it unlinks it: the re-listing
   * after the loose miss finds the pack). `reload: false` skips that stat
   * for a dedupe check (ingest, putObjects), where a miss only writes a
   * duplicate.
   */
  hasObject(oid: Oid, options: { reload?: boolean } = {}): boolean {
    if (this.packs.has('o', oid.hex)) return true;
    if (options.reload === false) return this.loose.hasForDedupe(oid);
    return existsSync(objectFile(this.dir, oid)) || this.packs.has('o', oid.hex, true);
  }

  /** Is the content of a file (whole object, or chunk list plus all chunks) present? */
  hasFile(oid: Oid): boolean {
    if (this.loose.has(oid.hex) || this.hasObject(oid)) return true;
    const chunks = this.readChunkList(oid);
    return chunks !== undefined && chunks.every((c) => this.hasObject(c.oid));
  }

  /**
   * Presence of many objects: the packs (through their table when there are
   * many oids), then the loose files of the rest, then ONE check that the
   * packs did not change since, after every loose miss (what hasObject does
   * per miss), and the misses looked for again in any new pack.
   */
  hasMany(oids: readonly Oid[]): boolean[] {
    const packed = this.packs.hasMany('o', oids.map((o) => o.hex));
    const out = oids.map((o, i) => packed[i]! || existsSync(objectFile(this.dir, o)));
    if (out.includes(false) && this.packs.reloadIfChanged()) oids.forEach((o, i) => (out[i] ||= this.packs.has('o', o.hex)));
    return out;
  }

  /**
   * Presence of many files at once. Past a few thousand oids, listing the 256
   * fan-out directories once (~10 ms for 20k objects) beats one existsSync per
   * oid (~45 ms for 20k); the listing is kept for the rest of this command.
   */
  hasFiles(oids: readonly Oid[]): boolean[] {
    if (!this.loose.taken && oids.length > 2000) this.loose.take();
    const packed = this.packs.hasMany('o', oids.map((o) => o.hex));
    return oids.map((o, i) => packed[i]! || this.hasFile(o));
  }

  /**
   * "Every object this version needs is here", remembered as an empty file
   * `<store>/complete/<hex>` so a no-change status needs one stat instead of
   * one per file. Anything that removes objects (quarantine, gc, fsck) clears
   * all markers; a marker only ever saves a check, it never vouches for
   * content: checkout still verifies every byte it writes.
   */
  isComplete(oid: Oid): boolean {
    return existsSync(join(this.dir, 'complete', oid.hex));
  }

  markComplete(oid: Oid): void {
    try {
      mkdirSync(join(this.dir, 'complete'), { recursive: true });
      writeFileSync(join(this.dir, 'complete', oid.hex), '');
    } catch {
      /* only costs speed */
    }
  }

  /**
   * The OBJECT_MISSING error for an object a caller needed, with every
   * complete mark cleared first: a mark may vouch for what was lost behind
   * trove's back (files deleted by hand), and fetch skips marked versions,
   * so the fetch the error's hint asks for must walk them again.
   */
  missingObject(oid: Oid, what: string): TroveError {
    this.clearCompleteMarks();
    return missing(oid, what);
  }

  clearCompleteMarks(): void {
    rmSync(join(this.dir, 'complete'), { recursive: true, force: true });
  }

  /** Chunk list of a large file, or undefined when the file is not stored chunked. */
  readChunkList(oid: Oid): ChunkRef[] | undefined {
    const at = this.packedAt('chunklist', oid);
    if (at) {
      try {
        return parseChunkList(this.packs.read(at).toString('utf8'), oid.hex);
      } catch (err) {
        throw fromFsError(err, 'reading pack', at.file);
      }
    }
    let text: string;
    try {
      text = readFileSync(chunkListFile(this.dir, oid), 'utf8');
    } catch (err) {
      // No chunk list: the object is stored whole or not at all, and callers that need the bytes open the object and
      // report that. Any other failure (EACCES, EIO) is reported: read as "not chunked", gc would not keep the chunks.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return this.packedAt('chunklist', oid, true) ? this.readChunkList(oid) : undefined;
      throw fromFsError(err, 'reading', chunkListFile(this.dir, oid));
    }
    return parseChunkList(text, oid.hex);
  }

  /** Store one object now, durable (unless fsync is off) when this returns. The only `putBytes`: writers below take a target path and are named writeObject. */
  putBytes(data: Uint8Array): { oid: Oid; written: number } {
    const oid = createOid('sha256', createHash('sha256').update(data).digest('hex'));
    try {
      const written = writeObjectSync(objectFile(this.dir, oid), data, { fsync: this.fsync });
      this.loose.add(oid.hex);
      return { oid, written };
    } catch (err) {
      throw fromFsError(err, 'writing object into the store at', this.dir);
    }
  }

  /**
   * Store many objects, durable on return: objects up to packMaxObject go
   * into one new pack (none when all are present), larger ones loose.
   * `meta` (manifest pages) only says what they are: they get a pack of
   * their own because each call seals its own writer.
   */
  async putObjects(items: Iterable<Uint8Array>, _options: { meta?: boolean } = {}): Promise<{ oids: Oid[]; written: number }> {
    const writer = this.packWriter();
    const oids: Oid[] = [];
    let written = 0;
    try {
      for (const data of items) {
        const oid = createOid('sha256', createHash('sha256').update(data).digest('hex'));
        oids.push(oid);
        if (data.length > this.packMaxObject) written += this.putBytes(data).written;
        else if (!writer.has('o', oid.hex) && !this.hasObject(oid, { reload: false })) written += writer.append('o', oid.hex, data);
      }
      writer.finish();
    } catch (err) {
      writer.abort();
      throw fromFsError(err, 'writing objects into the store at', this.dir);
    }
    // The new packs join the listed ones (and the table); the others are not read again.
    if (writer.sealed.length > 0) this.packs.refresh();
    return { oids, written };
  }

  /** One command's ingest: small files appended to one pack writer on this thread, large ones loose (ingestSession.ts). */
  openIngest(options: { jobs: number }): IngestSession {
    return openIngestSession(this, options);
  }

  packWriter(options: { forgetSealed?: boolean } = {}): PackWriter {
    return new PackWriter(packsDir(this.dir), { fsync: this.fsync, targetBytes: this.packTargetBytes, ...options, beforePublish: () => upgradeStoreFormat(this.dir, { fsync: this.fsync }) });
  }

  /** Entries in each local pack, by its `.pack` file (a push sends a pack's entries together when it can). */
  packEntryCounts(): Map<string, number> {
    return new Map(this.packs.packs().map((p) => [p.file, p.count]));
  }

  packStats(): PackStats {
    const packs = this.packs.packs();
    return { packs: packs.length, packed: packs.reduce((s, p) => s + p.count, 0), looseEstimate: this.loose.estimate() };
  }

  /** Read a small object fully, verified. Throws OBJECT_MISSING or CORRUPT_OBJECT. */
  readObject(oid: Oid, what: string): Buffer {
    const at = this.packedAt('object', oid);
    if (at) return this.readPacked(at, oid, what);
    let data: Buffer;
    try {
      data = readFileSync(objectFile(this.dir, oid));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        // Packed by a concurrent gc since the packs were listed?
        const late = this.packedAt('object', oid, true);
        if (late) return this.readPacked(late, oid, what);
        throw this.missingObject(oid, what);
      }
      throw fromFsError(err, 'reading object', objectFile(this.dir, oid));
    }
    if (createHash('sha256').update(data).digest('hex') !== oid.hex) {
      this.quarantine(objectFile(this.dir, oid));
      throw corrupt(oid, what);
    }
    return data;
  }

  /**
   * Write the verified content of file `oid` to `dest` through a temp file
   * beside it and a rename; `dest` is never left half-written, and corrupt
   * content never reaches it (materializeObject.ts).
   */
  materialize(oid: Oid, dest: string, options: { what: string; strategy: LinkStrategy; executable?: boolean }): Promise<void> {
    return materializeObject(this, oid, dest, options);
  }

  /**
   * Delete the packs none of whose entries is live (gc), the index first so
   * no reader finds a pack without its bytes, then the pack, then one sync
   * of the directory. Packs with some live entries are left for repack
   * (P5), which rewrites them. Returns the entries and bytes dropped.
   */
  dropDeadPacks(isLive: (kind: StoredKind, oid: Oid) => boolean, options: { dryRun: boolean }): { entries: number; bytes: number } {
    return dropDeadPacks(this, isLive, options);
  }

  /** Set aside a corrupt entry: a packed one on the bad list (it reads as absent until repacked), a loose one removed. */
  quarantineObject(kind: StoredKind, oid: Oid): void {
    if (this.packedAt(kind, oid)) {
      this.packs.markBad(oid.hex);
      this.clearCompleteMarks();
    } else this.quarantine(this.targetFor(kind, oid));
  }

  /** Remove a corrupt entry so the next fetch or add can heal it. */
  quarantine(path: string): void {
    const parts = path.split(/[\\/]/);
    this.loose.delete(parts[parts.length - 2]! + parts[parts.length - 1]!);
    rmSync(path, { force: true });
    this.clearCompleteMarks();
  }

  /**
   * Every entry in the store (objects and chunk lists), with sizes: loose
   * ones, then packed ones (newest pack first; an entry both loose and
   * packed is listed twice, with each location).
   */
  list(): StoredEntry[] {
    return listStore(this.dir, this.packs);
  }

  /** The loose entries only (or only those of `kind`), streamed (gc: packed ones go through packs.entriesByPack()). */
  listLoose(kind?: StoredKind): Generator<StoredEntry> {
    return listLoose(this.dir, kind);
  }

  /**
   * Remove temp files (storeTempFor) older than `olderThanMs` that a killed
   * writer left in the fan-out directories, and as old entries of the scratch
   * directory; younger ones may belong to a writer still running. Returns how
   * many temp files were removed from the fan-out directories.
   */
  removeStaleTemps(olderThanMs: number): number {
    return removeStaleStoreTemps(this.dir, olderThanMs);
  }
}

