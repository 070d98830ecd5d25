import { availableParallelism } from 'node:os';
import { WorkerPool } from '../platform/WorkerPool.js';
import type { SpanJob, SpanReply } from './storeSpanWorker.js';

export type { SpanReply };

/**
 * Verifies and stores fetched spans on worker threads: sha256 and file
 * creation for 20,000 small objects run on every core, and the main thread
 * only reads the remote. Spans are copied into a few reusable shared
 * buffers (two per thread): memory stays fixed, where handing each span's
 * own buffer to a thread left hundreds of MiB for V8 to free late.
 */
type Entry = { offset: number; length: number; digest: string; target: string };

/** A shared buffer lent out by acquire(): fill `bytes`, then storeIn() (or release()) it. */
export interface StoreSlot {
  readonly bytes: Buffer;
}

interface Slot extends StoreSlot {
  buf: SharedArrayBuffer;
  bytes: Buffer;
}

export class SpanStorer {
  private readonly pool: WorkerPool<SpanJob, SpanReply>;
  private readonly free: Slot[] = [];
  private readonly waiting: ((slot: Slot) => void)[] = [];

  /**
   * `slots` shared buffers (two per thread by default; a streamed fetch asks
   * for one per read in flight more, so that every stream can fill one while
   * the threads store the others).
   */
  /**
   * `defer`: the threads only write temps and hand them back in each reply
   * (`staged`) for the caller's syncfs batch to adopt; otherwise every reply
   * means durable and in place. With syncing on, two spans per thread, so
   * one's hashing runs while the other waits for its syncs.
   */
  constructor(threads = availableParallelism(), slots = 2 * Math.max(1, threads), private readonly fsync = true, private readonly defer = false) {
    const n = Math.max(1, threads);
    this.pool = new WorkerPool(new URL('./storeSpanWorker.js', import.meta.url), n, undefined, fsync && !defer ? 2 : 1);
    for (let i = 0; i < Math.max(1, slots); i++) this.free.push({ buf: new SharedArrayBuffer(0), bytes: Buffer.alloc(0) });
  }

  /** A free slot of at least `minBytes`, waiting for one when all are lent out. */
  async acquire(minBytes: number): Promise<StoreSlot> {
    const slot = this.free.pop() ?? (await new Promise<Slot>((resolve) => this.waiting.push(resolve)));
    // Grown to the largest read seen (4 MiB spans, 1 MiB batches, or one larger object), then reused.
    if (slot.buf.byteLength < minBytes) {
      slot.buf = new SharedArrayBuffer(minBytes);
      slot.bytes = Buffer.from(slot.buf);
    }
    return slot;
  }

  release(slot: StoreSlot): void {
    const next = this.waiting.shift();
    if (next) next(slot as Slot);
    else this.free.push(slot as Slot);
  }

  /** Verify and store `entries` of the slot's first `length` bytes, then release the slot. */
  async storeIn(slot: StoreSlot, length: number, entries: readonly Entry[]): Promise<SpanReply> {
    try {
      const job: SpanJob = { data: new Uint8Array((slot as Slot).buf, 0, length), entries, fsync: this.fsync, defer: this.defer };
      return await this.pool.run(job);
    } finally {
      this.release(slot);
    }
  }

  async store(data: Buffer, entries: readonly Entry[]): Promise<SpanReply> {
    const slot = await this.acquire(data.length);
    data.copy(slot.bytes, 0);
    return this.storeIn(slot, data.length, entries);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
