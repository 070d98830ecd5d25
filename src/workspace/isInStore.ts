import type { ManifestEntry } from '../core/manifest.js';
import { isTroveError } from '../errors/index.js';
import { readManifest } from '../store/manifestIO.js';
import type { Artifact } from './pointers.js';
import type { Repo } from './Repo.js';

/**
 * Is every object the artifact's pointer needs in the local store? Remembered
 * per version once seen complete. `expected` saves reading the manifest again
 * when the caller already has it.
 */
export function isInStore(repo: Repo, a: Artifact, expected?: readonly ManifestEntry[]): boolean {
  const { pointer } = a;
  if (repo.store.isComplete(pointer.oid)) return true;
  let complete: boolean;
  if (pointer.kind === 'file') complete = repo.store.hasFile(pointer.oid);
  else {
    let entries = expected;
    if (!entries) {
      try {
        entries = readManifest(repo.store, pointer.oid, a.path);
      } catch (err) {
        if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
        return false;
      }
    }
    complete = repo.store.hasFiles(entries.flatMap((e) => (e.mode === 'l' ? [] : [e.oid]))).every(Boolean);
  }
  if (complete) repo.store.markComplete(pointer.oid);
  return complete;
}
