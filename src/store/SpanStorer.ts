import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { WorkerPool } from '../platform/WorkerPool.js';
import { storeTmpDir } from './layout.js';
import type { SpanJob, SpanReply } from './storeSpanWorker.js';

export type { SpanReply };

let counter = 0;

/**
 * Verifies and stores fetched spans on worker threads: sha256 and file
 * creation for 20,000 small objects run on every core, and the main thread
 * only reads the remote. Spans are copied into a few reusable shared
 * buffers (two per thread): memory stays fixed, where handing each span's
 * own buffer to a thread left hundreds of MiB for V8 to free late.
 */
export class SpanStorer {
  private readonly pool: WorkerPool<SpanJob, SpanReply>;
  private readonly free: { buf: SharedArrayBuffer }[] = [];
  private readonly waiting: ((slot: { buf: SharedArrayBuffer }) => void)[] = [];

  constructor(private readonly storeDir: string, threads = availableParallelism()) {
    const n = Math.max(1, threads);
    this.pool = new WorkerPool(new URL('./storeSpanWorker.js', import.meta.url), n);
    for (let i = 0; i < 2 * n; i++) this.free.push({ buf: new SharedArrayBuffer(0) });
  }

  async store(data: Buffer, entries: readonly { offset: number; length: number; digest: string; target: string }[]): Promise<SpanReply> {
    const slot = this.free.pop() ?? (await new Promise<{ buf: SharedArrayBuffer }>((resolve) => this.waiting.push(resolve)));
    try {
      // Grown to the largest span seen (16 MiB at most, fetchObjects' limit), then reused.
      if (slot.buf.byteLength < data.length) slot.buf = new SharedArrayBuffer(data.length);
      data.copy(new Uint8Array(slot.buf), 0);
      const tmpDir = storeTmpDir(this.storeDir);
      const job: SpanJob = { data: new Uint8Array(slot.buf, 0, data.length), tmpDir, entries: entries.map((e) => ({ ...e, tmp: join(tmpDir, `${process.pid}-span-${(counter++).toString(36)}`) })) };
      return await this.pool.run(job);
    } finally {
      const next = this.waiting.shift();
      if (next) next(slot);
      else this.free.push(slot);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

