import { realpathSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { checkRepoPath } from '../core/repoPath.js';
import { TroveError } from '../errors/index.js';

/**
 * A repository path that came from the browser, made safe to read: the
 * lexical rules of checkRepoPath (relative, no `..`, never `.git`/`.trove`),
 * then the real path of its longest existing prefix must still be inside the
 * work tree, so a symlinked directory pointing elsewhere cannot smuggle a read
 * out. A path that does not exist (yet) is fine: routes read tracked paths
 * from Git and the store, and only need the name to be one of the repository.
 */
export function browserPath(root: string, raw: string | undefined | null): string {
  if (typeof raw !== 'string') throw new TroveError('USAGE', 'A path is required.', { hint: 'Pass ?path=DIR/FILE, relative to the repository.' });
  const trimmed = raw.replace(/\/+$/, '');
  const path = checkRepoPath(trimmed, 'the request');
  const realRoot = realpathSync(root);
  let probe = path;
  for (;;) {
    let real: string | undefined;
    try {
      real = realpathSync(join(root, probe));
    } catch {
      // does not exist (yet): check its parent instead, below
      real = undefined;
    }
    if (real !== undefined) {
      const rel = relative(realRoot, real);
      if (rel.startsWith('..') || isAbsolute(rel)) {
        throw new TroveError('UNSAFE_PATH', `Unsafe path "${path}" in the request: it leads outside the repository through a symbolic link.`, {
          hint: 'Ask for paths inside the repository.',
          data: { path },
        });
      }
      return path;
    }
    const slash = probe.lastIndexOf('/');
    if (slash < 0) return path;
    probe = probe.slice(0, slash);
  }
}
