import { TroveError, fromFsError } from '../errors/index.js';
import type { PackEntry, PackEntryKind } from '../core/packIndex.js';
import type { Reporter } from '../core/Reporter.js';
import { createOid } from '../core/oid.js';
import type { Backend } from '../remote/Backend.js';
import { packKey } from '../remote/remoteLayout.js';
import { putBytes } from '../store/putBytes.js';
import { SpanStorer } from '../store/SpanStorer.js';
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
  // A local directory answers small reads as fast as big ones: 4 MiB keeps the buffers (and their copies for the store threads) small.
  const MAX_SPAN = backend.local ? LOCAL_SPAN : Math.min(16, Math.max(4, Math.floor(SPAN_BUDGET / (1024 * 1024) / Math.max(1, options.jobs)))) * 1024 * 1024;
  const spans: Span[] = [];
  for (const [pack, list] of byPack) {
    list.sort((a, b) => a.entry.offset - b.entry.offset);
    let cur: Span | undefined;
    for (const it of list) {
      const e = it.entry;
      if (cur && e.offset - cur.end <= MAX_GAP && e.offset + e.length - cur.start <= MAX_SPAN) {
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
  // From a local or mounted directory the remote reads at disk speed: verifying and storing (sha256, a file per object) is the work, so it goes to every core.
  const storer = backend.local && totalBytes >= THREADED_STORE_MIN_BYTES ? new SpanStorer(store.dir) : undefined;
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
  let failures;
  try {
    failures = await runQueue(spans, options.jobs, async (span) => {
      await withRetries(async (attempt) => {
        options.stats.requests++;
        const data = span.end > span.start ? await backend.get(packKey(span.pack), { start: span.start, end: span.end }) : Buffer.alloc(0);
        if (storer) {
          const reply = await storer.store(data, span.items.map((it) => ({ offset: it.entry.offset - span.start, length: it.entry.length, digest: it.entry.digest, target: targetOf(it.want) })));
          if (!reply.ok) {
            const it = span.items[reply.index]!;
            if (reply.problem === 'io') throw fromFsError(Object.assign(new Error(reply.message), { code: reply.code }), 'writing a fetched object into the store at', store.dir);
            throw badCopy(span, it, reply.problem === 'truncated', attempt);
          }
          for (const it of span.items) stored(it.entry.length);
          return;
        }
        const verified: { it: Span['items'][number]; bytes: Buffer }[] = [];
        for (const it of span.items) {
          const bytes = data.subarray(it.entry.offset - span.start, it.entry.offset - span.start + it.entry.length);
          if (bytes.length !== it.entry.length || sha256(bytes) !== it.entry.digest) throw badCopy(span, it, bytes.length !== it.entry.length, attempt);
          verified.push({ it, bytes });
        }
        await mapLimit(verified, WRITES_IN_FLIGHT, async ({ it, bytes }) => {
          try {
            // The closure asked only for objects the store lacked: no second existence check per object.
            await putBytes(store.dir, targetOf(it.want), bytes, { checkExists: false });
          } catch (err) {
            throw fromFsError(err, 'writing a fetched object into the store at', store.dir);
          }
          stored(bytes.length);
        });
      }, options.policy);
    });
  } finally {
    await storer?.close();
  }
  for (const f of failures) {
    for (const it of f.item.items) options.stats.failed.push({ what: it.want.what, hex: it.want.hex, message: (f.error as Error).message });
  }
}
