import type { ManifestEntry } from '../core/manifest.js';
import { parsePage } from '../core/manifest.js';
import { formatOid, type Oid } from '../core/oid.js';
import type { ObjectStore } from './ObjectStore.js';
import { readManifest } from './manifestIO.js';

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
    const pa = a.map((o) => parsePage(store.readObject(o, what), `${formatOid(o).slice(0, 19)}… of ${what}`, what));
    const pb = b.map((o) => parsePage(store.readObject(o, what), `${formatOid(o).slice(0, 19)}… of ${what}`, what));
    const leaves = (ps: typeof pa): boolean => ps.every((p) => p.type === 'leaf');
    const nodes = (ps: typeof pa): boolean => ps.every((p) => p.type === 'node');
    if (leaves(pa) && leaves(pb)) return { from: pa.flatMap((p) => (p.type === 'leaf' ? p.entries : [])), to: pb.flatMap((p) => (p.type === 'leaf' ? p.entries : [])) };
    if (!(nodes(pa) && nodes(pb))) break; // trees of different heights: compare what is left in full
    a = pa.flatMap((p) => (p.type === 'node' ? p.children.map((c) => c.oid) : []));
    b = pb.flatMap((p) => (p.type === 'node' ? p.children.map((c) => c.oid) : []));
  }
  return { from: a.flatMap((o) => readManifest(store, o, what)), to: b.flatMap((o) => readManifest(store, o, what)) };
}
