import { workerData, type MessagePort } from 'node:worker_threads';
import { isLeafCut, isLeafHashCut } from '../../core/manifestTree.js';
import { isRacy } from '../../store/StatCache.js';
import { SortedWalk } from './scanChunks.js';
import { ScanRecords } from './scanRecords.js';
import { PENDING_BYTES, POSTED, STOP, type ScanItem, type ScanJob, type ScanReply } from './scanThreaded.js';

// A scan worker (scanThreaded): claims ranges of the top level and posts,
// per range and in walk order, the chunks it can cut exactly and the files it
// cannot (before the range's first hash cut, after its last cut), which the
// main thread stitches onto its neighbours' chunks.

const job = workerData as ScanJob;
const port = job.port as MessagePort;
const shared = new Int32Array(job.shared);
const skipped: string[] = [];
const walker = new SortedWalk(job.absDir, job.repoDirPath, job.storeObjects, skipped, job.statPrefix);
let items: ScanItem[] = [];
// This message's files, as ScanRecords; items name their byte ranges.
const records = new ScanRecords(job.batchBytes * 2);

function post(reply: Omit<ScanReply, 'items' | 'skipped' | 'bytes' | 'records'>): void {
  const bytes = records.length;
  const out = records.copy();
  const msg: ScanReply = { items, skipped: skipped.splice(0), bytes, records: out, ...reply };
  port.postMessage(msg, [out.buffer as ArrayBuffer]);
  Atomics.add(shared, PENDING_BYTES, bytes);
  Atomics.add(shared, POSTED, 1);
  Atomics.notify(shared, POSTED);
  items = [];
  records.clear();
  // Bounded memory: wait while the main thread has more than the cap of this worker's output unread.
  for (let pending = Atomics.load(shared, PENDING_BYTES); pending > job.maxPendingBytes && Atomics.load(shared, STOP) === 0; pending = Atomics.load(shared, PENDING_BYTES)) {
    Atomics.wait(shared, PENDING_BYTES, pending, 1000);
  }
}

function walkRange(from: number, to: number): void {
  let cutSeen = false;
  // where the open run of files (loose, or the open chunk) starts in `records`
  let start = records.length;
  let first = '';
  let count = 0;
  let size = 0;
  let racy = false;
  for (const f of walker.top(job.entries.slice(from, to), job.ignoreFile)) {
    records.push(f);
    if (!cutSeen) {
      // Where this range's first chunk starts depends on the files before the range: the main thread cuts these.
      if (isLeafHashCut(f.path)) {
        cutSeen = true;
        items.push({ loose: [start, records.length] });
        start = records.length;
      }
      continue;
    }
    if (count === 0) first = f.path;
    count++;
    size += f.size;
    if (isRacy(f.mtimeMs, job.t0)) racy = true;
    if (isLeafCut(f.path, count)) {
      items.push({ first, count, size, sig: racy ? null : records.sha256(start), at: [start, records.length] });
      count = 0;
      size = 0;
      racy = false;
      if (records.length >= job.batchBytes) post({});
      start = records.length;
      if (Atomics.load(shared, STOP) !== 0) return;
    }
  }
  if (records.length > start) items.push({ loose: [start, records.length] });
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
