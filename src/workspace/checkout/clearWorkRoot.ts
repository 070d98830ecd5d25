import type { Repo } from '../Repo.js';

/**
 * Forget which version the files of directory `path` are at (its work index
 * root), saved at once: called before trove moves or removes the directory
 * as a whole (mv, rm, a pointer the new commit no longer has), so a later
 * checkout of whatever stands there compares every file (repair mode)
 * instead of trusting a version the directory no longer holds.
 */
export function clearWorkRoot(repo: Repo, path: string): void {
  const index = repo.workIndex(path);
  if (!index.root()) return;
  index.splice('', 0, 0, [], []);
  index.save();
}
