import type { Backend } from '../remote/Backend.js';
import { packKey } from '../remote/remoteLayout.js';
import type { StoreSlot } from '../store/SpanStorer.js';
import { badRemoteCopy } from './badRemoteCopy.js';
import type { FetchSink } from './FetchSink.js';
import type { Member, Span } from './planSpans.js';
import type { RemoteIndex } from './RemoteIndex.js';

/** A streamed read is cut into batches of about this size for the store, and this many per read are stored while it goes on. 4 MiB batches cost ~45 MB more peak RSS on W2 for no speed. */
const BATCH_BYTES = 1024 * 1024;
const BATCHES_IN_FLIGHT = 2;

/**
 * One streamed read of a span (backend.stream): entries are cut from the
 * stream into batches of about BATCH_BYTES, each verified and stored while
 * the next arrives (up to BATCHES_IN_FLIGHT per read), so memory is bounded
 * by the batches, not by the pack. A retry reads from the first entry still
 * missing (`done` says which are stored).
 */
export async function streamSpan(backend: Backend, index: RemoteIndex, sink: FetchSink, span: Span, attempt: number, done: boolean[]): Promise<void> {
  const storer = sink.storer;
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
      const p: Promise<void> = sink.storeBatch(span, attempt, full.bytes.subarray(0, length), group, done, full.slot).catch((err: unknown) => {
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
    if (k < todo.length) throw badRemoteCopy(backend.display, span, todo[k]!.it, true, attempt);
    await flush();
  } finally {
    // A batch not handed to the store (the read failed) gives its slot back.
    if (batch?.slot) storer!.release(batch.slot);
    batch = undefined;
    await Promise.all(inFlight);
  }
  if (failure) throw failure.err;
}
