import { parentPort } from 'node:worker_threads';
import { hashFileSync, ingestFileSync, storeRangesSync } from './ingestSync.js';

/** Progress for large files: a message every 32 MiB, so a 1 GiB add moves its bar smoothly. */
function progress(id: number): (n: number) => void {
  let pending = 0;
  return (n) => {
    pending += n;
    if (pending >= 32 * 1024 * 1024) {
      parentPort!.postMessage({ id, progress: pending });
      pending = 0;
    }
  };
}

/** Worker-thread side of IngestPool: runs batches of sync ingest/hash jobs. */
export interface IngestJob {
  readonly kind: 'ingest' | 'hash' | 'ranges';
  readonly path: string;
  readonly storeDir: string | null;
  /** kind 'ranges': chunks to hash and store; with `wholeHash`, the whole-file digest first */
  readonly ranges?: readonly (readonly [number, number])[];
  readonly wholeHash?: boolean;
}
export type IngestReply = { ok: true; hex: string; size: number; chunked: boolean; written: number; chunks?: { size: number; hex: string }[] } | { ok: false; code: string | undefined; message: string };

parentPort?.on('message', (msg: { id: number; job: IngestJob[] }) => {
  const results: IngestReply[] = msg.job.map((job) => {
    try {
      if (job.kind === 'hash') return { ok: true, hex: hashFileSync(job.path), size: -1, chunked: false, written: 0 };
      if (job.kind === 'ranges') {
        const hex = job.wholeHash ? hashFileSync(job.path) : '';
        const r = storeRangesSync(job.path, job.storeDir!, job.ranges ?? [], progress(msg.id));
        return { ok: true, hex, size: -1, chunked: true, written: r.written, chunks: r.hexes.map((h, i) => ({ size: job.ranges![i]![1], hex: h })) };
      }
      const r = ingestFileSync(job.path, job.storeDir, { onBytes: progress(msg.id) });
      return { ok: true, hex: r.hex, size: r.size, chunked: r.chunked, written: r.written };
    } catch (err) {
      return { ok: false, code: (err as NodeJS.ErrnoException).code, message: (err as Error).message };
    }
  });
  parentPort!.postMessage({ id: msg.id, reply: results });
});
