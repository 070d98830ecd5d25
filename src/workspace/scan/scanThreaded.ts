import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { TroveError } from '../../errors/index.js';
import { shortDirPrefix } from '../../util/cwdRelative.js';
import { envInteger } from '../../util/envInteger.js';
import { ChunkCutter, listSorted, SortedWalk, type ScanChunk, type WalkEntry } from './scanChunks.js';
import { decodeScanRecords, ScanRecords } from './scanRecords.js';
import { walkRangeItems, type ScanItem } from './walkRangeItems.js';
import type { ScannedFile } from './scanTree.js';

/** Below this many files (the work index's count) the scan stays on one thread: a worker costs ~30 ms to start. */
export const SCAN_THREADS_MIN_FILES = 20_000;

/** Slots of a worker's shared Int32Array. */
export const POSTED = 0;
export const PENDING_BYTES = 1;
export const STOP = 2;

/** What the main thread posts to a scan worker (workerData). */
export interface ScanJob {
  readonly absDir: string;
  /** the main thread's shortDirPrefix(absDir) (a worker cannot know the CLI declared its working directory stable) */
  readonly statPrefix: string;
  readonly repoDirPath: string;
  readonly storeObjects: string | undefined;
  /** the whole top level, as listSorted returned it */
  readonly entries: readonly WalkEntry[];
  readonly ignoreFile: boolean;
  /** the ranges of `entries`, [from, to), in walk order; a thread claims the next one from `claims` */
  readonly ranges: readonly (readonly [number, number])[];
  /** this worker's id in `claims` (1, 2, …) */
  readonly id: number;
  /** Int32Array: [0] the next range to claim, [1 + k] the worker that claimed range k (0: the main thread, or not known yet) */
  readonly claims: SharedArrayBuffer;
  /** a clock reading taken before the worker started: its files' racy check */
  readonly t0: number;
  readonly port: MessagePort;
  readonly shared: SharedArrayBuffer;
  readonly batchBytes: number;
  readonly maxPendingBytes: number;
}


export interface ScanReply {
  readonly items: ScanItem[];
  /** the items' files, as ScanRecords */
  readonly records: Uint8Array;
  readonly skipped: string[];
  readonly bytes: number;
  /** the last message of a range */
  readonly end?: boolean;
  readonly error?: { name: string; message: string; code?: string; hint?: string; data?: unknown; errno?: number; syscall?: string; path?: string };
}

/**
 * How many threads to scan a directory of about `files` files with: one
 * below the threshold (TROVE_SCAN_THREADS_MIN, default 20,000), else
 * `jobs` (core.jobs; 0 = one per core).
 */
export function scanThreads(jobs: number, files: number, env: NodeJS.ProcessEnv = process.env): number {
  const min = envInteger(env, 'TROVE_SCAN_THREADS_MIN', SCAN_THREADS_MIN_FILES, { min: 0, max: Number.MAX_SAFE_INTEGER });
  if (files < min) return 1;
  return Math.max(1, Math.min(8, jobs || availableParallelism()));
}

/** Ranges per thread: threads claim ranges as they go, so smaller ranges balance uneven directories and slow threads. */
const RANGES_PER_THREAD = 16;
/** Ranges the main thread walks ahead into memory while it waits for a worker (each ~1/(16 × threads) of the directory). */
const MAX_BUFFERED_RANGES = 2;
/** How long the main thread waits for a worker that posts nothing before it gives up on it. */
const WORKER_SILENCE_MS = 120_000;

/**
 * scanChunks over `threads` threads: the top level is listed once and cut
 * into contiguous ranges, shared by the main thread and
 * `threads - 1` scan workers. Each thread claims the next unclaimed range
 * (one shared counter) and walks it with the same SortedWalk; the main
 * thread takes the ranges in walk order, walking those nobody claimed yet
 * (and, while a worker has not posted, up to two later ones into memory)
 * and reading the others from their worker's messages, cutting its
 * own files and the workers' loose files with one ChunkCutter, and passing
 * the workers' exact chunks on as they are (their files parsed only when a
 * caller asks). Messages are read synchronously (receiveMessageOnPort, and
 * Atomics.wait while a worker has not posted), so this stays a synchronous
 * generator like the single-threaded scan.
 */
export function* scanThreaded(absDir: string, repoDirPath: string, storeObjects: string | undefined, o: { skipped: string[]; clock: () => number; threads: number; workersOnly?: boolean; postBytes?: number }): Generator<ScanChunk> {
  const t0 = o.clock();
  const top = listSorted(absDir);
  const statPrefix = shortDirPrefix(absDir);
  const n = top.entries.length;
  const parts = Math.min(n, o.threads * RANGES_PER_THREAD);
  const ranges: [number, number][] = [];
  for (let k = 0; k < parts; k++) ranges.push([Math.floor((k * n) / parts), Math.floor(((k + 1) * n) / parts)]);
  const claims = new Int32Array(new SharedArrayBuffer(4 * (1 + parts)));
  const workers: { w: Worker; port: MessagePort; shared: Int32Array }[] = [];
  for (let t = 1; t < Math.min(o.threads, parts); t++) {
    const { port1, port2 } = new MessageChannel();
    const shared = new Int32Array(new SharedArrayBuffer(12));
    const job: ScanJob = { absDir, statPrefix, repoDirPath, storeObjects, entries: top.entries, ignoreFile: top.ignoreFile, ranges, id: t, claims: claims.buffer as SharedArrayBuffer, t0, port: port2, shared: shared.buffer as SharedArrayBuffer, batchBytes: o.postBytes ?? 1 << 18, maxPendingBytes: 1 << 24 };
    const w = new Worker(new URL('./scanWorker.js', import.meta.url), { workerData: job, transferList: [port2] });
    w.unref();
    workers.push({ w, port: port1, shared });
  }
  const walker = new SortedWalk(absDir, repoDirPath, storeObjects, o.skipped, statPrefix);
  const cut = new ChunkCutter(o.clock);
  const own = !(o.workersOnly && workers.length > 0);
  // Later ranges the main thread walked while a worker had not posted yet, as a worker posts them (scan records, off
  // the heap: as files they were promoted by every collection while they waited), stitched (and their error thrown) in turn.
  const buffered = new Map<number, { records: Uint8Array; items: ScanItem[]; skipped: string[]; readAt: number; error?: unknown }>();
  const walkAhead = (): boolean => {
    if (!own || buffered.size >= MAX_BUFFERED_RANGES) return false;
    const j = Atomics.add(claims, 0, 1);
    if (j >= parts) return false;
    const records = new ScanRecords();
    const b: { records: Uint8Array; items: ScanItem[]; skipped: string[]; readAt: number; error?: unknown } = { records: new Uint8Array(0), items: [], skipped: [], readAt: o.clock() };
    buffered.set(j, b);
    try {
      walkRangeItems(new SortedWalk(absDir, repoDirPath, storeObjects, b.skipped, statPrefix).top(top.entries.slice(ranges[j]![0], ranges[j]![1]), top.ignoreFile), b.readAt, records, b.items, () => false);
    } catch (err) {
      b.error = err;
    }
    b.records = records.copy();
    return true;
  };
  try {
    for (const [k, [from, to]] of ranges.entries()) {
      const b = buffered.get(k);
      if (b) {
        buffered.delete(k);
        o.skipped.push(...b.skipped);
        yield* stitch(cut, b.items, b.records, b.readAt);
        if (b.error !== undefined) throw b.error;
        continue;
      }
      if (own && Atomics.compareExchange(claims, 0, k, k + 1) === k) {
        for (const f of walker.top(top.entries.slice(from, to), top.ignoreFile)) {
          const c = cut.push(f);
          if (c) yield c;
        }
        continue;
      }
      // Claimed by a worker, which names itself right after claiming.
      let t = Atomics.load(claims, 1 + k);
      while (t === 0) {
        Atomics.wait(claims, 1 + k, 0, 1);
        t = Atomics.load(claims, 1 + k);
      }
      const wk = workers[t - 1]!;
      for (;;) {
        let msg = tryReceive(wk.port, wk.shared);
        if (msg === undefined) {
          if (walkAhead()) continue;
          msg = receive(wk.port, wk.shared);
        }
        o.skipped.push(...msg.skipped);
        yield* stitch(cut, msg.items, msg.records, t0);
        if (msg.error) throw revive(msg.error);
        if (msg.end) break;
      }
    }
    if (cut.open > 0) yield cut.close();
  } finally {
    for (const wk of workers) {
      Atomics.store(wk.shared, STOP, 1);
      Atomics.notify(wk.shared, PENDING_BYTES);
      wk.port.close();
      // A worker that stopped at STOP, or finished, exits by itself; terminate covers one stuck in a syscall.
      wk.w.terminate().catch(() => undefined); // its exit needs no handling: the scan has its answer
    }
  }
}

/**
 * A range's items (walkRangeItems) in the scan: loose files cut by the main
 * thread's cutter (`statAfter`: the clock reading taken before they were
 * walked), exact chunks passed on with their files decoded only if asked.
 */
function* stitch(cut: ChunkCutter, items: readonly ScanItem[], records: Uint8Array, statAfter: number): Generator<ScanChunk> {
  for (const item of items) {
    if ('loose' in item) {
      for (const f of decodeScanRecords(records.subarray(item.loose[0], item.loose[1]))) {
        const c = cut.push(f, statAfter);
        if (c) yield c;
      }
    } else {
      // A range is cut exactly only after a hash cut, which closed the main thread's chunk too.
      if (cut.open !== 0) throw new Error(`scan: an exact chunk at ${item.first} follows ${cut.open} open files`);
      yield lazyChunk(item.first, item.count, item.size, item.sig ?? undefined, records.subarray(item.at[0], item.at[1]));
    }
  }
}

/** A worker's next message if it has posted one. */
function tryReceive(port: MessagePort, shared: Int32Array): ScanReply | undefined {
  const m = receiveMessageOnPort(port);
  if (!m) return undefined;
  const msg = m.message as ScanReply;
  Atomics.sub(shared, PENDING_BYTES, msg.bytes);
  Atomics.notify(shared, PENDING_BYTES);
  return msg;
}

/** The next message of a worker, waiting for it without leaving the synchronous generator. */
function receive(port: MessagePort, shared: Int32Array): ScanReply {
  let waited = 0;
  for (;;) {
    const seen = Atomics.load(shared, POSTED);
    const msg = tryReceive(port, shared);
    if (msg) return msg;
    if (waited >= WORKER_SILENCE_MS) {
      throw new TroveError('INTERNAL', `A scan worker posted nothing for ${WORKER_SILENCE_MS / 1000} s.`, { hint: 'Set core.jobs to 1 to scan on one thread, and report this.' });
    }
    if (Atomics.wait(shared, POSTED, seen, 1000) === 'timed-out') waited += 1000;
  }
}

function lazyChunk(first: string, count: number, size: number, sig: string | undefined, records: Uint8Array): ScanChunk {
  let files: ScannedFile[] | undefined;
  return {
    first,
    count,
    size,
    sig,
    get files(): ScannedFile[] {
      return (files ??= decodeScanRecords(records));
    },
  };
}

/** A worker's error as the single-threaded scan would have thrown it. */
function revive(e: NonNullable<ScanReply['error']>): Error {
  if (e.name === 'TroveError') return new TroveError(e.code as ConstructorParameters<typeof TroveError>[0], e.message, { hint: e.hint, data: e.data as Record<string, unknown> | undefined });
  return Object.assign(new Error(e.message), { code: e.code, errno: e.errno, syscall: e.syscall, path: e.path });
}
