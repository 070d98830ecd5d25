import type { ManifestEntry } from '../core/manifest.js';
import type { Oid } from '../core/oid.js';
import { iterateManifest } from './manifestIO.js';
import type { ObjectStore } from './ObjectStore.js';

/**
 * The entries of a directory version that are `prefix` itself or lie under
 * `prefix/`, reading only the pages whose path range can hold them: in a
 * 100,000-file tree that is the root, one node page or two and a leaf,
 * instead of every page. Throws OBJECT_MISSING (naming `what`) when a page
 * it needs is absent, BAD_MANIFEST for a corrupt one.
 */
export function manifestEntriesUnder(store: ObjectStore, root: Oid, prefix: string, what: string): ManifestEntry[] {
  return [...iterateManifest(store, root, what, { under: prefix })];
}
