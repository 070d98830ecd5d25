import { rmdirSync } from 'node:fs';
import { joinRepoPath } from '../core/repoPath.js';
import { absPath, type Repo } from './Repo.js';

/** Remove directories left empty by deletions, bottom-up, never above the artifact root. */
export function pruneEmptyDirs(repo: Repo, root: string, deleted: readonly string[]): void {
  const dirs = new Set<string>();
  for (const rel of deleted) {
    let i = rel.lastIndexOf('/');
    while (i > 0) {
      dirs.add(rel.slice(0, i));
      i = rel.lastIndexOf('/', i - 1);
    }
  }
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(absPath(repo, joinRepoPath(root, d)));
    } catch {
      /* not empty, or already gone */
    }
  }
}
