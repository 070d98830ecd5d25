import { chunkedWorkState } from '../scan/chunkedWorkState.js';
import type { Artifact } from '../pointers/pointers.js';
import type { Repo } from '../Repo.js';
import { planCheckout, type CheckoutPlan } from './planCheckout.js';

/**
 * Repair mode over what differs only: a whole directory at its own version
 * (the work index's root is B, or an add recorded its chunks), whose files
 * may have been deleted or edited since. The status engine
 * (chunkedWorkState) finds the chunks whose scan changed and B's leaves
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
  const chunked = await chunkedWorkState(repo, artifact);
  if (!chunked) return undefined;
  const plan = planCheckout(repo, artifact, chunked.state.expected, chunked.work, []);
  return { ...plan, unchanged: plan.unchanged + chunked.state.unchangedFiles };
}
