import { rmSync, rmdirSync } from 'node:fs';
import { clearWorkRoot } from './clearWorkRoot.js';
import { fromFsError } from '../../errors/index.js';
import { WorkTreeDirs } from '../../platform/WorkTreeDirs.js';
import { planCheckout } from './planCheckout.js';
import { invalidWorkPointers, type Artifact } from '../pointers/pointers.js';
import { absPath, type Repo } from '../Repo.js';
import { readWorkState } from '../scan/workState.js';

export interface RemoveVanishedResult {
  /** data paths removed: tracked at the previous commit, not at this one, content all in the store */
  readonly removed: string[];
  /** data paths left in place because they hold content the store does not have */
  readonly kept: string[];
}

/**
 * After Git moved from a previous commit to the current one: remove the data
 * of artifacts that the previous commit tracked (`before`) and the work
 * tree's pointers (`now`) do not, as Git
 * removes a file that the new commit no longer tracks. Left behind, such data
 * is neither tracked nor ignored any more, and `git add -A` would commit it
 * into Git. Only data whose every byte is in the store is removed (it comes
 * back with `trove checkout --rev PREV`); a path Git itself now tracks is not
 * touched.
 */
export async function removeVanished(repo: Repo, before: readonly Artifact[], current: readonly Artifact[]): Promise<RemoveVanishedResult> {
  // A pointer that is there but invalid still tracks its data: never "vanished".
  const now = [...current.map((a) => a.path), ...invalidWorkPointers(repo).keys()];
  const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(b + '/') || b.startsWith(a + '/');
  let gone = before.filter((a) => !now.some((p) => overlaps(p, a.path)));
  if (gone.length === 0) return { removed: [], kept: [] };
  const res = await repo.git.run(['ls-files', '-z', '--', ...gone.map((a) => `:(literal)${a.path}`)]);
  const tracked = res.stdout.toString('utf8').split('\0').filter(Boolean);
  gone = gone.filter((a) => !tracked.some((t) => overlaps(t, a.path)));
  const removed: string[] = [];
  const kept: string[] = [];
  // Removed through verified directories only: a symlinked directory in front of the data is refused, not followed.
  const dirs = new WorkTreeDirs(repo.root);
  for (const artifact of gone) {
    if (dirs.existingParent(artifact.path) === undefined) continue;
    const work = await readWorkState(repo, artifact.path);
    if (work.kind === 'missing') continue;
    const plan = planCheckout(repo, artifact, [], work, []);
    if (plan.dirty.length > 0) {
      kept.push(artifact.path);
      continue;
    }
    clearWorkRoot(repo, artifact.path);
    try {
      rmSync(absPath(repo, artifact.path), { recursive: true, force: true });
    } catch (err) {
      throw fromFsError(err, 'removing', artifact.path);
    }
    dirs.forget(artifact.path);
    repo.statCache.deletePrefix(artifact.path);
    pruneParents(repo, artifact.path, dirs);
    removed.push(artifact.path);
  }
  return { removed, kept };
}

/** Remove the directories above `path` that are now empty, as Git does when it removes a file. */
function pruneParents(repo: Repo, path: string, dirs: WorkTreeDirs): void {
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    try {
      rmdirSync(absPath(repo, path.slice(0, i)));
      dirs.forget(path.slice(0, i));
    } catch {
      // not empty (or already gone): stop pruning, as Git does; the file itself was removed
      return;
    }
  }
}
