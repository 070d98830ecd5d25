import { Worker } from 'node:worker_threads';

/**
 * A fixed set of worker threads running one script, fed from a FIFO queue.
 * Each request is posted as `{ id, job }`; the worker answers
 * `{ id, reply }` when done, and may post `{ id, progress }` before that.
 * A worker that dies fails the requests it held. Starting a worker costs
 * ~30 ms, so callers only make a pool for work that outweighs that.
 */
export class WorkerPool<Job, Reply> {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { job: Job; transfer: readonly ArrayBuffer[]; resolve: (r: Reply) => void; reject: (e: unknown) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void; worker: Worker }>();
  private nextId = 0;

  /**
   * `perWorker` requests are handed to each worker at once (default 1). With
   * 2, a worker whose request waits on I/O after its synchronous part (an
   * object batch's data syncs) already runs the next one's hashing.
   */
  constructor(script: URL, size: number, onProgress?: (bytes: number) => void, perWorker = 1) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(script);
      w.on('message', (msg: { id: number; reply?: Reply; progress?: number }) => {
        if (msg.progress !== undefined) return onProgress?.(msg.progress);
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        this.idle.push(w);
        this.pump();
        p?.resolve(msg.reply!);
      });
      w.on('error', (err) => {
        for (const [id, p] of this.pending) if (p.worker === w) (this.pending.delete(id), p.reject(err));
      });
      this.workers.push(w);
      for (let k = 0; k < perWorker; k++) this.idle.push(w);
    }
  }

  run(job: Job, transfer: readonly ArrayBuffer[] = []): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, transfer, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.takeIdle();
      const task = this.queue.shift()!;
      const id = this.nextId++;
      this.pending.set(id, { resolve: task.resolve, reject: task.reject, worker: w });
      w.postMessage({ id, job: task.job }, [...task.transfer]);
    }
  }

  /** The idle entry of the worker with the most free slots (the last one on a tie: with one slot each, plain pop()), so a second request only goes to a busy worker when none is free. */
  private takeIdle(): Worker {
    let best = this.idle.length - 1;
    let bestFree = 0;
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const w = this.idle[i];
      const free = this.idle.reduce((n, x) => (x === w ? n + 1 : n), 0);
      if (free > bestFree) {
        best = i;
        bestFree = free;
      }
    }
    return this.idle.splice(best, 1)[0]!;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
