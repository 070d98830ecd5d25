import { parseOid } from '../core/oid.js';
import type { RegisteredVersion, RegistrySnapshot } from '../core/registryTypes.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import { readManifest } from '../store/manifestIO.js';
import { fetchClosure, localClosure } from '../transfer/closure.js';
import type { SelectedArtifact } from '../workspace/pointers/transferArtifacts.js';
import type { RemoteSession } from '../sync/remoteSession.js';

/** Every registered version by tag. */
export function versionsByTag(snapshot: RegistrySnapshot): Map<string, RegisteredVersion> {
  const out = new Map<string, RegisteredVersion>();
  for (const e of snapshot.entities.values()) for (const v of e.versions) out.set(v.tag, v);
  return out;
}

/**
 * `tags` and every version they were made from (their `uses`, recursively):
 * the versions whose data a stage needs. Tags the repository does not have
 * are returned apart (a record naming a version that was never pushed).
 */
export function dataClosure(snapshot: RegistrySnapshot, tags: readonly string[]): { versions: RegisteredVersion[]; unknown: string[] } {
  const byTag = versionsByTag(snapshot);
  const versions: RegisteredVersion[] = [];
  const unknown: string[] = [];
  const seen = new Set<string>();
  const visit = (tag: string, depth: number): void => {
    if (seen.has(tag) || depth > 64) return;
    seen.add(tag);
    const v = byTag.get(tag);
    if (!v) {
      unknown.push(tag);
      return;
    }
    versions.push(v);
    for (const u of v.uses) visit(u, depth + 1);
  };
  for (const t of tags) visit(t, 0);
  return { versions, unknown };
}

/** A version's data as the transfer layer's artifact. */
export function versionArtifact(v: RegisteredVersion): SelectedArtifact {
  return { kind: v.dataKind, oid: parseOid(v.dataOid, `data-oid of ${v.tag}`), what: v.path };
}

export interface MissingData {
  readonly tag: string;
  readonly path: string;
  /** store objects (files, chunks, directory listings) the remote lacks */
  readonly objects: number;
  /** a few of the files concerned, for the message */
  readonly examples: readonly string[];
}

/**
 * What of each version's data the remote lacks. Directory listings that the
 * local store does not have are fetched from the remote first (listings
 * only, never file contents), so a CI clone with an empty store can check:
 * a listing the remote lacks counts as missing, as does every file it names
 * that neither the local store (pushable) nor the remote holds.
 */
export async function missingOnRemote(store: ObjectStore, session: RemoteSession, versions: readonly RegisteredVersion[], reporter: Parameters<typeof fetchClosure>[4]['reporter']): Promise<MissingData[]> {
  const out: MissingData[] = [];
  const roots = versions.map(versionArtifact);
  await fetchClosure(session.backend, session.index, store, roots, { jobs: session.jobs, policy: session.policy, reporter, pagesOnly: true });
  versions.forEach((v, i) => {
    const c = localClosure(store, [roots[i]!]);
    const examples = new Set<string>();
    let objects = 0;
    for (const item of c.items) {
      if (session.index.has(item.kind, item.hex)) continue;
      // A whole object may also be on the remote as a chunk list, and the reverse.
      if (session.index.has(item.kind === 'o' ? 'f' : 'o', item.hex)) continue;
      objects++;
    }
    for (const m of c.missing) {
      if (session.index.has('o', m.hex) || session.index.has('f', m.hex)) continue;
      objects++;
      if (examples.size < 5) examples.add(m.what);
    }
    if (objects > 0 && examples.size < 5 && roots[i]!.kind === 'dir') {
      // Name files too, not only counts: the entries whose content the remote lacks.
      try {
        for (const e of readManifest(store, roots[i]!.oid, v.path)) {
          if (examples.size >= 5) break;
          if (e.mode !== 'l' && !session.index.has('o', e.oid.hex) && !session.index.has('f', e.oid.hex)) examples.add(`${v.path}/${e.path}`);
        }
      } catch {
        /* the listing itself is missing: counted above */
      }
    } else if (objects > 0 && examples.size === 0) examples.add(v.path);
    if (objects > 0) out.push({ tag: v.tag, path: v.path, objects, examples: [...examples] });
  });
  return out;
}
