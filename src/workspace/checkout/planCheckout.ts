import { TroveError } from '../../errors/index.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { joinRepoPath } from '../../core/repoPath.js';
import type { Artifact } from '../pointers/pointers.js';
import type { Repo } from '../Repo.js';
import { sameEntry } from '../../core/pairEntries.js';
import type { WorkState } from '../scan/workState.js';

/** What checkout will do for one artifact. Paths are relative to the artifact ('' = the artifact itself). */
export interface CheckoutPlan {
  readonly writes: ManifestEntry[];
  readonly deletes: string[];
  /** repository paths whose current content is not in the store: overwriting them would lose data */
  readonly dirty: string[];
  readonly unchanged: number;
  /** the whole artifact was selected (not one file inside it) */
  readonly whole: boolean;
}

/**
 * Compare desired entries with the work tree. A file that is about to be
 * overwritten or deleted is "dirty" when its content is nowhere in the store:
 * that, not "differs from the pointer", is what would lose data, so switching
 * between committed versions never needs --force.
 */
export function planCheckout(repo: Repo, artifact: Artifact, desired: readonly ManifestEntry[], work: WorkState, subs: readonly string[]): CheckoutPlan {
  // rel or one of its parent directories was selected: a set lookup per path level, not a scan of subs per entry.
  const selected = new Set(subs);
  const inScope = (rel: string): boolean => {
    if (subs.length === 0 || selected.has(rel)) return true;
    for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) if (selected.has(rel.slice(0, i))) return true;
    return false;
  };
  const writes: ManifestEntry[] = [];
  const deletes: string[] = [];
  const dirty: string[] = [];
  let unchanged = 0;
  const repoPath = (rel: string): string => (rel === '' ? artifact.path : joinRepoPath(artifact.path, rel));
  const isSafeToLose = (e: ManifestEntry): boolean => e.mode === 'l' || repo.store.hasFile(e.oid);

  if (work.kind === 'other') {
    dirty.push(artifact.path);
    deletes.push('');
    return { writes: desired.filter((e) => inScope(e.path)), deletes, dirty, unchanged, whole: subs.length === 0 };
  }
  const current = work.kind === 'file' ? [work.entry] : work.kind === 'dir' ? work.entries : [];
  const typeChanged = work.kind !== 'missing' && (work.kind === 'file') !== (artifact.pointer.kind === 'file');
  if (typeChanged) {
    if (subs.length > 0) {
      throw new TroveError('USAGE', `${artifact.path} is a ${work.kind === 'file' ? 'file' : 'directory'} in the work tree but a ${artifact.pointer.kind === 'file' ? 'file' : 'directory'} in the pointer, so part of it cannot be checked out.`, {
        hint: `Check out the whole of it: trove checkout ${artifact.path}`,
      });
    }
    // A directory where a file should be, or the reverse: everything there goes.
    for (const c of current) if (!isSafeToLose(c)) dirty.push(repoPath(c.path));
    deletes.push('');
    return { writes: desired.filter((e) => inScope(e.path)), deletes, dirty, unchanged, whole: subs.length === 0 };
  }
  const byPath = new Map(current.map((c) => [c.path, c]));
  for (const e of desired) {
    if (!inScope(e.path)) continue;
    const c = byPath.get(e.path);
    byPath.delete(e.path);
    if (c && sameEntry(c, e)) unchanged++;
    else {
      if (c && !isSafeToLose(c)) dirty.push(repoPath(c.path));
      writes.push(e);
    }
  }
  for (const c of byPath.values()) {
    if (!inScope(c.path)) continue;
    if (!isSafeToLose(c)) dirty.push(repoPath(c.path));
    deletes.push(c.path);
  }
  return { writes, deletes, dirty, unchanged, whole: subs.length === 0 };
}
