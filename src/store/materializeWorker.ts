import { createHash } from 'node:crypto';
import { chmodSync, closeSync, fstatSync, lstatSync, openSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

/** One small whole object to copy from the store to the work tree. */
export interface MaterializeJob {
  /** the store object, or the pack holding it at [offset, offset + length) */
  readonly src: string;
  readonly offset?: number;
  readonly length?: number;
  readonly hex: string;
  readonly dest: string;
  /** temp name beside dest */
  readonly tmp: string;
  readonly mode: number;
  /** the umask would strip bits from mode: chmod after creating */
  readonly chmod: boolean;
}

/** Placed, with the stat for the stat cache; or "not here": the caller's general path handles it (absent, chunked, large, corrupt, an I/O error). */
export type MaterializeReply = { ok: true; ino: number; size: number; mtimeMs: number } | { ok: false };

/** Objects above this size are left to the caller (streamed, not read whole). */
const MAX_BYTES = 1 << 20;

/**
 * Worker-thread side of materializeMany: the happy path only, synchronously
 * (a sync call costs a few µs where an async one costs a thread-pool round
 * trip): read the object whole, verify its sha256, write the temp file with
 * its mode, rename it over dest. Anything unusual is answered { ok: false }
 * and retried by ObjectStore.materialize on the main thread, which owns the
 * error messages, quarantine of corrupt objects and chunked files.
 */
/**
 * One read buffer for every file this thread places: a new buffer per file
 * was 640 MiB of garbage for a W2 checkout, which V8 frees late (external
 * memory), and cost ~70 MiB of peak RSS.
 */
const scratch = Buffer.allocUnsafeSlow(MAX_BYTES);

function place(job: MaterializeJob): MaterializeReply {
  let data: Buffer;
  try {
    const fd = openSync(job.src, 'r');
    try {
      const base = job.offset ?? 0;
      const size = job.length ?? fstatSync(fd).size;
      if (size > MAX_BYTES) return { ok: false };
      data = scratch.subarray(0, size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, data, got, size - got, base + got);
        if (n === 0) return { ok: false };
        got += n;
      }
    } finally {
      closeSync(fd);
    }
  } catch {
    // ok: false sends the job back to the caller's general path, which reads the object again and reports any error
    return { ok: false };
  }
  if (createHash('sha256').update(data).digest('hex') !== job.hex) return { ok: false };
  try {
    // No mkdir here: the caller made and verified every parent directory (WorkTreeDirs), and a
    // thread that created one could create it through a symlink. A missing one fails the write,
    // and the caller's general path places the file.
    writeFileSync(job.tmp, data, { flag: 'wx', mode: job.mode });
    if (job.chmod) chmodSync(job.tmp, job.mode);
    renameSync(job.tmp, job.dest);
    const st = lstatSync(job.dest);
    return { ok: true, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    // ok: false sends the job back to the caller's general path, which places the file and reports any error
    rmSync(job.tmp, { force: true });
    return { ok: false };
  }
}

parentPort?.on('message', (msg: { id: number; job: MaterializeJob[] }) => {
  parentPort!.postMessage({ id: msg.id, reply: msg.job.map((j) => place(j)) });
});
