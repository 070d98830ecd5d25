import { TroveError } from '../errors/index.js';
import { parsePage, type ManifestEntry } from '../core/manifest.js';
import { formatOid, type Oid } from '../core/oid.js';
import type { ObjectStore } from './ObjectStore.js';

/**
 * The entries of a directory version that are `prefix` itself or lie under
 * `prefix/`, reading only the pages whose path range can hold them: in a
 * 100,000-file tree that is the root, one node page or two and a leaf,
 * instead of every page. Throws OBJECT_MISSING (naming `what`) when a page
 * it needs is absent, BAD_MANIFEST for a corrupt one.
 */
export function manifestEntriesUnder(store: ObjectStore, root: Oid, prefix: string, what: string): ManifestEntry[] {
  // Every path equal to P or under "P/" sorts in [P, P + "0"): "/" is the code unit just below "0".
  const high = prefix + '0';
  const out: ManifestEntry[] = [];
  const visit = (oid: Oid, depth: number): void => {
    if (depth > 32) throw new TroveError('BAD_MANIFEST', `The directory manifest of ${what} is invalid: the tree is too deep.`, { hint: 'Run trove fsck; re-add the directory if you still have it.', data: { path: what, oid: formatOid(root) } });
    const page = parsePage(store.readObject(oid, what), `${formatOid(oid).slice(0, 19)}… of ${what}`, what);
    if (page.type === 'leaf') {
      for (const e of page.entries) if (e.path === prefix || e.path.startsWith(prefix + '/')) out.push(e);
      return;
    }
    // Child i holds the paths in [first(i), first(i+1)).
    page.children.forEach((c, i) => {
      const next = page.children[i + 1]?.first;
      if (c.first < high && (next === undefined || next > prefix)) visit(c.oid, depth + 1);
    });
  };
  visit(root, 0);
  return out;
}
