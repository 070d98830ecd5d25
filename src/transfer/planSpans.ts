import type { PackEntry, PackEntryKind } from '../core/packIndex.js';
import type { RemoteIndex } from './RemoteIndex.js';

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

/** One ranged read of a pack: the wanted entries between `start` and `end`, by offset. */
export interface Span {
  readonly pack: string;
  readonly start: number;
  readonly end: number;
  readonly items: { want: FetchWant; entry: PackEntry }[];
}

/** A wanted entry of a span: `i` its index in the span, `offset` where its bytes start in the batch that carries them. */
export interface Member {
  readonly it: Span['items'][number];
  readonly i: number;
  readonly offset: number;
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

/**
 * Group `wants` by pack and coalesce neighbours into ranged reads, largest
 * first (they bound the wall time). A want the index does not know is
 * pushed to `failed` as "not on the remote"; a repeated want is read once.
 */
export function planSpans(index: Pick<RemoteIndex, 'locate'>, wants: readonly FetchWant[], options: { local: boolean; streaming: boolean; jobs: number; display: string; failed: FetchFailure[] }): Span[] {
  const byPack = new Map<string, { want: FetchWant; entry: PackEntry }[]>();
  const seen = new Set<string>();
  const unique = wants.filter((w) => !seen.has(w.kind + w.hex) && seen.add(w.kind + w.hex));
  // Looked up in oid order: a sorted merge-scan against each pack's sorted index, so a
  // fan-out bucket of the cached index (RemoteIndex) is read once however many wants fall in it.
  const located = new Map<FetchWant, ReturnType<typeof index.locate>>();
  for (const want of [...unique].sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0))) located.set(want, index.locate(want.kind, want.hex));
  for (const want of unique) {
    const loc = located.get(want);
    if (!loc) {
      options.failed.push({ what: want.what, hex: want.hex, message: `not on the remote ${options.display}` });
      continue;
    }
    let list = byPack.get(loc.pack);
    if (!list) byPack.set(loc.pack, (list = []));
    list.push({ want, entry: loc.entry });
  }
  // A streaming client (S3, Azure) holds one object at a time whatever the read's size: a whole pack is one request.
  // A local directory answers small reads as fast as big ones: 4 MiB keeps the buffers (and their copies for the store threads) small.
  const MAX_SPAN = options.local ? LOCAL_SPAN : options.streaming ? Number.POSITIVE_INFINITY : Math.min(16, Math.max(4, Math.floor(SPAN_BUDGET / (1024 * 1024) / Math.max(1, options.jobs)))) * 1024 * 1024;
  const spans: Span[] = [];
  for (const [pack, list] of byPack) {
    list.sort((a, b) => a.entry.offset - b.entry.offset);
    // Built in place: copying the items on every append made a 4 MiB span of 2 KiB entries cost ~2 million copies.
    let cur: { pack: string; start: number; end: number; items: Span['items'][number][] } | undefined;
    for (const it of list) {
      const e = it.entry;
      // A stream cannot go back: entries that overlap the previous one (only a hand-made index has them) start a new read.
      if (cur && e.offset - cur.end <= MAX_GAP && (!options.streaming || e.offset >= cur.end) && e.offset + e.length - cur.start <= MAX_SPAN) {
        cur.end = e.offset + e.length;
        cur.items.push(it);
      } else {
        cur = { pack, start: e.offset, end: e.offset + e.length, items: [it] };
        spans.push(cur);
      }
    }
  }
  // Largest reads first: they bound the wall time.
  spans.sort((a, b) => b.end - b.start - (a.end - a.start));
  return spans;
}
