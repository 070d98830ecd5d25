import { availableParallelism } from 'node:os';
import { createOid } from '../core/oid.js';
import { WorkerPool } from '../platform/WorkerPool.js';
import { cutFileSync, ingestFileSync, writeChunkListSync, type IngestResult } from './ingestSync.js';
import type { IngestJob, IngestReply } from './ingestWorker.js';
import { CHUNK_THRESHOLD } from './layout.js';

export interface IngestItem {
  /** absolute path */
  readonly path: string;
  /** from stat, used to balance work and to decide whether threads pay off */
  readonly size: number;
}

export type IngestOutcome = { ok: true; result: IngestResult } | { ok: false; code: string | undefined; message: string };

/** Below this much work, starting worker threads (~30 ms each) costs more than it saves. */
const INLINE_MAX_BYTES = 16 * 1024 * 1024;
const INLINE_MAX_FILES = 200;
const BATCH_FILES = 64;

type IngestPool = WorkerPool<IngestJob[], IngestReply[]>;

/**
 * Hash (and optionally store) many files using every core. Work is sent in
 * batches to keep message overhead small for tiny files; a large file is
 * chunked on one thread while another computes its whole-file hash, so W1's
 * 1 GiB file uses both cores.
 */
export async function ingestMany(items: readonly IngestItem[], storeDir: string | null, options: { jobs?: number; onDone?: (item: IngestItem, outcome: IngestOutcome) => void; onProgress?: (bytes: number) => void } = {}): Promise<IngestOutcome[]> {
  const jobs = Math.max(1, options.jobs || availableParallelism());
  const total = items.reduce((s, i) => s + i.size, 0);
  if (jobs === 1 || (total <= INLINE_MAX_BYTES && items.length <= INLINE_MAX_FILES)) {
    return items.map((item) => {
      const outcome = runInline(item.path, storeDir);
      options.onDone?.(item, outcome);
      return outcome;
    });
  }
  const pool: IngestPool = new WorkerPool(new URL('./ingestWorker.js', import.meta.url), Math.min(jobs, Math.max(1, items.length + 1)), options.onProgress);
  try {
    const outcomes = new Array<IngestOutcome>(items.length);
    const small: number[] = [];
    const large: number[] = [];
    items.forEach((it, i) => (it.size > CHUNK_THRESHOLD && storeDir ? large : small).push(i));
    const tasks: Promise<void>[] = [];
    // Large files: cut points first (CDC alone runs at ~3 GiB/s), then two workers
    // hash and store the chunks in parallel, the one that also computes the
    // whole-file digest taking the smaller share so both finish together.
    for (const i of large) {
      const item = items[i]!;
      tasks.push(
        ingestLarge(pool, item.path, storeDir!).then((outcome) => {
          outcomes[i] = outcome;
          options.onDone?.(item, outcome);
        }),
      );
    }
    for (let b = 0; b < small.length; b += BATCH_FILES) {
      const idx = small.slice(b, b + BATCH_FILES);
      tasks.push(
        pool.run(idx.map((i) => ({ kind: 'ingest', path: items[i]!.path, storeDir }))).then((replies) => {
          replies.forEach((r, k) => {
            const i = idx[k]!;
            outcomes[i] = r.ok ? { ok: true, result: { hex: r.hex, size: r.size, chunked: r.chunked, written: r.written } } : r;
            options.onDone?.(items[i]!, outcomes[i]!);
          });
        }),
      );
    }
    await Promise.all(tasks);
    return outcomes;
  } finally {
    await pool.close();
  }
}

/** Share of chunk bytes given to the worker that also hashes the whole file (measured: hashing ~0.9 s/GiB, hash+write of chunks ~2.3 s/GiB). */
const WHOLE_HASH_SHARE = 0.3;

async function ingestLarge(pool: IngestPool, path: string, storeDir: string): Promise<IngestOutcome> {
  let lengths: number[];
  try {
    lengths = cutFileSync(path);
  } catch (err) {
    return { ok: false, code: (err as NodeJS.ErrnoException).code, message: (err as Error).message };
  }
  const size = lengths.reduce((s, n) => s + n, 0);
  const ranges: [number, number][] = [];
  let offset = 0;
  for (const len of lengths) {
    ranges.push([offset, len]);
    offset += len;
  }
  let split = 0;
  for (let acc = 0; split < ranges.length && acc < size * WHOLE_HASH_SHARE; split++) acc += ranges[split]![1];
  const [[a], [b]] = await Promise.all([
    pool.run([{ kind: 'ranges', path, storeDir, ranges: ranges.slice(0, split), wholeHash: true }]),
    pool.run([{ kind: 'ranges', path, storeDir, ranges: ranges.slice(split) }]),
  ]);
  if (!a!.ok) return a!;
  if (!b!.ok) return b!;
  const chunks = [...(a!.chunks ?? []), ...(b!.chunks ?? [])].map((x) => ({ size: x.size, oid: createOid('sha256', x.hex) }));
  const written = a!.written + b!.written + writeChunkListSync(storeDir, createOid('sha256', a!.hex), chunks);
  return { ok: true, result: { hex: a!.hex, size, chunked: true, written } };
}

function runInline(path: string, storeDir: string | null): IngestOutcome {
  try {
    return { ok: true, result: ingestFileSync(path, storeDir) };
  } catch (err) {
    return { ok: false, code: (err as NodeJS.ErrnoException).code, message: (err as Error).message };
  }
}
