import type { ManifestEntry } from './manifest.js';
import { compareEntries } from './manifestTree.js';

/**
 * One path where two entry lists differ: on one side only (the other is
 * undefined), or on both with different content, mode or link target.
 */
export interface EntryPair {
  readonly path: string;
  readonly from?: ManifestEntry;
  readonly to?: ManifestEntry;
}

/** Same content (algorithm and digest), mode and link target? Size follows from the content, and is compared first because it is cheap. */
export function sameEntry(a: ManifestEntry, b: ManifestEntry): boolean {
  if (a.mode !== b.mode || a.size !== b.size) return false;
  return a.mode === 'l' ? b.mode === 'l' && a.target === b.target : b.mode !== 'l' && a.oid.algo === b.oid.algo && a.oid.hex === b.oid.hex;
}

/**
 * The paths where `from` and `to` differ, in path order, by one merge-join:
 * the one diff of two entry lists (status, diff, log, data diffs, manifest
 * diffs), so "what changed" means the same everywhere. Both lists must be
 * sorted by compareEntries, the order a manifest keeps; entries the same on
 * both sides are left out.
 */
export function pairEntries(from: readonly ManifestEntry[], to: readonly ManifestEntry[]): EntryPair[] {
  const out: EntryPair[] = [];
  let i = 0;
  let j = 0;
  while (i < from.length || j < to.length) {
    const x = from[i];
    const y = to[j];
    const order = x === undefined ? 1 : y === undefined ? -1 : compareEntries(x, y);
    if (order < 0) {
      out.push({ path: x!.path, from: x! });
      i++;
    } else if (order > 0) {
      out.push({ path: y!.path, to: y! });
      j++;
    } else {
      if (!sameEntry(x!, y!)) out.push({ path: x!.path, from: x!, to: y! });
      i++;
      j++;
    }
  }
  return out;
}
