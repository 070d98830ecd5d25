import type { ManifestEntry } from '../core/manifest.js';
import { MANIFEST_VERSION, parsePage } from '../core/manifest.js';
import { formatOid, type Oid } from '../core/oid.js';
import type { ObjectStore } from './ObjectStore.js';
import { readManifest } from './manifestIO.js';

const LEAF = Buffer.from(`trove-manifest ${MANIFEST_VERSION} leaf\n`);

/** The entry lines of a leaf page (after its header). */
function lines(page: Buffer): string[] {
  const text = page.toString('utf8', LEAF.length);
  return text === '' ? [] : text.slice(0, -1).split('\n');
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
export function diffManifests(store: ObjectStore, from: Oid, to: Oid, what: string): { from: ManifestEntry[]; to: ManifestEntry[] } {
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
      // Leaves: a line present on both sides is the same entry on both; parse only the lines that differ.
      const la = ra.flatMap(lines);
      const lb = rb.flatMap(lines);
      const sa = new Set(la);
      const sb = new Set(lb);
      const only = (ls: string[], other: Set<string>): ManifestEntry[] => {
        const kept = ls.filter((l) => !other.has(l));
        const page = parsePage(Buffer.from(`${LEAF.toString()}${kept.map((l) => l + '\n').join('')}`), `changed entries of ${what}`, what);
        return page.type === 'leaf' ? page.entries : [];
      };
      return { from: only(la, sb), to: only(lb, sa) };
    }
    const pa = ra.map((r, i) => parsePage(r, `${formatOid(a[i]!).slice(0, 19)}… of ${what}`, what));
    const pb = rb.map((r, i) => parsePage(r, `${formatOid(b[i]!).slice(0, 19)}… of ${what}`, what));
    const nodes = (ps: typeof pa): boolean => ps.every((p) => p.type === 'node');
    if (!(nodes(pa) && nodes(pb))) break; // trees of different heights, or a newer format: compare what is left in full
    a = pa.flatMap((p) => (p.type === 'node' ? p.children.map((c) => c.oid) : []));
    b = pb.flatMap((p) => (p.type === 'node' ? p.children.map((c) => c.oid) : []));
  }
  return { from: a.flatMap((o) => readManifest(store, o, what)), to: b.flatMap((o) => readManifest(store, o, what)) };
}
