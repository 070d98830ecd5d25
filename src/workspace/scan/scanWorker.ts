import { workerData, type MessagePort } from 'node:worker_threads';
import { SortedWalk } from './scanChunks.js';
import { ScanRecords } from './scanRecords.js';
import { PENDING_BYTES, POSTED, STOP, type ScanJob, type ScanReply } from './scanThreaded.js';
import { walkRangeItems, type ScanItem } from './walkRangeItems.js';

// A scan worker (scanThreaded): claims ranges of the top level and posts,
// per range and in walk order, the chunks it can cut exactly and the files it
// cannot (before the range's first hash cut, after its last cut), which the
// main thread stitches onto its neighbours' chunks.

const job = workerData as ScanJob;
const port = job.port as MessagePort;
const shared = new Int32Array(job.shared);
const skipped: string[] = [];
const walker = new SortedWalk(job.absDir, job.repoDirPath, job.storeObjects, skipped, job.statPrefix);
// One array for the whole run: walkRangeItems appends to it, post empties it (splice), never replaces it.
const items: ScanItem[] = [];
// This message's files, as ScanRecords; items name their byte ranges.
const records = new ScanRecords(job.batchBytes * 2);

function post(reply: Omit<ScanReply, 'items' | 'skipped' | 'bytes' | 'records'>): void {
  const bytes = records.length;
  const out = records.copy();
  const msg: ScanReply = { items: items.splice(0), skipped: skipped.splice(0), bytes, records: out, ...reply };
  port.postMessage(msg, [out.buffer as ArrayBuffer]);
  Atomics.add(shared, PENDING_BYTES, bytes);
  Atomics.add(shared, POSTED, 1);
  Atomics.notify(shared, POSTED);
  records.clear();
  // Bounded memory: wait while the main thread has more than the cap of this worker's output unread.
  for (let pending = Atomics.load(shared, PENDING_BYTES); pending > job.maxPendingBytes && Atomics.load(shared, STOP) === 0; pending = Atomics.load(shared, PENDING_BYTES)) {
    Atomics.wait(shared, PENDING_BYTES, pending, 1000);
  }
}

function walkRange(from: number, to: number): void {
  walkRangeItems(walker.top(job.entries.slice(from, to), job.ignoreFile), job.t0, records, items, () => {
    if (records.length >= job.batchBytes) post({});
    return Atomics.load(shared, STOP) !== 0;
  });
}

const claims = new Int32Array(job.claims);
try {
  for (;;) {
    const k = Atomics.add(claims, 0, 1);
    if (k >= job.ranges.length) break;
    Atomics.store(claims, 1 + k, job.id);
    const [from, to] = job.ranges[k]!;
    walkRange(from, to);
    post({ end: true });
    if (Atomics.load(shared, STOP) !== 0) break;
  }
} catch (err) {
  const e = err as { name?: string; message?: string; code?: string; hint?: string; data?: unknown; errno?: number; syscall?: string; path?: string };
  post({ end: true, error: { name: e.name ?? 'Error', message: String(e.message ?? err), code: e.code, hint: e.hint, data: e.data, errno: e.errno, syscall: e.syscall, path: e.path } });
}
port.close();
