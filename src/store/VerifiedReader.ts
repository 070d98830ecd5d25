import { availableParallelism } from 'node:os';
import { WorkerPool } from '../platform/WorkerPool.js';
import type { VerifiedReadFile, VerifiedReadReply } from './verifiedReadWorker.js';

export type { VerifiedReadFile };

/** A file of a batch that could not be read as it should be. */
export class VerifiedReadError extends Error {
  constructor(
    readonly index: number,
    readonly problem: 'missing' | 'corrupt' | 'io',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads store files in batches on worker threads, each file checked against
 * its size and sha256 on the way out, so a push re-hashes everything it sends
 * on every core instead of on the main thread (1 GiB: ~1 s of sha256). The
 * main thread only moves finished buffers. `threads` defaults to the cores.
 */
export class VerifiedReader {
  private readonly pool: WorkerPool<VerifiedReadFile[], VerifiedReadReply>;

  constructor(threads = availableParallelism()) {
    this.pool = new WorkerPool(new URL('./verifiedReadWorker.js', import.meta.url), Math.max(1, threads));
  }

  /** The files' bytes, concatenated in order; rejects with VerifiedReadError naming the first bad file. */
  async read(files: readonly VerifiedReadFile[]): Promise<Buffer> {
    const reply = await this.pool.run([...files]);
    if (!reply.ok) throw new VerifiedReadError(reply.index, reply.problem, reply.message);
    return Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
