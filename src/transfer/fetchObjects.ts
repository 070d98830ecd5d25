import { TroveError, fromFsError } from '../errors/index.js';
import type { PackEntry, PackEntryKind } from '../core/packIndex.js';
import type { Reporter } from '../core/Reporter.js';
import { createOid } from '../core/oid.js';
import type { Backend } from '../remote/Backend.js';
import { packKey } from '../remote/remoteLayout.js';
import { putBytes } from '../store/putBytes.js';
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
  const MAX_SPAN = Math.min(16, Math.max(4, Math.floor(SPAN_BUDGET / (1024 * 1024) / Math.max(1, options.jobs)))) * 1024 * 1024;
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
  const failures = await runQueue(spans, options.jobs, async (span) => {
    await withRetries(async (attempt) => {
      options.stats.requests++;
      const data = span.end > span.start ? await backend.get(packKey(span.pack), { start: span.start, end: span.end }) : Buffer.alloc(0);
      const verified: { it: Span['items'][number]; bytes: Buffer }[] = [];
      for (const it of span.items) {
        const bytes = data.subarray(it.entry.offset - span.start, it.entry.offset - span.start + it.entry.length);
        if (bytes.length !== it.entry.length || sha256(bytes) !== it.entry.digest) {
          throw new TroveError('CORRUPT_OBJECT', `The remote copy of ${it.want.what} (${it.want.kind === 'f' ? 'chunk list' : 'object'} ${it.want.hex.slice(0, 12)}…) in ${packKey(span.pack)} on ${backend.display} is ${bytes.length !== it.entry.length ? 'truncated' : 'corrupt'}; it was not stored.`, {
            hint: 'Push it again from a clone that has it (trove push), then fetch again; trove fsck -r REMOTE --thorough checks the whole remote.',
            retryable: attempt < 2, // a flipped bit on the wire heals on a re-read; a corrupt remote copy does not
            data: { path: it.want.what },
          });
        }
        verified.push({ it, bytes });
      }
      await mapLimit(verified, WRITES_IN_FLIGHT, async ({ it, bytes }) => {
        const target = it.want.kind === 'o' ? objectFile(store.dir, createOid('sha256', it.want.hex)) : chunkListFile(store.dir, createOid('sha256', it.want.hex));
        try {
          // The closure asked only for objects the store lacked: no second existence check per object.
          await putBytes(store.dir, target, bytes, { checkExists: false });
        } catch (err) {
          throw fromFsError(err, 'writing a fetched object into the store at', store.dir);
        }
        options.stats.objects++;
        options.stats.bytes += bytes.length;
        options.reporter.advance(bytes.length);
      });
    }, options.policy);
  });
  for (const f of failures) {
    for (const it of f.item.items) options.stats.failed.push({ what: it.want.what, hex: it.want.hex, message: (f.error as Error).message });
  }
}
