import { isTroveError } from '../errors/index.js';
import { readManifest } from '../store/manifestIO.js';
import type { Artifact } from './pointers.js';
import type { Repo } from './Repo.js';

/**
 * The artifacts whose content is not all in the local store (checked on disk
 * only, no hashing of the work tree): what a checkout would need to fetch.
 * A directory seen complete once is remembered by the store.
 */
export function artifactsMissingContent(repo: Repo, artifacts: readonly Artifact[]): Artifact[] {
  return artifacts.filter((a) => !isInStore(repo, a));
}

function isInStore(repo: Repo, a: Artifact): boolean {
  const { pointer } = a;
  if (repo.store.isComplete(pointer.oid)) return true;
  if (pointer.kind === 'file') return repo.store.hasFile(pointer.oid);
  let entries;
  try {
    entries = readManifest(repo.store, pointer.oid, a.path);
  } catch (err) {
    if (isTroveError(err, 'OBJECT_MISSING')) return false;
    throw err;
  }
  const complete = repo.store.hasFiles(entries.flatMap((e) => (e.mode === 'l' ? [] : [e.oid]))).every(Boolean);
  if (complete) repo.store.markComplete(pointer.oid);
  return complete;
}
