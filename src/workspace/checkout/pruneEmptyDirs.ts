import { rmdirSync } from 'node:fs';
import { joinRepoPath } from '../../core/repoPath.js';
import type { WorkTreeDirs } from '../../platform/WorkTreeDirs.js';

/** Remove directories left empty by deletions, bottom-up, never above the artifact root, never through a symlink. */
export function pruneEmptyDirs(root: string, deleted: readonly string[], dirs: WorkTreeDirs): void {
  const found = new Set<string>();
  for (const rel of deleted) {
    let i = rel.lastIndexOf('/');
    while (i > 0) {
      found.add(rel.slice(0, i));
      i = rel.lastIndexOf('/', i - 1);
    }
  }
  for (const d of [...found].sort((a, b) => b.length - a.length)) {
    const p = joinRepoPath(root, d);
    try {
      const abs = dirs.existingParent(p);
      if (abs !== undefined) rmdirSync(abs);
      dirs.forget(p);
    } catch {
      /* not empty, or already gone */
    }
  }
}
