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
  /** kind 'ranges': make the chunks durable with syncfs (objectWriter `fsWide`; the main thread checked useFsWideSync) instead of a sync per chunk */
  readonly fsWide?: boolean;
  /** kind 'ranges': chunks to hash and store; with `wholeHash`, the whole-file digest first */
  readonly ranges?: readonly (readonly [number, number])[];
  readonly wholeHash?: boolean;
  /** kind 'ingest': a file of at most this many bytes is not stored here but returned (`packed`) for the main thread's pack writer */
  readonly packMax?: number;
}
export type IngestReply = { ok: true; hex: string; size: number; chunked: boolean; written: number; chunks?: { size: number; hex: string }[]; /** the file's bytes, for the main thread's pack (IngestJob.packMax) */ packed?: Uint8Array } | { ok: false; code: string | undefined; message: string };

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
  const first = jobs[0];
  const fsWide = first?.kind === 'ranges' && first.fsWide && first.storeDir ? first.storeDir : undefined;
  const batch = new ObjectBatch({ fsync: first?.fsync ?? true }, { early: true, defer, fsWide });
  const results: IngestReply[] = [];
  for (const job of jobs) {
    const sink = job.storeDir ? { dir: job.storeDir, batch } : null;
    try {
      if (job.kind === 'hash') results.push({ ok: true, hex: hashFileSync(job.path), size: -1, chunked: false, written: 0 });
      else if (job.kind === 'ranges') results.push(await storeRanges(id, job, sink!));
      else {
        let packed: Uint8Array | undefined;
        // Copied into a buffer of its own: a small read may sit in Node's shared pool, which must not be transferred.
        const pack = job.packMax ? { maxObject: job.packMax, put: (_hex: string, data: Uint8Array) => ((packed = new Uint8Array(data)), 0) } : undefined;
        const r = ingestFileSync(job.path, sink && { ...sink, pack }, { onBytes: progress(id) });
        results.push({ ok: true, hex: r.hex, size: r.size, chunked: r.chunked, written: r.written, ...(packed ? { packed } : {}) });
      }
    } catch (err) {
      results.push({ ok: false, code: (err as NodeJS.ErrnoException).code, message: (err as Error).message });
    }
  }
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

/** A 'ranges' job is cut into slices of this many bytes, with a turn of the event loop between them (see storeRanges). */
const SLICE_BYTES = 32 * 1024 * 1024;

/**
 * Hash and store a large file's chunks, a slice at a time. Between slices the
 * event loop turns, so the batch's background syncs (the syncfs head start,
 * or the early per-chunk syncs) finish and the next can start while this
 * thread hashes on: the disk writes during the add instead of after it.
 */
async function storeRanges(id: number, job: IngestJob, sink: { dir: string; batch: ObjectBatch }): Promise<IngestReply> {
  const hex = job.wholeHash ? hashFileSync(job.path) : '';
  const ranges = job.ranges ?? [];
  const onBytes = progress(id);
  const hexes: string[] = [];
  let written = 0;
  for (let start = 0; start < ranges.length; ) {
    let end = start;
    for (let bytes = 0; end < ranges.length && bytes < SLICE_BYTES; end++) bytes += ranges[end]![1];
    const r = storeRangesSync(job.path, sink, ranges.slice(start, end), onBytes);
    hexes.push(...r.hexes);
    written += r.written;
    start = end;
    if (start < ranges.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { ok: true, hex, size: -1, chunked: true, written, chunks: hexes.map((h, i) => ({ size: ranges[i]![1], hex: h })) };
}

parentPort?.on('message', (msg: { id: number; job: IngestJob[] }) => {
  void runJobs(msg.id, msg.job).then((reply) => {
    const transfer = reply.replies.flatMap((r) => (r.ok && r.packed ? [r.packed.buffer as ArrayBuffer] : []));
    parentPort!.postMessage({ id: msg.id, reply }, transfer);
  });
});
