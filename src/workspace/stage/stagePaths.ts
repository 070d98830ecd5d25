import { existsSync } from 'node:fs';
import { absPath, type Repo } from '../Repo.js';

/**
 * Stage files trove changed: `git add` what exists, `git rm --cached` what
 * trove removed (a .gitignore left empty is deleted, and `git add` of a path
 * that is neither on disk nor in the index fails).
 */
export async function stagePaths(repo: Repo, paths: readonly string[]): Promise<void> {
  const unique = [...new Set(paths)];
  const present = unique.filter((p) => existsSync(absPath(repo, p)));
  const gone = unique.filter((p) => !present.includes(p));
  if (present.length) await repo.git.run(['add', '--', ...present]);
  if (gone.length) await repo.git.run(['rm', '-q', '--cached', '--ignore-unmatch', '--', ...gone]);
}
