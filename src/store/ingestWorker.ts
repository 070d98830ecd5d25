import { parentPort } from 'node:worker_threads';
import { hashFileSync, ingestFileSync } from './ingestSync.js';

/** Worker-thread side of IngestPool: runs batches of sync ingest/hash jobs. */
export interface IngestJob {
  readonly kind: 'ingest' | 'hash' | 'chunk-only';
  readonly path: string;
  readonly storeDir: string | null;
}
export type IngestReply = { ok: true; hex: string; size: number; chunked: boolean; written: number; chunks?: { size: number; hex: string }[] } | { ok: false; code: string | undefined; message: string };

parentPort?.on('message', (msg: { id: number; jobs: IngestJob[] }) => {
  const results: IngestReply[] = msg.jobs.map((job) => {
    try {
      if (job.kind === 'hash') return { ok: true, hex: hashFileSync(job.path), size: -1, chunked: false, written: 0 };
      // Progress for large files: a message every 32 MiB, so a 1 GiB add moves its bar smoothly.
      let pending = 0;
      const onBytes = (n: number): void => {
        pending += n;
        if (pending >= 32 * 1024 * 1024) {
          parentPort!.postMessage({ id: msg.id, progress: pending });
          pending = 0;
        }
      };
      const r = ingestFileSync(job.path, job.storeDir, { wholeHash: job.kind !== 'chunk-only', onBytes });
      return { ok: true, hex: r.hex, size: r.size, chunked: r.chunked, written: r.written, ...(r.chunks && job.kind === 'chunk-only' ? { chunks: r.chunks.map((c) => ({ size: c.size, hex: c.oid.hex })) } : {}) };
    } catch (err) {
      return { ok: false, code: (err as NodeJS.ErrnoException).code, message: (err as Error).message };
    }
  });
  parentPort!.postMessage({ id: msg.id, results });
});
