import { createHash } from 'node:crypto';
import { constants, createReadStream, existsSync, mkdirSync, promises as fsp, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError, fromFsError } from '../errors/index.js';
import { createOid, isValidHex, type Oid } from '../core/oid.js';
import { parseChunkList, type ChunkRef } from './chunkList.js';
import { chunkListFile, isStoreTemp, objectFile, storeTmpDir } from './layout.js';
import type { ContentStore, LinkStrategy, StoredEntry, StoredKind } from './ContentStore.js';
import { writeObjectSync } from './objectWriter.js';
import { tempPathFor } from '../util/atomicWrite.js';
import { processUmask } from '../util/processUmask.js';

export type { LinkStrategy, StoredEntry, StoredKind };

/**
 * The local content-addressed cache. Objects are immutable and named by their
 * sha256; every read that leaves the store is verified, and an object that
 * fails verification is deleted (the store heals itself, as pnpm's does) and
 * reported as CORRUPT_OBJECT, never served.
 */
export class ObjectStore implements ContentStore {
  /** Objects are durable before they become visible (core.fsync, on by default; see objectWriter). */
  readonly fsync: boolean;

  constructor(
    readonly dir: string,
    options: { fsync?: boolean } = {},
  ) {
    this.fsync = options.fsync ?? true;
  }

  /** The file holding object `oid` stored whole: what a hardlink or symlink into the store names. */
  objectPath(oid: Oid): string {
    return objectFile(this.dir, oid);
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
    const path = this.targetFor(kind, oid);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      // absent (or unreadable, which a read of it reports): not stored, as far as a listing goes
      return undefined;
    }
    return { kind, oid, size, path };
  }

  /**
   * Delete one entry (gc). The caller clears the complete marks once after
   * its last removal (clearCompleteMarks), instead of once per entry.
   */
  remove(kind: StoredKind, oid: Oid): void {
    if (kind === 'object') this.listed?.delete(oid.hex);
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

  hasObject(oid: Oid): boolean {
    return existsSync(objectFile(this.dir, oid));
  }

  /** Is the content of a file (whole object, or chunk list plus all chunks) present? */
  hasFile(oid: Oid): boolean {
    if (this.listed?.has(oid.hex) || existsSync(objectFile(this.dir, oid))) return true;
    const chunks = this.readChunkList(oid);
    return chunks !== undefined && chunks.every((c) => existsSync(objectFile(this.dir, c.oid)));
  }

  /**
   * Presence of many files at once. Past a few thousand oids, listing the 256
   * fan-out directories once (~10 ms for 20k objects) beats one existsSync per
   * oid (~45 ms for 20k); the listing is kept for the rest of this command.
   */
  hasFiles(oids: readonly Oid[]): boolean[] {
    if (!this.listed && oids.length > 2000) {
      this.listed = new Set();
      const base = join(this.dir, 'objects', 'sha256');
      for (const fan of safeReaddir(base)) for (const rest of safeReaddir(join(base, fan))) this.listed.add(fan + rest);
    }
    return oids.map((o) => this.hasFile(o));
  }

  /** Objects seen by one listing. A miss is re-checked on disk; quarantine deletes from it, so it never claims a removed object. */
  private listed: Set<string> | undefined;

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

  clearCompleteMarks(): void {
    rmSync(join(this.dir, 'complete'), { recursive: true, force: true });
  }

  /** Chunk list of a large file, or undefined when the file is not stored chunked. */
  readChunkList(oid: Oid): ChunkRef[] | undefined {
    let text: string;
    try {
      text = readFileSync(chunkListFile(this.dir, oid), 'utf8');
    } catch (err) {
      // No chunk list: the object is stored whole or not at all, and callers that need the bytes open the object and
      // report that. Any other failure (EACCES, EIO) is reported: read as "not chunked", gc would not keep the chunks.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw fromFsError(err, 'reading', chunkListFile(this.dir, oid));
    }
    return parseChunkList(text, oid.hex);
  }

  /** Store one object now, durable (unless fsync is off) when this returns. The only `putBytes`: writers below take a target path and are named writeObject. */
  putBytes(data: Uint8Array): { oid: Oid; written: number } {
    const oid = createOid('sha256', createHash('sha256').update(data).digest('hex'));
    try {
      return { oid, written: writeObjectSync(objectFile(this.dir, oid), data, { fsync: this.fsync }) };
    } catch (err) {
      throw fromFsError(err, 'writing object into the store at', this.dir);
    }
  }

  /** Read a small object fully, verified. Throws OBJECT_MISSING or CORRUPT_OBJECT. */
  readObject(oid: Oid, what: string): Buffer {
    let data: Buffer;
    try {
      data = readFileSync(objectFile(this.dir, oid));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(oid, what);
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
   * content never reaches it.
   */
  async materialize(oid: Oid, dest: string, options: { what: string; strategy: LinkStrategy; executable?: boolean }): Promise<void> {
    const whole = objectFile(this.dir, oid);
    const tmp = tempPathFor(dest);
    // A link shares the store object's inode and mode: executables are copied so chmod never touches the store.
    const strategy: LinkStrategy = options.executable && (options.strategy === 'hardlink' || options.strategy === 'symlink') ? 'copy' : options.strategy;
    try {
      const wantedMode = options.executable ? 0o755 : 0o644;
      const small = strategy === 'copy' ? await readIfSmall(whole) : undefined;
      if (small) {
        // A small object is read once: hashed and written from the same buffer (a stream and a copy would read it twice).
        if (createHash('sha256').update(small).digest('hex') !== oid.hex) {
          this.quarantine(whole);
          throw corrupt(oid, options.what);
        }
        await fsp.writeFile(tmp, small, { flag: 'wx', mode: wantedMode });
      } else if (existsSync(whole)) {
        await this.verifyFile(whole, oid, options.what);
        await placeWhole(whole, tmp, strategy);
      } else {
        const chunks = this.readChunkList(oid);
        if (!chunks) throw missing(oid, options.what);
        await this.assemble(oid, chunks, tmp, options.what);
      }
      // Created with the wanted mode, the umask permitting: a chmod per file is ~15 µs × 20,000 files.
      const modeSet = small !== undefined && (wantedMode & ~processUmask()) === wantedMode;
      if (!modeSet && (strategy === 'copy' || strategy === 'reflink' || !existsSync(whole))) await fsp.chmod(tmp, wantedMode);
      await fsp.rename(tmp, dest);
    } catch (err) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined); // cleanup only: the write's own error is rethrown below
      throw fromFsError(err, 'writing', options.what);
    }
  }

  private async verifyFile(path: string, oid: Oid, what: string): Promise<void> {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
    if (h.digest('hex') !== oid.hex) {
      this.quarantine(path);
      throw corrupt(oid, what);
    }
  }

  /**
   * Concatenate chunks into `tmp`, verifying the whole-file digest in the same
   * pass (one sha256 over the data instead of two: per-chunk digests are only
   * computed on a mismatch, to find and remove the culprit).
   */
  private async assemble(oid: Oid, chunks: readonly ChunkRef[], tmp: string, what: string): Promise<void> {
    const whole = createHash('sha256');
    const out = await fsp.open(tmp, 'wx', 0o644);
    // Writes go to the thread pool, each at its own offset, while this thread
    // reads and hashes the next chunk: hashing and writing overlap instead of
    // adding up. Several in flight, not one, so the file's writer never waits
    // for this thread: writing into fresh page-cache pages can be the slowest
    // part (kernel time per page, ~2.5 s per GiB on a VM whose host takes back
    // free memory), and ext4 admits one buffered writer per file at a time.
    const inFlight: Promise<unknown>[] = [];
    let position = 0;
    try {
      for (const c of chunks) {
        let data: Buffer;
        try {
          data = readFileSync(objectFile(this.dir, c.oid));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(oid, what);
          throw err;
        }
        whole.update(data);
        if (inFlight.length >= ASSEMBLE_WRITES_IN_FLIGHT) await inFlight.shift();
        const write = writeAll(out, data, position);
        // Handled now, awaited later: a write that fails (ENOSPC) while an
        // earlier one is awaited must not become an unhandled rejection,
        // which would kill the process instead of reporting NO_SPACE.
        write.catch(() => undefined);
        inFlight.push(write);
        position += data.length;
      }
      while (inFlight.length > 0) await inFlight.shift();
    } finally {
      await Promise.allSettled(inFlight);
      await out.close();
    }
    if (whole.digest('hex') !== oid.hex) {
      let culprit = false;
      for (const c of chunks) {
        const path = objectFile(this.dir, c.oid);
        const data = readFileSync(path);
        if (data.length !== c.size || createHash('sha256').update(data).digest('hex') !== c.oid.hex) {
          this.quarantine(path);
          culprit = true;
        }
      }
      if (!culprit) this.quarantine(chunkListFile(this.dir, oid));
      throw corrupt(oid, what);
    }
  }

  /** Remove a corrupt entry so the next fetch or add can heal it. */
  quarantine(path: string): void {
    const parts = path.split(/[\\/]/);
    this.listed?.delete(parts[parts.length - 2]! + parts[parts.length - 1]!);
    rmSync(path, { force: true });
    this.clearCompleteMarks();
  }

  /** Every entry in the store (objects and chunk lists), with sizes. */
  list(): StoredEntry[] {
    const out: StoredEntry[] = [];
    for (const [kind, sub] of [['object', 'objects'], ['chunklist', 'files']] as const) {
      const base = join(this.dir, sub, 'sha256');
      for (const fan of safeReaddir(base)) {
        for (const rest of safeReaddir(join(base, fan))) {
          const hex = fan + rest;
          if (!isValidHex('sha256', hex)) continue;
          const path = join(base, fan, rest);
          out.push({ kind, oid: createOid('sha256', hex), size: statSync(path).size, path });
        }
      }
    }
    return out;
  }

  /**
   * Remove temp files (storeTempFor) older than `olderThanMs` that a killed
   * writer left in the fan-out directories, and as old entries of the scratch
   * directory; younger ones may belong to a writer still running. Returns how
   * many temp files were removed from the fan-out directories.
   */
  removeStaleTemps(olderThanMs: number): number {
    cleanScratch(storeTmpDir(this.dir), olderThanMs);
    let removed = 0;
    const now = Date.now();
    for (const sub of ['objects', 'files']) {
      const base = join(this.dir, sub, 'sha256');
      for (const fan of safeReaddir(base)) {
        for (const name of safeReaddir(join(base, fan))) {
          if (!isStoreTemp(name)) continue;
          const path = join(base, fan, name);
          try {
            if (now - statSync(path).mtimeMs <= olderThanMs) continue;
            rmSync(path, { force: true });
            removed++;
          } catch {
            /* renamed or removed meanwhile */
          }
        }
      }
    }
    return removed;
  }
}

function cleanScratch(dir: string, olderThanMs: number): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no tmp folder: no stale temp files to remove; the sweep is best-effort and nothing is lost
    return;
  }
  for (const n of names) {
    try {
      if (Date.now() - statSync(join(dir, n)).mtimeMs > olderThanMs) rmSync(join(dir, n), { force: true, recursive: true });
    } catch {
      /* gone */
    }
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    // a missing or unreadable shard folder lists as empty: listings are for enumeration, and reading an object reports its own error
    return [];
  }
}

/** Positioned writes assemble() keeps in flight on the thread pool (4 threads by default). */
const ASSEMBLE_WRITES_IN_FLIGHT = 3;

/** pwrite all of `data` at `position` (a write may return short). */
async function writeAll(fh: fsp.FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    if (bytesWritten === 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
    done += bytesWritten;
  }
}

/** Objects up to this size are copied through one buffer. */
const SMALL_COPY_BYTES = 1 << 20;

/** The whole object's bytes when it is stored whole and small, else undefined (large, chunked or absent). */
async function readIfSmall(file: string): Promise<Buffer | undefined> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch {
    // absent or unopenable: the caller falls back to the general read, which reports the error
    return undefined;
  }
  try {
    const { size } = await handle.stat();
    return size <= SMALL_COPY_BYTES ? await handle.readFile() : undefined;
  } finally {
    await handle.close();
  }
}

async function placeWhole(src: string, tmp: string, strategy: LinkStrategy): Promise<void> {
  switch (strategy) {
    case 'hardlink':
      return fsp.link(src, tmp);
    case 'symlink':
      return fsp.symlink(src, tmp);
    case 'reflink':
      return fsp.copyFile(src, tmp, constants.COPYFILE_FICLONE_FORCE);
    default:
      return fsp.copyFile(src, tmp, constants.COPYFILE_EXCL);
  }
}

function missing(oid: Oid, what: string): TroveError {
  return new TroveError('OBJECT_MISSING', `The content of ${what} (${oid.algo}:${oid.hex.slice(0, 12)}…) is not in the local store.`, {
    hint: 'Re-add the data if you still have it, point core.cache at a store that has it, or check out a revision whose data you have (trove status shows what is missing).',
    data: { path: what, oid: `${oid.algo}:${oid.hex}` },
  });
}

function corrupt(oid: Oid, what: string): TroveError {
  return new TroveError('CORRUPT_OBJECT', `The stored content of ${what} (${oid.algo}:${oid.hex.slice(0, 12)}…) is corrupt; it was removed from the store and not written to the work tree.`, {
    hint: 'Re-add the data if you still have it, or point core.cache at a store that has an intact copy.',
    data: { path: what, oid: `${oid.algo}:${oid.hex}` },
  });
}
