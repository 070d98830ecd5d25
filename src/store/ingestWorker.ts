import { parentPort } from 'node:worker_threads';
import { hashFileSync, ingestFileSync, storeRangesSync } from './ingestSync.js';
import { ObjectBatch, type StagedObjects } from './objectWriter.js';

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
  /** core.fsync: objects durable before they become visible (objectWriter) */
  readonly fsync?: boolean;
  /** write temps only and hand them to the main thread, which makes them durable with one syncfs for the command (objectWriter useFsWideSync) */
  readonly defer?: boolean;
  /** kind 'ranges': chunks to hash and store; with `wholeHash`, the whole-file digest first */
  readonly ranges?: readonly (readonly [number, number])[];
  readonly wholeHash?: boolean;
}
export type IngestReply = { ok: true; hex: string; size: number; chunked: boolean; written: number; chunks?: { size: number; hex: string }[] } | { ok: false; code: string | undefined; message: string };

/** Replies in job order, and the directories whose entries the jobs' objects changed (to be synced once, by the caller). */
export interface IngestBatchReply {
  readonly replies: IngestReply[];
  readonly dirs: string[];
  /** with `defer`: the temps, neither synced nor renamed; the jobs' objects exist once the main thread commits them */
  readonly staged?: StagedObjects;
}

/**
 * One message's jobs share one object batch: every object is written and
 * its data sync started while the next file is hashed; the renames follow
 * once all syncs are done, before the reply (so a reply means "stored").
 */
async function runJobs(id: number, jobs: readonly IngestJob[]): Promise<IngestBatchReply> {
  const defer = jobs[0]?.defer === true;
  const batch = new ObjectBatch({ fsync: jobs[0]?.fsync ?? true }, { early: true, defer });
  const results: IngestReply[] = jobs.map((job) => {
    const sink = job.storeDir ? { dir: job.storeDir, batch } : null;
    try {
      if (job.kind === 'hash') return { ok: true, hex: hashFileSync(job.path), size: -1, chunked: false, written: 0 };
      if (job.kind === 'ranges') {
        const hex = job.wholeHash ? hashFileSync(job.path) : '';
        const r = storeRangesSync(job.path, sink!, job.ranges ?? [], progress(id));
        return { ok: true, hex, size: -1, chunked: true, written: r.written, chunks: r.hexes.map((h, i) => ({ size: job.ranges![i]![1], hex: h })) };
      }
      const r = ingestFileSync(job.path, sink, { onBytes: progress(id) });
      return { ok: true, hex: r.hex, size: r.size, chunked: r.chunked, written: r.written };
    } catch (err) {
      return { ok: false, code: (err as NodeJS.ErrnoException).code, message: (err as Error).message };
    }
  });
  if (defer) return { replies: results, dirs: [], staged: batch.handOff() };
  try {
    await batch.commit();
  } catch (err) {
    // Nothing of this message was renamed into place: every job that stored something failed.
    const failed: IngestReply = { ok: false, code: (err as NodeJS.ErrnoException).code, message: (err as Error).message };
    return { replies: results.map((r, i) => (r.ok && jobs[i]!.storeDir ? failed : r)), dirs: [] };
  }
  return { replies: results, dirs: [...batch.dirs] };
}

parentPort?.on('message', (msg: { id: number; job: IngestJob[] }) => {
  void runJobs(msg.id, msg.job).then((reply) => parentPort!.postMessage({ id: msg.id, reply }));
});
