import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { ObjectBatch, type StagedObjects } from './objectWriter.js';

/** One entry of a fetched span: where its bytes are, what they must hash to, where they go. */
export interface SpanEntry {
  readonly offset: number;
  readonly length: number;
  readonly digest: string;
  /** final path in the store */
  readonly target: string;
}

export interface SpanJob {
  readonly data: Uint8Array;
  readonly entries: readonly SpanEntry[];
  /** core.fsync (objectWriter) */
  readonly fsync: boolean;
  /** write temps only and hand them back (reply `staged`): the main thread's batch makes them durable with syncfs (objectWriter useFsWideSync) */
  readonly defer?: boolean;
}

/**
 * Stored (with the directories whose entries changed, for the caller to sync
 * once); or the first entry whose bytes are short or do not hash to their
 * digest (nothing of the span is stored then); or a write error (the entries
 * before `index` are stored).
 */
export type SpanReply =
  | { ok: true; dirs: string[]; staged?: StagedObjects }
  | { ok: false; index: number; problem: 'truncated' | 'corrupt' }
  | { ok: false; index: number; problem: 'io'; code: string | undefined; message: string; dirs: string[]; staged?: StagedObjects };

/**
 * Worker-thread side of SpanStorer: verify every entry of a span fetched
 * from a remote, then write each into the store through one object batch
 * (objectWriter: temp files, data syncs in flight together, renames),
 * with synchronous writes, where the main thread would pay a thread-pool
 * round trip per system call. Verification comes first, so a span with one
 * bad entry stores nothing and is fetched again whole. With `defer`, the
 * temps are handed back unsynced and unrenamed instead (`staged`): the main
 * thread's batch renames them after a syncfs.
 */
async function storeSpan(job: SpanJob): Promise<SpanReply> {
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  for (let index = 0; index < job.entries.length; index++) {
    const e = job.entries[index]!;
    if (e.offset + e.length > data.length) return { ok: false, index, problem: 'truncated' };
    if (createHash('sha256').update(data.subarray(e.offset, e.offset + e.length)).digest('hex') !== e.digest) return { ok: false, index, problem: 'corrupt' };
  }
  const batch = new ObjectBatch({ fsync: job.fsync }, { early: true, defer: job.defer === true });
  let failed: { index: number; err: unknown } | undefined;
  for (let index = 0; index < job.entries.length && !failed; index++) {
    const e = job.entries[index]!;
    try {
      // The fetch asked only for objects the store lacked: no existence check per object.
      batch.add(e.target, data.subarray(e.offset, e.offset + e.length), { checkExists: false });
    } catch (err) {
      failed = { index, err };
    }
  }
  if (job.defer) {
    // The entries before a failed one are handed over all the same: a retry skips them.
    const staged = batch.handOff();
    if (failed) return { ok: false, index: failed.index, problem: 'io', code: (failed.err as NodeJS.ErrnoException).code, message: (failed.err as Error).message, dirs: [], staged };
    return { ok: true, dirs: [], staged };
  }
  try {
    // The entries before a failed one are still stored: a retry skips them.
    await batch.commit();
  } catch (err) {
    failed = { index: 0, err };
  }
  if (failed) return { ok: false, index: failed.index, problem: 'io', code: (failed.err as NodeJS.ErrnoException).code, message: (failed.err as Error).message, dirs: [...batch.dirs] };
  return { ok: true, dirs: [...batch.dirs] };
}

parentPort?.on('message', (msg: { id: number; job: SpanJob }) => {
  void storeSpan(msg.job).then((reply) => parentPort!.postMessage({ id: msg.id, reply }));
});
