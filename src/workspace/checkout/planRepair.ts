import type { ManifestEntry } from '../../core/manifest.js';
import { streamChunkedWork } from '../scan/streamChunkedWork.js';
import type { Artifact } from '../pointers/pointers.js';
import type { Repo } from '../Repo.js';
import { planCheckout, type CheckoutPlan } from './planCheckout.js';

/**
 * Repair mode over what differs only: a whole directory at its own version
 * (the work index's root is B, or an add recorded its chunks), whose files
 * may have been deleted or edited since. The status engine
 * (streamChunkedWork) finds the chunks whose scan changed and B's leaves
 * there; the plan is made over those two lists, which differ exactly where
 * the directory differs from B. A checkout after deleting 50,000 of
 * 1,000,000 files read B's whole manifest and every file's row (93 s,
 * 2.4 GB); this reads the stat scan and the changed parts. Undefined when
 * the directory has no recorded chunks (a first checkout over existing
 * files: the full comparison), is not a directory, or B's pages are
 * missing (the full path reports that).
 */
export async function planRepair(repo: Repo, artifact: Artifact): Promise<CheckoutPlan | undefined> {
  if (artifact.pointer.kind !== 'dir' || repo.workIndex(artifact.path).chunks().length === 0) return undefined;
  // A range of paths at a time: the plan is per path, so what is held is one batch and what must change.
  const writes: ManifestEntry[] = [];
  const deletes: string[] = [];
  const dirty: string[] = [];
  let unchanged = 0;
  const state = await streamChunkedWork(repo, artifact, (b, work) => {
    const plan = planCheckout(repo, artifact, b.expected, work, []);
    for (const e of plan.writes) writes.push(e);
    for (const d of plan.deletes) deletes.push(d);
    for (const d of plan.dirty) dirty.push(d);
    unchanged += plan.unchanged;
  });
  if (!state) return undefined;
  return { writes, deletes, dirty, unchanged: unchanged + state.unchangedFiles, whole: true };
}
