import { availableParallelism } from 'node:os';
import type { Reporter } from '../core/Reporter.js';
import type { Backend } from '../remote/Backend.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import { FetchSink, type FetchPacking, type FetchStats } from './FetchSink.js';
import { planSpans, type FetchWant, type Span } from './planSpans.js';
import { readSpan } from './readSpan.js';
import type { RemoteIndex } from './RemoteIndex.js';
import { runQueue } from './runQueue.js';
import { streamSpan } from './streamSpan.js';
import { withRetries, type RetryPolicy } from './withRetries.js';

export type { FetchFailure, FetchWant } from './planSpans.js';
export type { FetchPacking, FetchStats } from './FetchSink.js';

/** Below this many bytes to fetch, starting store threads (~30 ms each) costs more than it saves. */
const THREADED_STORE_MIN_BYTES = 16 * 1024 * 1024;

/**
 * Download `wants` into the local store: grouped by pack, coalesced into
 * ranged reads (planSpans), verified entry by entry against its digest
 * before it is written (FetchSink: temp file + rename). A range whose bytes
 * do not verify is read up to twice more (a flipped bit on the wire), then
 * reported by name; nothing unverified is ever stored.
 */
export async function fetchObjects(backend: Backend, index: RemoteIndex, store: ObjectStore, wants: readonly FetchWant[], options: { jobs: number; policy: RetryPolicy; reporter: Reporter; stats: FetchStats; packs?: FetchPacking; /** pack when at least this many are wanted (default: the store's PACK_MIN_OBJECTS) */ packMin?: number }): Promise<void> {
  // A streaming client (S3, Azure) holds one object at a time whatever the read's size: a whole pack is one request.
  const streaming = !backend.local && backend.stream !== undefined;
  const spans = planSpans(index, wants, { local: Boolean(backend.local), streaming, jobs: options.jobs, display: backend.display, failed: options.stats.failed });
  const totalBytes = spans.reduce((t, sp) => t + sp.end - sp.start, 0);
  // From a local or mounted directory the remote reads at disk speed, and a stream hands over whole packs:
  // verifying and storing (sha256, a file per object) is then the work, so it goes to every core. The
  // storer's buffers are fixed, and a stream's batches are bounded, so memory does not grow with the pack.
  // Small entries go into a local pack (one file pair instead of a file each), unless only a few are wanted.
  const packs = options.packs ?? (wants.length >= (options.packMin ?? store.packMinObjects) ? { writer: store.packWriter(), maxObject: store.packMaxObject } : undefined);
  const sink = new FetchSink(store, backend.display, options, {
    objects: wants.length,
    threaded: (backend.local || streaming) && totalBytes >= THREADED_STORE_MIN_BYTES,
    storeThreads: streaming ? 2 * availableParallelism() + options.jobs : undefined,
    ...(packs ? { packs } : {}),
  });

  // Per span, which items are already stored: a retry skips them, and a span that fails in the end reports only the rest.
  const doneBySpan = new Map<Span, boolean[]>();
  let failures;
  try {
    failures = await runQueue(spans, options.jobs, async (span) => {
      const done: boolean[] = [];
      doneBySpan.set(span, done);
      await withRetries(async (attempt) => {
        options.stats.requests++;
        if (streaming) await streamSpan(backend, index, sink, span, attempt, done);
        else await readSpan(backend, sink, span, attempt, done);
      }, options.policy);
    });
  } finally {
    await sink.finish();
    // The packs just sealed are what the caller reads next (pages, then checkout): list them now.
    if (packs) store.packs.refresh();
  }
  await sink.sync();
  for (const f of failures) {
    const done = doneBySpan.get(f.item) ?? [];
    for (const [i, it] of f.item.items.entries()) if (!done[i]) options.stats.failed.push({ what: it.want.what, hex: it.want.hex, message: (f.error as Error).message });
  }
}
