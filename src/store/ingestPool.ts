import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createOid } from '../core/oid.js';
import { ingestFileSync, writeChunkListSync, type IngestResult } from './ingestSync.js';
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
  const pool = new WorkerPool(Math.min(jobs, Math.max(1, items.length + 1)), options.onProgress);
  try {
    const outcomes = new Array<IngestOutcome>(items.length);
    const small: number[] = [];
    const large: number[] = [];
    items.forEach((it, i) => (it.size > CHUNK_THRESHOLD && storeDir ? large : small).push(i));
    const tasks: Promise<void>[] = [];
    // Large files: chunk on one worker, whole-file hash on another, in parallel.
    for (const i of large) {
      const item = items[i]!;
      tasks.push(
        Promise.all([pool.run([{ kind: 'chunk-only', path: item.path, storeDir }]), pool.run([{ kind: 'hash', path: item.path, storeDir: null }])]).then(([[c], [h]]) => {
          let outcome: IngestOutcome;
          if (!c!.ok) outcome = c!;
          else if (!h!.ok) outcome = h!;
          else {
            const chunks = (c!.chunks ?? []).map((x) => ({ size: x.size, oid: createOid('sha256', x.hex) }));
            const written = c!.written + writeChunkListSync(storeDir!, createOid('sha256', h!.hex), chunks);
            outcome = { ok: true, result: { hex: h!.hex, size: c!.size, chunked: true, written } };
          }
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

function runInline(path: string, storeDir: string | null): IngestOutcome {
  try {
    return { ok: true, result: ingestFileSync(path, storeDir) };
  } catch (err) {
    return { ok: false, code: (err as NodeJS.ErrnoException).code, message: (err as Error).message };
  }
}


class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { jobs: IngestJob[]; resolve: (r: IngestReply[]) => void; reject: (e: unknown) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (r: IngestReply[]) => void; reject: (e: unknown) => void; worker: Worker }>();
  private nextId = 0;

  constructor(size: number, onProgress?: (bytes: number) => void) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./ingestWorker.js', import.meta.url));
      w.on('message', (msg: { id: number; results?: IngestReply[]; progress?: number }) => {
        if (msg.progress !== undefined) return onProgress?.(msg.progress);
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        this.idle.push(w);
        this.pump();
        p?.resolve(msg.results!);
      });
      w.on('error', (err) => {
        for (const [id, p] of this.pending) if (p.worker === w) (this.pending.delete(id), p.reject(err));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  run(jobs: IngestJob[]): Promise<IngestReply[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ jobs, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const task = this.queue.shift()!;
      const id = this.nextId++;
      this.pending.set(id, { resolve: task.resolve, reject: task.reject, worker: w });
      w.postMessage({ id, jobs: task.jobs });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
