import type { ManifestEntry } from '../../core/manifest.js';
import { isTroveError } from '../../errors/index.js';
import { readManifest } from '../../store/manifestIO.js';
import type { Artifact } from './pointers.js';
import type { Repo } from '../Repo.js';

/**
 * Is every object the artifact's pointer needs in the local store? Checked on
 * disk only (no hashing of the work tree). A directory version seen complete
 * once is remembered by the store (a file is one object: one stat either way,
 * so no marker is written for it). `expected` saves reading the manifest again
 * when the caller already has it. Used by status and show.
 */
export function isInStore(repo: Repo, a: Artifact, expected?: readonly ManifestEntry[]): boolean {
  const { pointer } = a;
  if (repo.store.isComplete(pointer.oid)) return true;
  if (pointer.kind === 'file') return repo.store.hasFile(pointer.oid);
  let entries = expected;
  if (!entries) {
    try {
      entries = readManifest(repo.store, pointer.oid, a.path);
    } catch (err) {
      if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
      return false;
    }
  }
  const complete = repo.store.hasFiles(entries.flatMap((e) => (e.mode === 'l' ? [] : [e.oid]))).every(Boolean);
  if (complete) repo.store.markComplete(pointer.oid);
  return complete;
}

/**
 * The artifacts whose content is not all in the local store: what a checkout
 * would need to fetch (the restore hooks fetch these first).
 */
export function artifactsMissingContent(repo: Repo, artifacts: readonly Artifact[]): Artifact[] {
  return artifacts.filter((a) => !isInStore(repo, a));
}
