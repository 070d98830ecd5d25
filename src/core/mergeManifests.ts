import type { ManifestEntry } from './manifest.js';
import { compareEntries } from './manifestTree.js';
import { sameEntry } from './pairEntries.js';

/**
 * Three-way merge of directory versions, file by file (pure: entries in,
 * entries out). The rules are Git's for lines, applied to files:
 *
 * | base | ours | theirs | result |
 * |---|---|---|---|
 * | x | x | y | y (changed, added or deleted on one side) |
 * | x | y | y | y (the same change on both sides) |
 * | x | y | z | conflict `both-modified` (`both-added` without a base) |
 * | x | y | – | conflict `modified-deleted` |
 * | x | – | y | conflict `deleted-modified` |
 *
 * "Same" means same content, mode and link target (`sameEntry`). A conflict
 * keeps our side's state of that path in `entries`, so the result is always a
 * valid directory version: the merge of everything that merged, with ours
 * where it did not. Both sides stay retrievable from Git's index stages, so
 * this is a starting point for resolving, never a silent choice.
 *
 * A merge can also produce "x" as a file and "x/y" as another entry (one side
 * replaced a file by a directory, the other changed it or added beside it).
 * Such paths are put back to our side's state and reported as
 * `file-directory` conflicts, repeating until the result is consistent
 * (ours alone always is, so this ends).
 */
export type EntryConflictReason = 'both-modified' | 'both-added' | 'modified-deleted' | 'deleted-modified' | 'file-directory';

export interface EntryConflict {
  /** path inside the directory */
  readonly path: string;
  readonly reason: EntryConflictReason;
}

export interface ManifestMergeResult {
  /** sorted, unique, consistent; ours for every conflicting path */
  readonly entries: ManifestEntry[];
  /** sorted by path */
  readonly conflicts: EntryConflict[];
  /** paths whose merged state came from their side (added, changed or deleted there) */
  readonly fromTheirs: number;
}

/** sameEntry, where `undefined` (absent on that side) equals only itself. */
export function sameManifestEntry(a: ManifestEntry | undefined, b: ManifestEntry | undefined): boolean {
  return a === undefined || b === undefined ? a === b : sameEntry(a, b);
}

/** One path's three-way decision: the merged state, or the conflict reason. */
export type PickResult<T> = { readonly value: T | undefined; readonly side: 'ours' | 'theirs' } | { readonly conflict: 'both-modified' | 'both-added' | 'modified-deleted' | 'deleted-modified' };

/** The three-way rule for one value (an entry, or a whole file pointer); `undefined` = absent on that side. */
export function pickThreeWay<T>(base: T | undefined, ours: T | undefined, theirs: T | undefined, same: (a: T | undefined, b: T | undefined) => boolean): PickResult<T> {
  if (same(ours, theirs)) return { value: ours, side: 'ours' };
  if (same(base, ours)) return { value: theirs, side: 'theirs' };
  if (same(base, theirs)) return { value: ours, side: 'ours' };
  if (base === undefined) return { conflict: 'both-added' };
  if (theirs === undefined) return { conflict: 'modified-deleted' };
  if (ours === undefined) return { conflict: 'deleted-modified' };
  return { conflict: 'both-modified' };
}

/** Merge three sorted, unique entry lists (base may be empty: both sides added the directory). */
export function mergeManifests(base: readonly ManifestEntry[], ours: readonly ManifestEntry[], theirs: readonly ManifestEntry[]): ManifestMergeResult {
  const merged = new Map<string, ManifestEntry>();
  const oursByPath = new Map<string, ManifestEntry>();
  const fromTheirs = new Set<string>();
  const conflicts = new Map<string, EntryConflict>();
  // A three-way merge-join over the sorted lists: O(n), no per-path lookups into the other lists.
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < base.length || j < ours.length || k < theirs.length) {
    const path = minPath(base[i], ours[j], theirs[k]);
    const b = base[i]?.path === path ? base[i++] : undefined;
    const o = ours[j]?.path === path ? ours[j++] : undefined;
    const t = theirs[k]?.path === path ? theirs[k++] : undefined;
    if (o) oursByPath.set(path, o);
    const pick = pickThreeWay(b, o, t, sameManifestEntry);
    if ('conflict' in pick) {
      conflicts.set(path, { path, reason: pick.conflict });
      if (o) merged.set(path, o);
      continue;
    }
    if (pick.side === 'theirs') fromTheirs.add(path);
    if (pick.value) merged.set(path, pick.value);
  }
  resolveFileDirectoryClashes(merged, oursByPath, fromTheirs, conflicts);
  const entries = [...merged.values()].sort(compareEntries);
  const list = [...conflicts.values()].sort(compareEntries);
  return { entries, conflicts: list, fromTheirs: fromTheirs.size };
}

function minPath(...entries: (ManifestEntry | undefined)[]): string {
  let min: string | undefined;
  for (const e of entries) if (e && (min === undefined || e.path < min)) min = e.path;
  return min!;
}

/**
 * Put every path involved in a file/directory clash back to our side's state.
 * Only paths whose merged state differs from ours can be reverted; ours alone
 * is consistent, so each round moves closer to it and the loop ends.
 */
function resolveFileDirectoryClashes(merged: Map<string, ManifestEntry>, ours: Map<string, ManifestEntry>, fromTheirs: Set<string>, conflicts: Map<string, EntryConflict>): void {
  for (;;) {
    const clashing = findClashes(merged);
    const revert = clashing.filter((p) => merged.get(p) !== ours.get(p));
    if (revert.length === 0) return;
    for (const p of revert) {
      const o = ours.get(p);
      if (o) merged.set(p, o);
      else merged.delete(p);
      fromTheirs.delete(p);
      if (!conflicts.has(p)) conflicts.set(p, { path: p, reason: 'file-directory' });
    }
  }
}

/** Paths that are a file while another path lies below them, and those paths below. */
function findClashes(merged: Map<string, ManifestEntry>): string[] {
  const out = new Set<string>();
  for (const path of merged.keys()) {
    let slash = path.indexOf('/');
    while (slash > 0) {
      const parent = path.slice(0, slash);
      if (merged.has(parent)) {
        out.add(parent);
        out.add(path);
      }
      slash = path.indexOf('/', slash + 1);
    }
  }
  return [...out];
}

/** A short English description of a conflict, for messages: "cat/1.jpg changed on both sides". */
export function describeConflict(c: EntryConflict): string {
  switch (c.reason) {
    case 'both-modified':
      return `${c.path} changed on both sides`;
    case 'both-added':
      return `${c.path} added on both sides with different content`;
    case 'modified-deleted':
      return `${c.path} changed on our side and deleted on theirs`;
    case 'deleted-modified':
      return `${c.path} deleted on our side and changed on theirs`;
    case 'file-directory':
      return `${c.path} is a file on one side and a directory on the other`;
  }
}
