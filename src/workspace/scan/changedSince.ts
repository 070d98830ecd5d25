import { isTroveError } from '../../errors/index.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { joinRepoPath } from '../../core/repoPath.js';
import { diffManifests } from '../../store/diffManifests.js';
import { listRevArtifacts, type Artifact } from '../pointers/pointers.js';
import type { Repo } from '../Repo.js';
import { diffEntries } from './workState.js';

/** Beyond this many changed files in one directory, looking at all of it is as cheap. */
const MAX_CHANGED_FILES = 2000;

export interface Changes {
  /** data paths to restore: whole artifacts, or files inside a directory artifact */
  readonly paths: string[];
  /**
   * For a directory restored file by file: its new entries for those files
   * (paths relative to the artifact), taken from the manifest diff, so the
   * checkout need not read the whole new manifest again.
   */
  readonly entries: Map<string, ManifestEntry[]>;
}

/**
 * The artifacts committed at `rev`, or undefined when `rev` cannot be read
 * (gone, shallow, a bad pointer in it): the caller then compares nothing.
 */
export async function artifactsAt(repo: Repo, rev: string): Promise<Artifact[] | undefined> {
  try {
    return await listRevArtifacts(repo, rev);
  } catch (err) {
    if (isTroveError(err)) return undefined;
    throw err;
  }
}

/**
 * The data paths that differ between the artifacts of the previous commit
 * (`before`) and the work tree's pointers (`now`): whole artifacts that are
 * new or changed kind, and for a directory whose old and new versions are
 * both in the store, only the files that changed inside it. Git just moved
 * HEAD; everything else was in place before and still is, so a restore can
 * leave it alone (the difference between touching 100 files and stat-ing
 * 20,000).
 */
export function changedSince(repo: Repo, before: readonly Artifact[], now: readonly Artifact[]): Changes {
  const old = new Map(before.map((a) => [a.path, a.pointer]));
  const paths: string[] = [];
  const entries = new Map<string, ManifestEntry[]>();
  for (const a of now) {
    const was = old.get(a.path);
    if (was && was.kind === a.pointer.kind && was.oid.hex === a.pointer.oid.hex && was.executable === a.pointer.executable) continue;
    if (!was || was.kind !== 'dir' || a.pointer.kind !== 'dir') {
      paths.push(a.path);
      continue;
    }
    try {
      const d = diffManifests(repo.store, was.oid, a.pointer.oid, a.path);
      const c = diffEntries(d.from, d.to);
      const files = [...c.added, ...c.deleted, ...c.modified].map((e) => e.path);
      if (files.length > MAX_CHANGED_FILES) paths.push(a.path);
      else if (files.length > 0) {
        for (const f of files) paths.push(joinRepoPath(a.path, f));
        entries.set(a.path, d.to);
      }
    } catch (err) {
      // A version not in the store (never fetched): compare nothing, restore the whole artifact.
      if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
      paths.push(a.path);
    }
  }
  return { paths, entries };
}
