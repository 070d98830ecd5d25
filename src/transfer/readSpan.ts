import type { Backend } from '../remote/Backend.js';
import { packKey } from '../remote/remoteLayout.js';
import type { FetchSink } from './FetchSink.js';
import type { Span } from './planSpans.js';

/**
 * One ranged read of a span (backend.get), then its entries verified and
 * stored as one batch. Entries `done` marks stored (an earlier attempt) are
 * not stored again.
 */
export async function readSpan(backend: Backend, sink: FetchSink, span: Span, attempt: number, done: boolean[]): Promise<void> {
  const storer = sink.storer;
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
    await sink.storeBatch(span, attempt, slot.bytes.subarray(0, data.length), todo, done, slot);
    return;
  }
  const data = span.end > span.start ? await backend.get(packKey(span.pack), { start: span.start, end: span.end }) : Buffer.alloc(0);
  await sink.storeBatch(span, attempt, data, todo, done);
}
