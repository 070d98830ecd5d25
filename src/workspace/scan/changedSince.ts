import { isTroveError } from '../../errors/index.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { joinRepoPath } from '../../core/repoPath.js';
import { diffManifests } from '../../store/diffManifests.js';
import { dataPathFor, isPointerPath, parsePointer } from '../../core/pointer.js';
import { checkRepoPath } from '../../core/repoPath.js';
import { catBlobs, diffTreePointers, resolveRev } from '../../platform/git.js';
import { isZeroOid } from '../../platform/parseRawLog.js';
import { createOid } from '../../core/oid.js';
import type { Artifact } from '../pointers/pointers.js';
import { isInStore } from '../pointers/isInStore.js';
import { TROVE_DIR, type Repo } from '../Repo.js';
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

/** What the pointers of the previous commit were, for the pointers that differ from HEAD's. */
export interface PointerChanges {
  /** the artifacts of the previous commit whose pointer HEAD changed or deleted (not the unchanged ones) */
  readonly before: Artifact[];
  /** data paths whose pointer differs between the previous commit and HEAD (added, changed, deleted) */
  readonly changed: ReadonlySet<string>;
}

/**
 * The pointers that differ between commit `rev` and HEAD, with their old
 * contents: one `git diff-tree` of the two commits and one cat-file of the
 * old blobs that changed, so a restore after `git checkout` costs what the
 * checkout changed, not the size of the Git tree (two full ls-tree listings
 * and every pointer blob before, scale plan S16). Undefined when `rev`
 * cannot be read (gone, shallow, a bad pointer in it): the caller then
 * compares nothing.
 */
export async function pointerChangesSince(repo: Repo, rev: string): Promise<PointerChanges | undefined> {
  try {
    const sha = await resolveRev(repo.git, rev);
    const changes = (await diffTreePointers(repo.git, sha, 'HEAD')).filter((c) => isPointerPath(c.path) && !c.path.startsWith(TROVE_DIR + '/'));
    // A submodule named *.trove is no pointer (ls-tree listed blobs only).
    const old = changes.filter((c) => !isZeroOid(c.oldOid) && c.oldMode !== '160000');
    const contents = await catBlobs(repo.git, old.map((c) => c.oldOid));
    const before = old.map((c) => ({ path: checkRepoPath(dataPathFor(c.path), `${rev}:${c.path}`), pointer: parsePointer(contents.get(c.oldOid) ?? '', `${c.path} at ${rev}`) }));
    return { before, changed: new Set(changes.map((c) => dataPathFor(c.path))) };
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
 * 20,000). With `changed` (pointerChangesSince), artifacts whose pointer
 * Git did not change are skipped, and `before` need only hold the changed ones.
 */
export function changedSince(repo: Repo, before: readonly Artifact[], now: readonly Artifact[], changed?: ReadonlySet<string>): Changes {
  const old = new Map(before.map((a) => [a.path, a.pointer]));
  const paths: string[] = [];
  const entries = new Map<string, ManifestEntry[]>();
  for (const a of now) {
    // `changed`: `before` holds only the pointers Git changed; the others are the same as at the previous commit.
    if (changed && !changed.has(a.path)) continue;
    const was = old.get(a.path);
    if (was && was.kind === a.pointer.kind && was.oid.hex === a.pointer.oid.hex && was.executable === a.pointer.executable) continue;
    if (!was || was.kind !== 'dir' || a.pointer.kind !== 'dir') {
      paths.push(a.path);
      continue;
    }
    const w = repo.workIndex(a.path).root();
    if (w && w !== a.pointer.oid.hex && /^[0-9a-f]{64}$/.test(w) && repo.store.hasObject(createOid('sha256', w))) {
      // The work index knows the version the files are at: checkout's switch mode diffs that against the new one itself.
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

/**
 * The artifacts whose content is not all in the local store (what the
 * restore hook fetches first), at the cost of what changed: a directory
 * version not yet known complete, whose base is (the version its files are
 * at by the work index, or the previous commit's), is complete when the
 * files that differ between the two are all here (`has` of the diff's new
 * side), and is then marked so. Without such a base, isInStore checks every
 * file as before.
 */
export function missingContentSince(repo: Repo, artifacts: readonly Artifact[], before: readonly Artifact[] | undefined): Artifact[] {
  const old = new Map((before ?? []).map((a) => [a.path, a.pointer]));
  return artifacts.filter((a) => {
    const p = a.pointer;
    if (p.kind !== 'dir' || repo.store.isComplete(p.oid)) return !isInStore(repo, a);
    const was = old.get(a.path);
    const bases = [repo.workIndex(a.path).root(), was?.kind === 'dir' ? was.oid.hex : undefined];
    for (const hex of bases) {
      if (!hex || hex === p.oid.hex || !/^[0-9a-f]{64}$/.test(hex) || !repo.store.isComplete(createOid('sha256', hex))) continue;
      let to: ManifestEntry[];
      try {
        to = diffManifests(repo.store, createOid('sha256', hex), p.oid, a.path).to;
      } catch (err) {
        // A page of either version not here: the new one cannot be complete without its pages.
        if (isTroveError(err, 'OBJECT_MISSING')) return true;
        throw err;
      }
      if (!repo.store.hasFiles(to.flatMap((e) => (e.mode === 'l' ? [] : [e.oid]))).every(Boolean)) return true;
      repo.store.markComplete(p.oid);
      return false;
    }
    return !isInStore(repo, a);
  });
}
