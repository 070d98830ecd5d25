import { createHash } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { mkdirp } from '../util/mkdirp.js';

/** One entry of a fetched span: where its bytes are, what they must hash to, where they go. */
export interface SpanEntry {
  readonly offset: number;
  readonly length: number;
  readonly digest: string;
  /** final path in the store */
  readonly target: string;
  /** temp path next to target (storeTempFor) */
  readonly tmp: string;
}

export interface SpanJob {
  readonly data: Uint8Array;
  readonly entries: readonly SpanEntry[];
}

/** Stored; or the first entry whose bytes are short or do not hash to their digest (nothing of the span is stored then); or a write error. */
export type SpanReply = { ok: true } | { ok: false; index: number; problem: 'truncated' | 'corrupt' } | { ok: false; index: number; problem: 'io'; code: string | undefined; message: string };

/**
 * Worker-thread side of SpanStorer: verify every entry of a span fetched
 * from a remote, then write each into the store (temp file, read-only,
 * rename into place), synchronously, where the main thread would pay a
 * thread-pool round trip per system call. Verification comes first, so a
 * span with one bad entry stores nothing and is fetched again whole.
 */
function storeSpan(job: SpanJob): SpanReply {
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  for (let index = 0; index < job.entries.length; index++) {
    const e = job.entries[index]!;
    if (e.offset + e.length > data.length) return { ok: false, index, problem: 'truncated' };
    if (createHash('sha256').update(data.subarray(e.offset, e.offset + e.length)).digest('hex') !== e.digest) return { ok: false, index, problem: 'corrupt' };
  }
  for (let index = 0; index < job.entries.length; index++) {
    const e = job.entries[index]!;
    try {
      const bytes = data.subarray(e.offset, e.offset + e.length);
      try {
        writeFileSync(e.tmp, bytes, { mode: 0o444 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        mkdirp(dirname(e.target));
        writeFileSync(e.tmp, bytes, { mode: 0o444 });
      }
      renameSync(e.tmp, e.target);
    } catch (err) {
      rmSync(e.tmp, { force: true });
      return { ok: false, index, problem: 'io', code: (err as NodeJS.ErrnoException).code, message: (err as Error).message };
    }
  }
  return { ok: true };
}

parentPort?.on('message', (msg: { id: number; job: SpanJob }) => {
  parentPort!.postMessage({ id: msg.id, reply: storeSpan(msg.job) });
});
