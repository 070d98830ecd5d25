import { TroveError } from '../../errors/index.js';
import { parsePointer, pointerPathFor, type Pointer } from '../../core/pointer.js';
import { catObjects, resolveRev } from '../../platform/git.js';
import type { Repo } from '../Repo.js';

/** A tracked path at one revision. */
export interface PointerAtRev {
  /** the revision as given */
  readonly rev: string;
  /** its full commit id */
  readonly commit: string;
  /** undefined when the path is not tracked at that commit */
  readonly pointer: Pointer | undefined;
}

/**
 * The pointer of one tracked path at each of `revs`, read with one
 * `git cat-file --batch` (`<commit>:<path>.trove` names) instead of listing
 * every tree: two versions of one path cost two rev-parses and one spawn.
 */
export async function pointersAtRevs(repo: Repo, path: string, revs: readonly string[]): Promise<PointerAtRev[]> {
  if (/[\n\r]/.test(path)) throw new TroveError('USAGE', 'A tracked path cannot contain a line break here.', { hint: 'Name the tracked path, as trove ls lists it.' });
  const commits = await Promise.all(revs.map((r) => resolveRev(repo.git, r)));
  const pointerPath = pointerPathFor(path);
  const objects = await catObjects(repo.git, commits.map((c) => `${c}:${pointerPath}`));
  return revs.map((rev, i) => {
    const o = objects[i];
    if (o && o.type !== 'blob') {
      throw new TroveError('BAD_POINTER', `${pointerPath} at ${rev} is a ${o.type}, not a pointer file.`, { hint: 'Name the tracked path, as trove ls lists it.', data: { path, rev } });
    }
    return { rev, commit: commits[i]!, pointer: o ? parsePointer(o.content, `${pointerPath} at ${rev}`) : undefined };
  });
}
