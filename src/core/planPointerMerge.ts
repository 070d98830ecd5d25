import { pickThreeWay } from './mergeManifests.js';
import type { Pointer } from './pointer.js';

/**
 * The first step of merging three versions of one pointer file (base, ours,
 * theirs): decide from the pointers alone whether one side can be taken
 * whole, whether two directory versions must be merged file by file, or
 * whether it is a conflict. Pure; the caller reads manifests only for
 * `merge-dirs`, so a merge that one side did not touch never needs the store.
 */
export type PointerMergePlan =
  /** clean: this side's pointer is the result (unchanged on the other side, or the same change on both) */
  | { readonly action: 'take'; readonly side: 'ours' | 'theirs'; readonly pointer: Pointer }
  /** both sides changed a directory: merge the manifests; `base` absent or not a directory = empty */
  | { readonly action: 'merge-dirs'; readonly base?: Pointer }
  /** cannot merge: two different file versions, or a file on one side and a directory on the other */
  | { readonly action: 'conflict'; readonly reason: 'both-modified' | 'both-added' | 'file-directory' };

/** Same version: same kind, same id and, for a file, same executable bit. Size and file count follow from the id. */
export function samePointerVersion(a: Pointer | undefined, b: Pointer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.kind === b.kind && a.oid.algo === b.oid.algo && a.oid.hex === b.oid.hex && Boolean(a.executable) === Boolean(b.executable);
}

export function planPointerMerge(base: Pointer | undefined, ours: Pointer, theirs: Pointer): PointerMergePlan {
  const pick = pickThreeWay(base, ours, theirs, samePointerVersion);
  if (!('conflict' in pick)) return { action: 'take', side: pick.side, pointer: pick.value! };
  if (ours.kind !== theirs.kind) return { action: 'conflict', reason: 'file-directory' };
  if (ours.kind === 'dir') return base?.kind === 'dir' ? { action: 'merge-dirs', base } : { action: 'merge-dirs' };
  // Two files, both changed differently (a deletion never reaches a pointer merge: Git handles modify/delete itself).
  return { action: 'conflict', reason: pick.conflict === 'both-added' ? 'both-added' : 'both-modified' };
}
