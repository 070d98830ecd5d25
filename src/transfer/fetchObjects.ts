import { availableParallelism } from 'node:os';
import { TroveError, fromFsError } from '../errors/index.js';
import type { PackEntry, PackEntryKind } from '../core/packIndex.js';
import type { Reporter } from '../core/Reporter.js';
import { createOid } from '../core/oid.js';
import type { Backend } from '../remote/Backend.js';
import { packKey } from '../remote/remoteLayout.js';
import { ObjectBatch, syncDirs, useFsWideSync, writeObject } from '../store/objectWriter.js';
import { SpanStorer, type StoreSlot } from '../store/SpanStorer.js';
import { mapLimit } from '../util/mapLimit.js';
import { chunkListFile, objectFile } from '../store/layout.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import type { RemoteIndex } from './RemoteIndex.js';
import { runQueue } from './runQueue.js';
import { sha256 } from './RemoteIndex.js';
import { withRetries, type RetryPolicy } from './withRetries.js';

export interface FetchWant {
  readonly kind: PackEntryKind;
  readonly hex: string;
  /** the user's path this is for, for messages */
  readonly what: string;
}

export interface FetchFailure {
  readonly what: string;
  readonly hex: string;
  readonly message: string;
}

export interface FetchStats {
  objects: number;
  bytes: number;
  requests: number;
  readonly failed: FetchFailure[];
}

/** Adjacent wanted entries closer than this are fetched in one ranged read (the gap is cheaper than a request). */
const MAX_GAP = 256 * 1024;
/**
 * Bytes of ranged reads in flight, all jobs together: each read is at most
 * this divided by the jobs (4–16 MiB), so peak memory stays near 64 MiB (plus
 * a client's copy) however many jobs run, while reads stay large.
 */
const SPAN_BUDGET = 64 * 1024 * 1024;
const LOCAL_SPAN = 4 * 1024 * 1024;
/** Below this many bytes to fetch, starting store threads (~30 ms each) costs more than it saves. */
const THREADED_STORE_MIN_BYTES = 16 * 1024 * 1024;
/** Objects of one read written to the store at once: file creation waits overlap on the thread pool. */
const WRITES_IN_FLIGHT = 8;
/** A streamed read is cut into batches of about this size for the store, and this many per read are stored while it goes on. 4 MiB batches cost ~45 MB more peak RSS on W2 for no speed. */
const BATCH_BYTES = 1024 * 1024;
const BATCHES_IN_FLIGHT = 2;

/** A wanted entry of a span: `i` its index in the span, `offset` where its bytes start in the batch that carries them. */
interface Member {
  readonly it: Span['items'][number];
  readonly i: number;
  readonly offset: number;
}

interface Span {
  readonly pack: string;
  readonly start: number;
  readonly end: number;
  readonly items: { want: FetchWant; entry: PackEntry }[];
}

/**
 * Download `wants` into the local store: grouped by pack, coalesced into
 * ranged reads, verified entry by entry against its digest before it is
 * written (temp file + rename). A range whose bytes do not verify is read
 * up to twice more (a flipped bit on the wire), then reported by name; nothing
 * unverified is ever stored.
 */
export async function fetchObjects(backend: Backend, index: RemoteIndex, store: ObjectStore, wants: readonly FetchWant[], options: { jobs: number; policy: RetryPolicy; reporter: Reporter; stats: FetchStats }): Promise<void> {
  const byPack = new Map<string, { want: FetchWant; entry: PackEntry }[]>();
  const seen = new Set<string>();
  for (const want of wants) {
    const k = want.kind + want.hex;
    if (seen.has(k)) continue;
    seen.add(k);
    const loc = index.locate(want.kind, want.hex);
    if (!loc) {
      options.stats.failed.push({ what: want.what, hex: want.hex, message: `not on the remote ${backend.display}` });
      continue;
    }
    let list = byPack.get(loc.pack);
    if (!list) byPack.set(loc.pack, (list = []));
    list.push({ want, entry: loc.entry });
  }
  // A streaming client (S3, Azure) holds one object at a time whatever the read's size: a whole pack is one request.
  const streaming = !backend.local && backend.stream !== undefined;
  // A local directory answers small reads as fast as big ones: 4 MiB keeps the buffers (and their copies for the store threads) small.
  const MAX_SPAN = backend.local ? LOCAL_SPAN : streaming ? Number.POSITIVE_INFINITY : Math.min(16, Math.max(4, Math.floor(SPAN_BUDGET / (1024 * 1024) / Math.max(1, options.jobs)))) * 1024 * 1024;
  const spans: Span[] = [];
  for (const [pack, list] of byPack) {
    list.sort((a, b) => a.entry.offset - b.entry.offset);
    let cur: Span | undefined;
    for (const it of list) {
      const e = it.entry;
      // A stream cannot go back: entries that overlap the previous one (only a hand-made index has them) start a new read.
      if (cur && e.offset - cur.end <= MAX_GAP && (!streaming || e.offset >= cur.end) && e.offset + e.length - cur.start <= MAX_SPAN) {
        cur = { ...cur, end: e.offset + e.length, items: [...cur.items, it] };
        spans[spans.length - 1] = cur;
      } else {
        cur = { pack, start: e.offset, end: e.offset + e.length, items: [it] };
        spans.push(cur);
      }
    }
  }
  // Largest reads first: they bound the wall time.
  spans.sort((a, b) => b.end - b.start - (a.end - a.start));
  const totalBytes = spans.reduce((t, sp) => t + sp.end - sp.start, 0);
  // From a local or mounted directory the remote reads at disk speed, and a stream hands over whole packs:
  // verifying and storing (sha256, a file per object) is then the work, so it goes to every core. The
  // storer's buffers are fixed, and a stream's batches are bounded, so memory does not grow with the pack.
  // Many objects (W2's 20,000): no sync per object. They are written as temps, renamed after a syncfs
  // (in the background as they come, see ObjectBatch), and the last of them in commit() below, with one
  // more syncfs, before the caller checks anything out. A sync per object cost +50 % on W2's pull.
  const fsWide = useFsWideSync(wants.length, { fsync: store.fsync }) ? store.dir : undefined;
  const deferred = fsWide ? new ObjectBatch({ fsync: store.fsync }, { early: true, fsWide }) : undefined;
  const storer = (backend.local || streaming) && totalBytes >= THREADED_STORE_MIN_BYTES ? new SpanStorer(undefined, streaming ? 2 * availableParallelism() + options.jobs : undefined, store.fsync, deferred !== undefined) : undefined;
  // Fan-out directories that received objects, synced once at the end (objectWriter), before the caller checks anything out.
  const dirs = new Set<string>();
  const targetOf = (want: FetchWant): string => (want.kind === 'o' ? objectFile(store.dir, createOid('sha256', want.hex)) : chunkListFile(store.dir, createOid('sha256', want.hex)));
  const badCopy = (span: Span, it: Span['items'][number], truncated: boolean, attempt: number): TroveError =>
    new TroveError('CORRUPT_OBJECT', `The remote copy of ${it.want.what} (${it.want.kind === 'f' ? 'chunk list' : 'object'} ${it.want.hex.slice(0, 12)}…) in ${packKey(span.pack)} on ${backend.display} is ${truncated ? 'truncated' : 'corrupt'}; it was not stored.`, {
      hint: 'Push it again from a clone that has it (trove push), then fetch again; trove fsck -r REMOTE --thorough checks the whole remote.',
      retryable: attempt < 2, // a flipped bit on the wire heals on a re-read; a corrupt remote copy does not
      data: { path: it.want.what },
    });
  const stored = (bytes: number): void => {
    options.stats.objects++;
    options.stats.bytes += bytes;
    options.reporter.advance(bytes);
  };
  const writeVerified = async (want: FetchWant, bytes: Buffer): Promise<void> => {
    try {
      // The closure asked only for objects the store lacked: no second existence check per object.
      if (deferred) deferred.add(targetOf(want), bytes, { checkExists: false });
      else await writeObject(targetOf(want), bytes, { checkExists: false, fsync: store.fsync }, dirs);
    } catch (err) {
      throw fromFsError(err, 'writing a fetched object into the store at', store.dir);
    }
    stored(bytes.length);
  };

  /**
   * Verify and store one batch: `data` holds the members' bytes at their
   * offsets. Nothing of a batch is stored unless every member verifies; on a
   * write error, the members before it are stored. `done` records which are.
   */
  const storeBatch = async (span: Span, attempt: number, data: Buffer, group: readonly Member[], done: boolean[], slot?: StoreSlot): Promise<void> => {
    if (storer) {
      const entries = group.map((m) => ({ offset: m.offset, length: m.it.entry.length, digest: m.it.entry.digest, target: targetOf(m.it.want) }));
      const reply = slot ? await storer.storeIn(slot, data.length, entries) : await storer.store(data, entries);
      if ('dirs' in reply) for (const d of reply.dirs) dirs.add(d);
      if ('staged' in reply && reply.staged) deferred!.adopt(reply.staged);
      if (!reply.ok) {
        if (reply.problem === 'io') {
          for (const m of group.slice(0, reply.index)) {
            done[m.i] = true;
            stored(m.it.entry.length);
          }
          throw fromFsError(Object.assign(new Error(reply.message), { code: reply.code }), 'writing a fetched object into the store at', store.dir);
        }
        throw badCopy(span, group[reply.index]!.it, reply.problem === 'truncated', attempt);
      }
      for (const m of group) {
        done[m.i] = true;
        stored(m.it.entry.length);
      }
      return;
    }
    const bytesOf = (m: Member): Buffer => data.subarray(m.offset, m.offset + m.it.entry.length);
    for (const m of group) {
      const bytes = bytesOf(m);
      if (bytes.length !== m.it.entry.length || sha256(bytes) !== m.it.entry.digest) throw badCopy(span, m.it, bytes.length !== m.it.entry.length, attempt);
    }
    await mapLimit(group, WRITES_IN_FLIGHT, async (m) => {
      await writeVerified(m.it.want, bytesOf(m));
      done[m.i] = true;
    });
  };

  /**
   * One streamed read of a span: entries are cut from the stream into
   * batches of about BATCH_BYTES, each verified and stored while the next
   * arrives (up to BATCHES_IN_FLIGHT per read), so memory is bounded by the
   * batches, not by the pack. A retry reads from the first entry still
   * missing.
   */
  const streamSpan = async (span: Span, attempt: number, done: boolean[]): Promise<void> => {
    const todo: Member[] = span.items.flatMap((it, i) => (done[i] ? [] : [{ it, i, offset: 0 }]));
    if (todo.length === 0) return;
    const start = todo[0]!.it.entry.offset;
    const last = todo[todo.length - 1]!.it.entry;
    const end = last.offset + last.length;
    // A whole pack is asked for without a Range: some servers (moto) answer a range by reading the whole object first.
    const range = start === 0 && end === index.packs.get(span.pack)?.size ? undefined : { start, end };
    const inFlight = new Set<Promise<void>>();
    let failure: { err: unknown } | undefined;
    // The batch being filled: a storer slot (shared with its threads, no copy) or a plain buffer.
    let batch: { bytes: Buffer; slot?: StoreSlot } | undefined;
    let fill = 0;
    let members: Member[] = [];
    const newBatch = async (min: number): Promise<{ bytes: Buffer; slot?: StoreSlot }> => {
      const size = Math.max(BATCH_BYTES, min);
      if (!storer) return { bytes: Buffer.allocUnsafe(size) };
      const slot = await storer.acquire(size);
      return { bytes: slot.bytes, slot };
    };
    const flush = async (): Promise<void> => {
      const full = batch;
      const group = members;
      const length = fill;
      batch = undefined;
      fill = 0;
      members = [];
      if (full && group.length > 0) {
        const p: Promise<void> = storeBatch(span, attempt, full.bytes.subarray(0, length), group, done, full.slot).catch((err: unknown) => {
          failure ??= { err };
        });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      } else if (full?.slot) {
        storer!.release(full.slot);
      }
      if (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight);
      if (failure) throw failure.err;
    };
    let k = 0;
    let pos = start;
    let entryOpen = false;
    let got = 0;
    /** Take what `part` holds of the wanted entries; returns when it needs more bytes or has every entry. */
    const consume = async (part: Uint8Array): Promise<void> => {
      let off = 0;
      while (k < todo.length) {
        const e = todo[k]!.it.entry;
        if (pos < e.offset) {
          if (off === part.length) return;
          const skip = Math.min(e.offset - pos, part.length - off);
          pos += skip;
          off += skip;
          continue;
        }
        if (!entryOpen) {
          if (batch && fill + e.length > batch.bytes.length) await flush();
          batch ??= await newBatch(e.length);
          entryOpen = true;
          got = 0;
        }
        const n = Math.min(e.length - got, part.length - off);
        batch!.bytes.set(part.subarray(off, off + n), fill);
        fill += n;
        got += n;
        off += n;
        pos += n;
        if (got < e.length) return;
        members.push({ ...todo[k]!, offset: fill - e.length });
        k++;
        entryOpen = false;
      }
    };
    try {
      await consume(new Uint8Array(0)); // empty entries at the start need no bytes
      if (k < todo.length) {
        for await (const part of backend.stream!(packKey(span.pack), range)) {
          await consume(part);
          if (k === todo.length) break;
        }
      }
      if (k < todo.length) throw badCopy(span, todo[k]!.it, true, attempt);
      await flush();
    } finally {
      // A batch not handed to the store (the read failed) gives its slot back.
      if (batch?.slot) storer!.release(batch.slot);
      batch = undefined;
      await Promise.all(inFlight);
    }
    if (failure) throw failure.err;
  };

  // Per span, which items are already stored: a retry skips them, and a span that fails in the end reports only the rest.
  const doneBySpan = new Map<Span, boolean[]>();
  let failures;
  try {
    failures = await runQueue(spans, options.jobs, async (span) => {
      const done: boolean[] = [];
      doneBySpan.set(span, done);
      await withRetries(async (attempt) => {
        options.stats.requests++;
        if (streaming) {
          await streamSpan(span, attempt, done);
          return;
        }
        const todo = span.items.flatMap((it, i) => (done[i] ? [] : [{ it, i, offset: it.entry.offset - span.start }]));
        if (storer && span.end > span.start) {
          // Read straight into a slot the store threads share: no buffer per span for V8 to collect, no copy.
          const slot = await storer.acquire(span.end - span.start);
          let data: Buffer;
          try {
            data = await backend.get(packKey(span.pack), { start: span.start, end: span.end }, slot.bytes);
            if (data.buffer !== slot.bytes.buffer) data.copy(slot.bytes, 0);
          } catch (err) {
            storer.release(slot);
            throw err;
          }
          await storeBatch(span, attempt, slot.bytes.subarray(0, data.length), todo, done, slot);
          return;
        }
        const data = span.end > span.start ? await backend.get(packKey(span.pack), { start: span.start, end: span.end }) : Buffer.alloc(0);
        await storeBatch(span, attempt, data, todo, done);
      }, options.policy);
    });
  } finally {
    await storer?.close();
    // Verified objects are kept even when the fetch stops early (a retry then skips them): committed here,
    // or, when that fails, their temps removed. A commit failure fails the fetch as a whole.
    if (deferred) {
      try {
        await deferred.commit();
        for (const d of deferred.dirs) dirs.add(d);
      } catch (err) {
        throw fromFsError(err, 'syncing the store at', store.dir);
      }
    }
  }
  try {
    await syncDirs(dirs, { fsync: store.fsync });
  } catch (err) {
    throw fromFsError(err, 'syncing the store at', store.dir);
  }
  for (const f of failures) {
    const done = doneBySpan.get(f.item) ?? [];
    for (const [i, it] of f.item.items.entries()) if (!done[i]) options.stats.failed.push({ what: it.want.what, hex: it.want.hex, message: (f.error as Error).message });
  }
}
