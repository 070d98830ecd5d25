import { isTroveError } from '../errors/index.js';
import { joinRepoPath } from '../core/repoPath.js';
import { diffManifests } from '../store/diffManifests.js';
import { listRevArtifacts, listWorkArtifacts, type Artifact } from './pointers.js';
import type { Repo } from './Repo.js';
import { compareEntries } from './workState.js';

/** Beyond this many changed files in one directory, looking at all of it is as cheap. */
const MAX_CHANGED_FILES = 2000;

/**
 * The data paths that differ between commit `prev` and the work tree's
 * pointers: whole artifacts that are new or changed kind, and for a
 * directory whose old and new versions are both in the store, only the files
 * that changed inside it. Git just moved HEAD from `prev`; everything else
 * was in place before and still is, so a restore can leave it alone (the
 * difference between touching 100 files and stat-ing 20,000). Undefined when
 * `prev` cannot be read: the caller then looks at everything.
 */
export async function changedSince(repo: Repo, prev: string): Promise<string[] | undefined> {
  let before: Artifact[];
  try {
    before = await listRevArtifacts(repo, prev);
  } catch (err) {
    if (isTroveError(err)) return undefined;
    throw err;
  }
  const old = new Map(before.map((a) => [a.path, a.pointer]));
  const out: string[] = [];
  for (const a of await listWorkArtifacts(repo)) {
    const was = old.get(a.path);
    if (was && was.kind === a.pointer.kind && was.oid.hex === a.pointer.oid.hex && was.executable === a.pointer.executable) continue;
    if (!was || was.kind !== 'dir' || a.pointer.kind !== 'dir') {
      out.push(a.path);
      continue;
    }
    try {
      const d = diffManifests(repo.store, was.oid, a.pointer.oid, a.path);
      const c = compareEntries(d.from, d.to);
      const files = [...c.added, ...c.deleted, ...c.modified].map((e) => e.path);
      if (files.length > MAX_CHANGED_FILES) out.push(a.path);
      else for (const f of files) out.push(joinRepoPath(a.path, f));
    } catch (err) {
      // A version not in the store (never fetched): compare nothing, restore the whole artifact.
      if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
      out.push(a.path);
    }
  }
  return out;
}
