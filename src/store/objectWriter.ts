import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';
import { storeTempFor } from './layout.js';
import { syncFileSystemCommand } from './syncFileSystem.js';

import { SYNCS_IN_FLIGHT, syncAndClose, syncDirs, syncDirsSync, syncPath } from './syncPaths.js';

export { FS_SYNC_MIN_OBJECTS, useFsWideSync } from './syncFileSystem.js';
export { syncDirs, syncDirsSync } from './syncPaths.js';
import { mapLimit } from '../util/mapLimit.js';
import { mkdirp } from '../util/mkdirp.js';

/**
 * The one place objects enter the store, and so the one place that decides
 * their durability. Every writer (add's threads and main thread, a fetch's
 * threads and main thread, manifest pages) goes through ObjectBatch, with
 * Git's batch order (core.fsyncMethod=batch):
 *
 *   1. each object is written to a hidden temp file beside its final name
 *      (storeTempFor), read-only, and its data sync is started at once on
 *      the thread pool, without waiting (the disk works while the caller
 *      hashes the next file);
 *   2. commit() waits for those syncs, then renames every temp into place:
 *      no name ever points at data that is not on disk;
 *   3. the caller syncs each touched fan-out directory once (syncDirs), so
 *      the renames themselves survive, and only then writes anything that
 *      names the objects (manifest, pointer, stat cache, completeness marks).
 *
 * Without the sync, a power cut after the rename could leave an empty object
 * whose work-tree original the next checkout had already replaced. Node has
 * no syncfs() and no sync_file_range(), so "one sync for the batch" is one
 * fdatasync per temp file, all in flight together (ext4 folds concurrent
 * ones into shared journal commits).
 *
 * Many objects (useFsWideSync: Linux, >= FS_SYNC_MIN_OBJECTS in a command,
 * `sync` on PATH): per-object syncs cost ~20 % of an add of 5,000 small
 * files, so an `fsWide` batch instead runs syncfs(2) of the store's file
 * system through `sync -f <store>`: all temps written without a sync (add's
 * worker threads only write them, `defer`, and hand them to the main thread's
 * batch, `handOff` / `adopt`), one syncfs, the renames, one syncfs (the
 * renames and any new fan-out directories), and only then anything that
 * names the objects. The batch does not wait for commit() to start: every
 * 2,048 pending objects (adopted from threads, or a fetch's) or 64 MiB (its
 * own: a large file's chunks) it runs a syncfs in the background and then
 * renames the objects written before that syncfs started, so the disk writes
 * while the threads hash and commit() is left with the tail. If `sync` is
 * missing or fails before the renames, commit() syncs each temp instead
 * (never no sync); if the one after fails, `dirs` stays filled for the
 * caller's syncDirs.
 *
 * `fsync: false` (core.fsync, TROVE_FSYNC) skips every sync (syncfs
 * included) for scratch work; the order stays the same.
 *
 * A temp file never counts as an object (its name is not hex): one left by a
 * crash before the rename is invisible, and removeStaleTemps deletes it later.
 */
export type WriterFs = Pick<typeof nodeFs, 'openSync' | 'writeSync' | 'closeSync' | 'fdatasync' | 'fdatasyncSync' | 'fsync' | 'fsyncSync' | 'renameSync' | 'rmSync' | 'statSync' | 'mkdirSync'>;

export interface ObjectWriteOptions {
  /** make each object's data durable before its name appears, and its directory entry after (core.fsync; default true) */
  readonly fsync?: boolean;
  /** the file-system calls (tests count syncs or stop between steps) */
  readonly fs?: WriterFs;
  /** syncfs(2) of the file system holding a directory (default: `sync -f dir`); tests count or fail it */
  readonly syncFileSystem?: (dir: string) => Promise<void>;
}

/** The temps of a batch handed from a worker thread to the main thread's batch, which syncs and renames them (handOff / adopt). */
export interface StagedObjects {
  readonly objects: readonly { readonly tmp: string; readonly target: string }[];
  readonly dirs: readonly string[];
}

/**
 * An `fsWide` batch does not wait for commit() to sync: as soon as this many
 * objects are pending (adopt) and no syncfs is in flight, it starts one in
 * the background, and when it finishes renames the objects that were written
 * before it started (their data is on disk now). So the disk writes, and
 * the main thread renames, while the worker threads still hash, and commit()
 * is left with the last few hundred objects: one syncfs, their renames, one
 * syncfs for every directory entry. Measured on W2 (20,000 files): the
 * commit-only order spent +27 % of the add waiting for the one big syncfs
 * and renaming 20,000 temps on one thread.
 */
export const FS_SYNC_HEAD_START = 2048;
export const FS_SYNC_HEAD_START_BYTES = 64 * 1024 * 1024;

/**
 * Data syncs started early per batch; later temp files are closed at once and
 * synced at commit (by reopening), so a 100 GiB file's chunks never hold
 * 100,000 descriptors open.
 */
const EARLY_SYNCS = 256;

interface Pending {
  readonly tmp: string;
  readonly target: string;
  /** the data sync started in add(), or undefined when commit must do it */
  readonly sync: Promise<void> | undefined;
}

export class ObjectBatch {
  private readonly fs: WriterFs;
  private readonly fsync: boolean;
  private readonly syncFileSystem: (dir: string) => Promise<void>;
  /** no sync in add(): the temps are synced together at commit (fsWide) or by the batch that adopts them (defer) */
  private readonly lateSync: boolean;
  private pending: Pending[] = [];
  private readonly staged = new Set<string>();
  private early = 0;
  /** fsWide: the background syncfs in flight, after which the objects pending when it started are renamed (see FS_SYNC_HEAD_START) */
  private headStart: Promise<void> | undefined;
  /** a rename after a background syncfs failed: commit() removes every temp and throws it */
  private headStartFailure: unknown;
  /** fsWide: bytes staged by add() since the last head start */
  private bytesSinceHeadStart = 0;
  /** Directories whose entries changed (fan-out directories, and parents of ones created): sync each once, after commit. */
  readonly dirs = new Set<string>();

  /**
   * `early: false` for a synchronous caller (commitSync): each temp is synced
   * before it is closed instead of on the thread pool. `fsWide: storeDir`
   * (see useFsWideSync): no per-object sync; commit() runs one syncfs of the
   * store's file system before the renames and one after. `defer`: a worker
   * thread's batch that only writes temps and hands them off (handOff) to a
   * main-thread `fsWide` batch; it never commits.
   */
  constructor(options: ObjectWriteOptions = {}, private readonly mode: { early: boolean; fsWide?: string; defer?: boolean } = { early: true }) {
    this.fs = options.fs ?? nodeFs;
    this.fsync = options.fsync ?? true;
    this.syncFileSystem = options.syncFileSystem ?? syncFileSystemCommand;
    this.lateSync = mode.fsWide !== undefined || mode.defer === true;
  }

  /**
   * Stage `data` as the object at `target`: written to a temp file, visible
   * after commit(). Returns the bytes written, 0 when a correct object is
   * there already (same size: the name is the content's hash; an object of
   * the wrong size, such as one emptied by a power cut under an older trove,
   * is replaced) or was staged by this batch. `checkExists: false` skips the
   * look for callers that just found the object absent.
   */
  add(target: string, data: Uint8Array, options: { checkExists?: boolean } = {}): number {
    if (this.staged.has(target)) return 0;
    if ((options.checkExists ?? true) && this.fs.statSync(target, { throwIfNoEntry: false })?.size === data.length) return 0;
    const tmp = storeTempFor(target);
    const fd = this.openTemp(tmp, target);
    let sync: Promise<void> | undefined;
    try {
      writeAll(this.fs, fd, data);
      if (!this.fsync || this.lateSync) {
        /* synced later, all together */
      } else if (!this.mode.early) this.fs.fdatasyncSync(fd);
      else if (this.early < EARLY_SYNCS) {
        this.early++;
        sync = syncAndClose(this.fs, fd);
        // Awaited in commit(); handled now so a failure while the caller is busy is not an unhandled rejection.
        sync.catch(() => undefined);
      }
    } catch (err) {
      this.fs.closeSync(fd);
      this.fs.rmSync(tmp, { force: true });
      throw err;
    }
    if (!sync) this.fs.closeSync(fd);
    this.pending.push({ tmp, target, sync });
    this.staged.add(target);
    this.bytesSinceHeadStart += data.length;
    if (this.bytesSinceHeadStart >= FS_SYNC_HEAD_START_BYTES) this.startHeadStart();
    return data.length;
  }

  /** A worker's `defer` batch: give its temps (not synced, not renamed) to the main thread's batch (adopt). */
  handOff(): StagedObjects {
    const dirs = [...this.dirs];
    this.dirs.clear();
    return { objects: this.take().map(({ tmp, target }) => ({ tmp, target })), dirs };
  }

  /** Take over temps staged by another batch (a worker's handOff): this batch syncs and renames them, in order, at commit. */
  adopt(staged: StagedObjects): void {
    for (const o of staged.objects) this.pending.push({ ...o, sync: undefined });
    for (const d of staged.dirs) this.dirs.add(d);
    if (this.pending.length >= FS_SYNC_HEAD_START) this.startHeadStart();
  }

  /**
   * fsWide: start a syncfs in the background unless one is in flight; when it
   * succeeds, rename the objects that were pending when it started (written
   * and closed before it, so on disk now). A failed one changes nothing:
   * commit's own syncfs decides, and falls back.
   */
  private startHeadStart(): void {
    if (!this.fsync || this.mode.fsWide === undefined || this.headStart || this.headStartFailure !== undefined) return;
    const covered = this.pending.length;
    this.bytesSinceHeadStart = 0;
    this.headStart = this.syncFileSystem(this.mode.fsWide).then(
      () => {
        this.headStart = undefined;
        // Only adopt()/add() append to pending while a syncfs is in flight, and commit() waits for it: the first `covered` are the ones it saw.
        const done = this.pending.splice(0, covered);
        try {
          this.renameAll(done);
        } catch (err) {
          this.removeTemps(done);
          this.headStartFailure = err;
        }
        if (this.pending.length >= FS_SYNC_HEAD_START) this.startHeadStart();
      },
      () => void (this.headStart = undefined),
    );
  }

  /** Temps waiting for commit (adopted ones included). */
  get size(): number {
    return this.pending.length;
  }

  /**
   * Wait for the data syncs, then rename every staged temp into place. On
   * failure nothing more is renamed and the temps are removed. An `fsWide`
   * batch syncs the file system instead, before the renames and after (then
   * `dirs` is empty: nothing left for syncDirs); if syncfs is unavailable or
   * fails, it falls back to the per-object syncs, never to none.
   */
  async commit(): Promise<void> {
    while (this.headStart) await this.headStart;
    const pending = this.take();
    if (this.headStartFailure !== undefined) {
      const err = this.headStartFailure;
      this.headStartFailure = undefined;
      this.removeTemps(pending);
      throw err;
    }
    // All renamed by background syncs already (dirs filled): only the syncfs for their entries is left.
    if (this.fsync && this.mode.fsWide !== undefined && (pending.length > 0 || this.dirs.size > 0)) {
      let synced = pending.length === 0;
      if (!synced) {
        try {
          await this.syncFileSystem(this.mode.fsWide);
          synced = true;
        } catch {
          /* fall back to syncing each temp below */
        }
      }
      if (synced) {
        try {
          this.renameAll(pending);
        } catch (err) {
          this.removeTemps(pending);
          throw err;
        }
        try {
          await this.syncFileSystem(this.mode.fsWide);
          this.dirs.clear();
        } catch {
          /* the caller's syncDirs makes the renames durable */
        }
        return;
      }
    }
    try {
      if (this.fsync) {
        const early = await Promise.allSettled(pending.map((p) => p.sync));
        const failed = early.find((r) => r.status === 'rejected');
        if (failed) throw (failed as PromiseRejectedResult).reason;
        await mapLimit(
          pending.filter((p) => !p.sync),
          SYNCS_IN_FLIGHT,
          (p) => syncPath(this.fs, p.tmp, 'data'),
        );
      }
      this.renameAll(pending);
    } catch (err) {
      await Promise.allSettled(pending.map((p) => p.sync));
      this.removeTemps(pending);
      throw err;
    }
  }

  /** commit() for a synchronous caller (a batch built with `early: false`). */
  commitSync(): void {
    const pending = this.take();
    try {
      this.renameAll(pending);
    } catch (err) {
      this.removeTemps(pending);
      throw err;
    }
  }

  private take(): Pending[] {
    const pending = this.pending;
    this.pending = [];
    this.staged.clear();
    this.early = 0;
    this.bytesSinceHeadStart = 0;
    return pending;
  }

  private renameAll(pending: readonly Pending[]): void {
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      this.fs.renameSync(p.tmp, p.target);
      this.dirs.add(dirname(p.target));
      // Renamed: nothing left to remove on a later failure.
      (pending as Pending[])[i] = { ...p, tmp: '' };
    }
  }

  private removeTemps(pending: readonly Pending[]): void {
    for (const p of pending) if (p.tmp) this.fs.rmSync(p.tmp, { force: true });
  }

  private openTemp(tmp: string, target: string): number {
    try {
      return this.fs.openSync(tmp, 'wx', 0o444);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const dir = dirname(target);
    let first: string | undefined;
    try {
      first = this.fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirp(dir); // surfaces the real errno (EROFS, EACCES) that recursive mkdir hides
      first = dir;
    }
    // A directory just created is itself a new entry in its parent.
    if (first !== undefined) for (let d = dir; ; d = dirname(d)) {
      this.dirs.add(dirname(d));
      if (d === first || d === dirname(d)) break;
    }
    return this.fs.openSync(tmp, 'wx', 0o444);
  }
}

/** Write one object now (temp, data sync, rename); its directory is synced at once unless `dirs` collects it for the caller to sync. Returns bytes written (0 when present). */
export function writeObjectSync(target: string, data: Uint8Array, options: ObjectWriteOptions = {}, dirs?: Set<string>): number {
  const batch = new ObjectBatch(options, { early: false });
  const written = batch.add(target, data);
  batch.commitSync();
  if (dirs) for (const d of batch.dirs) dirs.add(d);
  else syncDirsSync(batch.dirs, options);
  return written;
}

/** Asynchronous writeObjectSync, for a caller with many writes in flight (a fetch). */
export async function writeObject(target: string, data: Uint8Array, options: ObjectWriteOptions & { checkExists?: boolean } = {}, dirs?: Set<string>): Promise<number> {
  const batch = new ObjectBatch(options);
  const written = batch.add(target, data, options);
  await batch.commit();
  if (dirs) for (const d of batch.dirs) dirs.add(d);
  else await syncDirs(batch.dirs, options);
  return written;
}

function writeAll(fs: WriterFs, fd: number, data: Uint8Array): void {
  for (let done = 0; done < data.length; ) {
    const n = fs.writeSync(fd, data, done, data.length - done);
    if (n === 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
    done += n;
  }
}
