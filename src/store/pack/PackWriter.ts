import { createHash, type Hash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { encodeLocalPackIndex, type LocalPackEntry } from '../../core/localPackIndex.js';
import { serializePackIndex, type PackEntryKind } from '../../core/packIndex.js';
import { tempPathFor } from '../../util/atomicWrite.js';
import { isAbandonedTemp } from '../../util/abandonedTemps.js';
import { readdirSync } from 'node:fs';
import type { WriterFs } from '../objectWriter.js';
import { syncDirsSync } from '../syncPaths.js';

/** A pack is sealed once it holds this much (the remote's MAX_PACK_BYTES: one local pack can be sent as one remote pack). */
export const PACK_TARGET = 64 * 1024 * 1024;
/** Objects up to this size are packed: small files, manifest pages, chunk lists. Chunks (~290 KiB) and large files stay loose. */
export const PACK_MAX_OBJECT = 64 * 1024;
/** An ingest (add) of fewer files stays loose, as git unpacks a fetch of fewer than transfer.unpackLimit (100) objects. */
export const PACK_MIN_OBJECTS = 100;
/** Appends are gathered into one write of this size. */
const WRITE_BUFFER = 4 * 1024 * 1024;

export interface PackWriterOptions {
  /** core.fsync: pack and index data synced before their renames, the directory after (default true) */
  readonly fsync?: boolean;
  /** the file-system calls (tests stop or count them between steps, as objectWriter.test.ts does) */
  readonly fs?: WriterFs;
  /** seal a pack once it reaches this many bytes (PACK_TARGET) */
  readonly targetBytes?: number;
  /** called before the first pack of this writer is published (the store writes FORMAT 2 there) */
  readonly beforePublish?: () => void;
  /**
   * has() answers for the open pack only: a sealed pack's entries are forgotten, so the dedupe set holds at most one
   * pack's entries however much is written (add at 1M files: ~100 B an object otherwise). The caller then finds
   * sealed entries in the store (ingestSession reloads its pack set after each seal). Default false (repack relies on has()).
   */
  readonly forgetSealed?: boolean;
}

export interface SealedPack {
  /** sha256 of the pack's text index (core/packIndex.ts), as push names remote packs */
  readonly name: string;
  readonly entries: number;
  readonly bytes: number;
}

interface Open {
  readonly tmp: string;
  readonly fd: number;
  readonly hash: Hash;
  readonly entries: Omit<LocalPackEntry, 'offset'>[];
  size: number;
  buffer: Buffer;
  buffered: number;
}

/**
 * Writes local packs (`<store>/packs/<name>.pack` + `.tidx`, docs/formats.md
 * "Local pack index"). Entries are appended in the remote pack format;
 * duplicates within the writer are skipped (the caller checks the store).
 * A pack becomes visible to readers only when its `.tidx` is renamed into
 * place, which `seal` does last:
 *
 *   1. the temp pack (O_EXCL, pid-named: util/abandonedTemps sweeps it when the pid is dead);
 *   2. fdatasync the pack;
 *   3. the temp `.tidx`, fdatasync it;
 *   4. rename the pack to `<name>.pack` (an existing one of the same size is the same bytes: kept);
 *   5. rename the `.tidx`, last;
 *   6. `finish()`: one fsync of `packs/` before anything names the objects.
 *
 * A kill at any step leaves either temps (invisible) or a `.pack` without
 * its `.tidx` (invisible; an identical seal reuses it). `fsync: false` skips
 * the syncs and keeps the order.
 */
export class PackWriter {
  private readonly fs: WriterFs;
  private readonly fsync: boolean;
  private readonly target: number;
  private open: Open | undefined;
  private readonly seen = new Set<string>();
  private published = false;
  readonly sealed: SealedPack[] = [];

  constructor(
    readonly packsDir: string,
    private readonly options: PackWriterOptions = {},
  ) {
    this.fs = options.fs ?? nodeFs;
    this.fsync = options.fsync ?? true;
    this.target = options.targetBytes ?? PACK_TARGET;
  }

  /** Was this entry appended to this writer (sealed or not; with forgetSealed, to the open pack)? */
  has(kind: PackEntryKind, hex: string): boolean {
    return this.seen.has(kind + hex);
  }

  /** Entries the dedupe set holds (tests: bounded by one pack with forgetSealed). */
  get remembered(): number {
    return this.seen.size;
  }

  /** Bytes appended to the pack being written. */
  get pendingBytes(): number {
    return this.open?.size ?? 0;
  }

  /**
   * Append one entry: an object ('o', `hex` = sha256 of `bytes`) or a chunk
   * list ('f', `hex` = the file's sha256; its bytes' own sha256 is computed
   * here). Returns the bytes appended, 0 for a duplicate. The entry is
   * readable once its pack is sealed; the caller has verified `hex`.
   */
  append(kind: PackEntryKind, hex: string, bytes: Uint8Array): number {
    const key = kind + hex;
    if (this.seen.has(key)) return 0;
    const open = this.open ?? (this.open = this.start());
    const digest = kind === 'o' ? hex : createHash('sha256').update(bytes).digest('hex');
    if (open.buffered + bytes.length > open.buffer.length) this.flush(open);
    if (bytes.length > open.buffer.length) this.writeAll(open.fd, bytes);
    else {
      open.buffer.set(bytes, open.buffered);
      open.buffered += bytes.length;
    }
    open.hash.update(bytes);
    open.entries.push({ kind, hex, length: bytes.length, digest });
    open.size += bytes.length;
    this.seen.add(key);
    if (open.size >= this.target) this.seal();
    return bytes.length;
  }

  /**
   * Publish the pack being written (steps 1–5; finish() does step 6).
   * Undefined when nothing is pending. On failure the temps are removed and
   * the error thrown: nothing of this pack is visible.
   */
  seal(): SealedPack | undefined {
    const open = this.open;
    if (!open) return undefined;
    this.open = undefined;
    let tidxTmp: string | undefined;
    let closed = false;
    try {
      this.flush(open);
      if (this.fsync) this.fs.fdatasyncSync(open.fd);
      closed = true;
      this.fs.closeSync(open.fd);
      const text = serializePackIndex(open.entries);
      const name = createHash('sha256').update(text.text).digest('hex');
      const index = encodeLocalPackIndex({ packSize: open.size, packSha256: open.hash.digest('hex'), entries: text.entries });
      tidxTmp = tempPathFor(join(this.packsDir, 'tidx'));
      const fd = this.fs.openSync(tidxTmp, 'wx', 0o444);
      try {
        this.writeAll(fd, index);
        if (this.fsync) this.fs.fdatasyncSync(fd);
      } finally {
        this.fs.closeSync(fd);
      }
      if (!this.published) {
        this.options.beforePublish?.();
        this.published = true;
      }
      const packPath = join(this.packsDir, `${name}.pack`);
      if (this.fs.statSync(packPath, { throwIfNoEntry: false })?.size === open.size) this.fs.rmSync(open.tmp, { force: true });
      else this.fs.renameSync(open.tmp, packPath);
      this.fs.renameSync(tidxTmp, join(this.packsDir, `${name}.tidx`));
      const sealed: SealedPack = { name, entries: open.entries.length, bytes: open.size };
      this.sealed.push(sealed);
      if (this.options.forgetSealed) for (const e of open.entries) this.seen.delete(e.kind + e.hex);
      return sealed;
    } catch (err) {
      if (!closed) this.fs.closeSync(open.fd);
      this.fs.rmSync(open.tmp, { force: true });
      if (tidxTmp) this.fs.rmSync(tidxTmp, { force: true });
      for (const e of open.entries) this.seen.delete(e.kind + e.hex);
      throw err;
    }
  }

  /** Seal what is pending and make every sealed pack's directory entries durable (step 6). Returns the packs this writer published. */
  finish(): SealedPack[] {
    this.seal();
    if (this.sealed.length > 0) syncDirsSync([this.packsDir], { fsync: this.fsync, fs: this.fs });
    return this.sealed;
  }

  /** Drop the pack being written (its temp); sealed packs stay. */
  abort(): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    try {
      this.fs.closeSync(open.fd);
    } catch {
      // already closed by a failed write: the temp is removed below either way
    }
    this.fs.rmSync(open.tmp, { force: true });
    for (const e of open.entries) this.seen.delete(e.kind + e.hex);
  }

  private start(): Open {
    this.fs.mkdirSync(this.packsDir, { recursive: true });
    // Temps of a writer killed -9 (its pid is dead): nothing names them, so the next writer sweeps them.
    for (const name of readdirSync(this.packsDir)) if (isAbandonedTemp(name)) this.fs.rmSync(join(this.packsDir, name), { force: true });
    const tmp = tempPathFor(join(this.packsDir, 'pack'));
    const fd = this.fs.openSync(tmp, 'wx', 0o444);
    return { tmp, fd, hash: createHash('sha256'), entries: [], size: 0, buffer: Buffer.allocUnsafe(WRITE_BUFFER), buffered: 0 };
  }

  private flush(open: Open): void {
    if (open.buffered === 0) return;
    this.writeAll(open.fd, open.buffer.subarray(0, open.buffered));
    open.buffered = 0;
  }

  private writeAll(fd: number, data: Uint8Array): void {
    for (let done = 0; done < data.length; ) {
      const n = this.fs.writeSync(fd, data, done, data.length - done);
      if (n === 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
      done += n;
    }
  }
}
