import { availableParallelism } from 'node:os';
import { createOid } from '../core/oid.js';
import { WorkerPool } from '../platform/WorkerPool.js';
import { cutFileSync, ingestFileSync, writeChunkListSync, type IngestResult } from './ingestSync.js';
import type { IngestBatchReply, IngestJob } from './ingestWorker.js';
import { ObjectBatch, syncDirs, useFsWideSync, type ObjectWriteOptions, type WriterFs } from './objectWriter.js';
import { CHUNK_THRESHOLD } from './chunkList.js';

export interface IngestItem {
  /** absolute path */
  readonly path: string;
  /** from stat, used to balance work and to decide whether threads pay off */
  readonly size: number;
}

/** Where small files go instead of loose objects (a store's pack writer, on the calling thread): returns the bytes newly stored. */
export interface PackSink {
  readonly maxObject: number;
  put(hex: string, data: Uint8Array): number;
}

export type IngestOutcome = { ok: true; result: IngestResult } | { ok: false; code: string | undefined; message: string };

/** Below this much work, starting worker threads (~30 ms each) costs more than it saves. */
const INLINE_MAX_BYTES = 16 * 1024 * 1024;
const INLINE_MAX_FILES = 200;
const BATCH_FILES = 64;

type IngestPool = WorkerPool<IngestJob[], IngestBatchReply>;

/**
 * Hash (and optionally store) many files using every core. Work is sent in
 * batches to keep message overhead small for tiny files; a large file is
 * chunked on one thread while another computes its whole-file hash, so W1's
 * 1 GiB file uses both cores. When it returns, every object stored is
 * durable (objectWriter; unless `fsync: false`), directory entries included:
 * the caller may write what names them.
 */
export async function ingestMany(items: readonly IngestItem[], storeDir: string | null, options: { jobs?: number; fsync?: boolean; /** the writer's file-system calls on this thread (tests); worker threads use node:fs */ writerFs?: WriterFs; /** syncfs of the store's file system (tests); default `sync -f` */ syncFileSystem?: (dir: string) => Promise<void>; onDone?: (item: IngestItem, outcome: IngestOutcome) => void; onProgress?: (bytes: number) => void; /** small files into a local pack (ingestSession.ts); their bytes come back from the threads */ pack?: PackSink } = {}): Promise<IngestOutcome[]> {
  const jobs = Math.max(1, options.jobs || availableParallelism());
  const total = items.reduce((s, i) => s + i.size, 0);
  const fsync = options.fsync ?? true;
  // Fan-out directories touched by any thread, each synced once at the end.
  const dirs = new Set<string>();
  const write: ObjectWriteOptions = { fsync, fs: options.writerFs, syncFileSystem: options.syncFileSystem };
  // Many small objects: one syncfs before their renames and one after, instead of a sync each (objectWriter decides).
  // A large file's chunks do not count: its worker's own batch makes them durable (below).
  const packMax = storeDir && options.pack ? options.pack.maxObject : 0;
  const wholeFiles = storeDir ? items.filter((it) => (it.size <= CHUNK_THRESHOLD || jobs === 1) && it.size > packMax).length : 0;
  const fsWide = storeDir !== null && useFsWideSync(wholeFiles, write) ? storeDir : undefined;
  // A large file's chunks (4,000 per GiB) are made durable the same way, by the worker's own batch with
  // syncfs head starts every 64 MiB (a sync per chunk cost +30 % on W1). Not the injected syncFileSystem: a worker has its own.
  const chunksFsWide = useFsWideSync(Number.MAX_SAFE_INTEGER, { fsync });
  if (jobs === 1 || (total <= INLINE_MAX_BYTES && items.length <= INLINE_MAX_FILES)) {
    const outcomes = await runInline(items, storeDir, write, dirs, options.onDone, fsWide, options.pack);
    await syncDirs(dirs, write);
    return outcomes;
  }
  // With syncing on, two messages per worker: one's hashing runs while the other's batch waits for its syncs,
  // or (fsWide) while the main thread adopts and renames another's temps.
  const pool: IngestPool = new WorkerPool(new URL('./ingestWorker.js', import.meta.url), Math.min(jobs, Math.max(1, items.length + 1)), options.onProgress, fsync && storeDir ? 2 : 1);
  // With fsWide, the workers' temps of small files are committed here, all at once, before ingestMany returns.
  const deferred = fsWide ? new ObjectBatch(write, { early: true, fsWide }) : undefined;
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
        ingestLarge(pool, item.path, storeDir!, fsync, chunksFsWide, dirs).then((outcome) => {
          outcomes[i] = outcome;
          options.onDone?.(item, outcome);
        }),
      );
    }
    for (let b = 0; b < small.length; b += BATCH_FILES) {
      const idx = small.slice(b, b + BATCH_FILES);
      tasks.push(
        pool.run(idx.map((i) => ({ kind: 'ingest', path: items[i]!.path, storeDir, fsync, defer: deferred !== undefined, ...(packMax ? { packMax } : {}) }))).then(({ replies, dirs: touched, staged }) => {
          for (const d of touched) dirs.add(d);
          if (staged) deferred!.adopt(staged);
          replies.forEach((r, k) => {
            const i = idx[k]!;
            let packed: IngestOutcome | undefined;
            if (r.ok && r.packed) {
              try {
                packed = { ok: true, result: { hex: r.hex, size: r.size, chunked: false, written: options.pack!.put(r.hex, r.packed) } };
              } catch (err) {
                packed = failure(err);
              }
            }
            outcomes[i] = packed ?? (r.ok ? { ok: true, result: { hex: r.hex, size: r.size, chunked: r.chunked, written: r.written } } : r);
            options.onDone?.(items[i]!, outcomes[i]!);
          });
        }),
      );
    }
    await Promise.all(tasks);
    if (deferred) {
      try {
        await deferred.commit();
      } catch (err) {
        // Nothing more was renamed and the temps are gone: every small file that stored something failed.
        for (const i of small) if (outcomes[i]!.ok) outcomes[i] = failure(err);
      }
      for (const d of deferred.dirs) dirs.add(d);
    }
    await syncDirs(dirs, write);
    return outcomes;
  } finally {
    await pool.close();
  }
}

/** Share of chunk bytes given to the worker that also hashes the whole file (measured: hashing ~0.9 s/GiB, hash+write of chunks ~2.3 s/GiB). */
const WHOLE_HASH_SHARE = 0.3;

async function ingestLarge(pool: IngestPool, path: string, storeDir: string, fsync: boolean, fsWide: boolean, dirs: Set<string>): Promise<IngestOutcome> {
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
  const [ra, rb] = await Promise.all([
    pool.run([{ kind: 'ranges', path, storeDir, fsync, fsWide, ranges: ranges.slice(0, split), wholeHash: true }]),
    pool.run([{ kind: 'ranges', path, storeDir, fsync, fsWide, ranges: ranges.slice(split) }]),
  ]);
  for (const d of [...ra.dirs, ...rb.dirs]) dirs.add(d);
  const [a] = ra.replies;
  const [b] = rb.replies;
  if (!a!.ok) return a!;
  if (!b!.ok) return b!;
  const chunks = [...(a!.chunks ?? []), ...(b!.chunks ?? [])].map((x) => ({ size: x.size, oid: createOid('sha256', x.hex) }));
  try {
    // Written after both replies: its chunks are durable (renamed after their data syncs) before it appears.
    const written = a!.written + b!.written + writeChunkListSync(storeDir, createOid('sha256', a!.hex), chunks, { fsync }, dirs);
    return { ok: true, result: { hex: a!.hex, size, chunked: true, written } };
  } catch (err) {
    return failure(err);
  }
}

/** Few files: on this thread, one batch for all, committed before the outcomes count. */
async function runInline(items: readonly IngestItem[], storeDir: string | null, write: ObjectWriteOptions, dirs: Set<string>, onDone?: (item: IngestItem, outcome: IngestOutcome) => void, fsWide?: string, pack?: PackSink): Promise<IngestOutcome[]> {
  const batch = new ObjectBatch(write, { early: true, fsWide });
  const sink = storeDir ? { dir: storeDir, batch, pack } : null;
  let outcomes = items.map((item): IngestOutcome => {
    try {
      return { ok: true, result: ingestFileSync(item.path, sink) };
    } catch (err) {
      return failure(err);
    }
  });
  try {
    await batch.commit();
  } catch (err) {
    outcomes = outcomes.map((o) => (o.ok && storeDir ? failure(err) : o));
  }
  for (const d of batch.dirs) dirs.add(d);
  items.forEach((item, i) => onDone?.(item, outcomes[i]!));
  return outcomes;
}

function failure(err: unknown): IngestOutcome {
  return { ok: false, code: (err as NodeJS.ErrnoException).code, message: (err as Error).message };
}
