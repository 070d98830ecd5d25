import type { ManifestEntry } from '../core/manifest.js';
import { MANIFEST_VERSION, parsePage } from '../core/manifest.js';
import { formatOid, type Oid } from '../core/oid.js';
import { pairEntries } from '../core/pairEntries.js';
import type { PageReader } from './PageCache.js';
import { readManifest } from './manifestIO.js';

const LEAF = Buffer.from(`trove-manifest ${MANIFEST_VERSION} leaf\n`);

/** A cursor over the entry lines of a sequence of leaf pages, in order, without decoding them. */
class LineCursor {
  private page = 0;
  private start: number;
  private end = -1;
  private path: string | undefined;

  constructor(private readonly pages: readonly Buffer[]) {
    this.start = LEAF.length;
    this.settle();
  }

  /** Skip to the next page with a line left; find the current line's end. */
  private settle(): void {
    this.path = undefined;
    while (this.page < this.pages.length && this.start >= this.pages[this.page]!.length) {
      this.page++;
      this.start = LEAF.length;
    }
    if (this.page < this.pages.length) this.end = this.pages[this.page]!.indexOf(0x0a, this.start);
  }

  get done(): boolean {
    return this.page >= this.pages.length;
  }

  /** Byte-equal current lines (the same entry). */
  sameLine(o: LineCursor): boolean {
    const a = this.pages[this.page]!;
    const b = o.pages[o.page]!;
    return this.end - this.start === o.end - o.start && a.compare(b, o.start, o.end, this.start, this.end) === 0;
  }

  text(): string {
    return this.pages[this.page]!.toString('utf8', this.start, this.end);
  }

  /**
   * Both cursors are on the same line: move both past the longest run of
   * whole lines that are byte-identical on both sides (within the current
   * pages). The run is found by galloping then bisecting with memcmp over
   * byte ranges, so an unchanged stretch of 300 entries costs ~20 native
   * compares, not 300 trips through this loop.
   */
  skipSame(o: LineCursor): void {
    const a = this.pages[this.page]!;
    const b = o.pages[o.page]!;
    const max = Math.min(a.length - this.start, b.length - o.start);
    const same = (n: number): boolean => a.compare(b, o.start, o.start + n, this.start, this.start + n) === 0;
    let lo = this.end + 1 - this.start; // the current line and its newline: known equal
    let hi = lo;
    for (let step = 1024; ; step *= 2) {
      hi = Math.min(lo + step, max);
      if (hi === lo || !same(hi)) break;
      lo = hi;
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (same(mid)) lo = mid;
      else hi = mid;
    }
    if (hi === lo && same(hi)) lo = hi;
    // Equal bytes from two line starts end in whole equal lines up to the last newline among them.
    const last = a.lastIndexOf(0x0a, this.start + lo - 1);
    const skip = last + 1 - this.start;
    this.start += skip;
    o.start += skip;
    this.settle();
    o.settle();
  }

  /** The current line's path (decoded only for lines that differ, and once). A line that is not JSON sorts as "" and fails validation later. */
  pathOf(): string {
    if (this.path === undefined) {
      try {
        const row = JSON.parse(this.text()) as unknown;
        this.path = Array.isArray(row) && typeof row[0] === 'string' ? row[0] : '';
      } catch {
        // not JSON: sorts as "" and the manifest validation reports the line later (see the doc comment)
        this.path = '';
      }
    }
    return this.path;
  }

  next(): void {
    this.start = this.end + 1;
    this.settle();
  }
}

/**
 * The lines of two sorted runs of leaf pages that are not on both sides. A
 * line present on both sides is the same entry (a canonical serialisation),
 * so it is compared as bytes and never decoded: changing 100 files spread
 * over 20,000 may touch every leaf, and this keeps that to one pass of
 * memcmp instead of 40,000 parsed entries.
 */
function differingLines(ra: readonly Buffer[], rb: readonly Buffer[]): { a: string[]; b: string[] } {
  const a = new LineCursor(ra);
  const b = new LineCursor(rb);
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  while (!a.done && !b.done) {
    if (a.sameLine(b)) {
      a.skipSame(b);
      continue;
    }
    const pa = a.pathOf();
    const pb = b.pathOf();
    if (pa <= pb) {
      onlyA.push(a.text());
      a.next();
    }
    if (pb <= pa) {
      onlyB.push(b.text());
      b.next();
    }
  }
  for (; !a.done; a.next()) onlyA.push(a.text());
  for (; !b.done; b.next()) onlyB.push(b.text());
  return { a: onlyA, b: onlyB };
}

/**
 * The entries that differ between two directory versions, reading only the
 * pages that differ. Both are prolly trees of content-addressed pages: a page
 * with the same oid on both sides holds the same entries, so it is dropped
 * from both without being read, level by level. What is left is compared
 * entry by entry. Changing 100 files of 20,000 reads the pages on those
 * files' paths, not all of them. Returns [from-only-or-changed entries,
 * to-only-or-changed entries], each sorted by path.
 */
export function diffManifests(store: PageReader, from: Oid, to: Oid, what: string): { from: ManifestEntry[]; to: ManifestEntry[] } {
  if (from.hex === to.hex) return { from: [], to: [] };
  let a: Oid[] = [from];
  let b: Oid[] = [to];
  for (let depth = 0; depth <= 32; depth++) {
    const inB = new Set(b.map((o) => o.hex));
    const inA = new Set(a.map((o) => o.hex));
    a = a.filter((o) => !inB.has(o.hex));
    b = b.filter((o) => !inA.has(o.hex));
    const ra = a.map((o) => store.readObject(o, what));
    const rb = b.map((o) => store.readObject(o, what));
    if ([...ra, ...rb].every((r) => r.subarray(0, LEAF.length).equals(LEAF) && r[r.length - 1] === 0x0a)) {
      // Leaves: parse (and so validate) only the lines that differ.
      const d = differingLines(ra, rb);
      const parse = (ls: string[]): ManifestEntry[] => {
        const page = parsePage(Buffer.from(`${LEAF.toString()}${ls.map((l) => l + '\n').join('')}`), `changed entries of ${what}`, what);
        return page.type === 'leaf' ? page.entries : [];
      };
      return { from: parse(d.a), to: parse(d.b) };
    }
    const pa = ra.map((r, i) => parsePage(r, `${formatOid(a[i]!).slice(0, 19)}… of ${what}`, what));
    const pb = rb.map((r, i) => parsePage(r, `${formatOid(b[i]!).slice(0, 19)}… of ${what}`, what));
    const nodes = (ps: typeof pa): boolean => ps.every((p) => p.type === 'node');
    if (!(nodes(pa) && nodes(pb))) break; // trees of different heights, or a newer format: compare what is left in full
    a = pa.flatMap((p) => (p.type === 'node' ? p.children.map((c) => c.oid) : []));
    b = pb.flatMap((p) => (p.type === 'node' ? p.children.map((c) => c.oid) : []));
  }
  // Trees of different heights (a version that gained enough files to grow a level): the pages no
  // longer line up, so what is left is read in full, and the entries both sides hold unchanged must
  // still be dropped here, or every caller would see all of them as changed (a strict entity that
  // only gained files was refused for "changing" every old one).
  return dropCommon(a.flatMap((o) => readManifest(store, o, what)), b.flatMap((o) => readManifest(store, o, what)));
}

/** Two path-sorted entry lists without the entries that are identical on both sides (pairEntries, split back into its sides). */
function dropCommon(from: ManifestEntry[], to: ManifestEntry[]): { from: ManifestEntry[]; to: ManifestEntry[] } {
  const pairs = pairEntries(from, to);
  return { from: pairs.flatMap((p) => (p.from ? [p.from] : [])), to: pairs.flatMap((p) => (p.to ? [p.to] : [])) };
}
