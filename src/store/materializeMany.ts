import { availableParallelism } from 'node:os';
import { WorkerPool } from '../platform/WorkerPool.js';
import { tempPathFor } from '../util/atomicWrite.js';
import { objectFile } from './layout.js';
import type { MaterializeJob, MaterializeReply } from './materializeWorker.js';
import type { Oid } from '../core/oid.js';
import type { ObjectStore } from './ObjectStore.js';

export interface MaterializeItem {
  readonly oid: Oid;
  /** where it goes; its parent directory must exist, made and verified by the caller (the threads create no directory) */
  readonly dest: string;
  readonly executable: boolean;
}

/** Below this many files, starting threads (~30 ms each) costs more than it saves. */
export const MATERIALIZE_POOL_MIN_FILES = 256;
const BATCH = 64;

/**
 * Copy many small store objects into the work tree on worker threads, each
 * verified, written under a temp name with its mode and renamed into place:
 * a fresh 20,000-file checkout is file creation and sha256 on both cores
 * instead of a thread-pool round trip per system call on one. Returns, per
 * item, its stat when placed, or undefined when the caller must place it
 * itself with ObjectStore.materialize (chunked, absent, corrupt, an error:
 * that path reports and repairs). Given the store (not just its directory),
 * packed objects are read by (pack, offset, length), sorted by pack and
 * offset within each batch of jobs.
 */
export async function materializeMany(store: ObjectStore | string, items: readonly MaterializeItem[], options: { umask: number; threads?: number; onPlaced?: (i: number) => void }): Promise<({ ino: number; size: number; mtimeMs: number } | undefined)[]> {
  const out = new Array<{ ino: number; size: number; mtimeMs: number } | undefined>(items.length);
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const storeDir = typeof store === 'string' ? store : store.dir;
  const pool = new WorkerPool<MaterializeJob[], MaterializeReply[]>(new URL('./materializeWorker.js', import.meta.url), threads);
  try {
    // Jobs are built a few batches ahead of the threads, not all up front:
    // 20,000 jobs' path strings at once were ~25 MiB of heap on top of the
    // fetch's in a pull.
    const inFlight = new Set<Promise<void>>();
    for (let b = 0; b < items.length; b += BATCH) {
      const idx = items.slice(b, b + BATCH).map((_, k) => b + k);
      const built = idx.map((i): MaterializeJob => {
        const it = items[i]!;
        const mode = it.executable ? 0o755 : 0o644;
        const at = typeof store === 'string' ? undefined : store.entry('object', it.oid)?.location;
        const where = at?.packed ? { src: at.file, offset: at.offset, length: at.length } : { src: objectFile(storeDir, it.oid) };
        return { ...where, hex: it.oid.hex, dest: it.dest, tmp: tempPathFor(it.dest), mode, chmod: (mode & ~options.umask) !== mode };
      });
      // Packed objects in pack and offset order: the reads of a batch go forward through each pack.
      const order = built.map((_, k) => k).sort((x, y) => (built[x]!.src < built[y]!.src ? -1 : built[x]!.src > built[y]!.src ? 1 : (built[x]!.offset ?? 0) - (built[y]!.offset ?? 0)));
      const jobs = order.map((k) => built[k]!);
      idx.splice(0, idx.length, ...order.map((k) => idx[k]!));
      const task = pool.run(jobs).then((replies) => {
        replies.forEach((r, k) => {
          if (!r.ok) return;
          out[idx[k]!] = { ino: r.ino, size: r.size, mtimeMs: r.mtimeMs };
          options.onPlaced?.(idx[k]!);
        });
      });
      inFlight.add(task);
      void task.then(
        () => inFlight.delete(task),
        () => inFlight.delete(task),
      );
      if (inFlight.size >= 2 * threads) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await pool.close();
  }
  return out;
}
