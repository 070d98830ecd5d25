import { TroveError } from '../errors/index.js';
import { parseOid, formatOid, type Oid } from '../core/oid.js';
import type { RegisteredVersion, RegistryEntity } from '../core/registryTypes.js';
import { compareVersions } from '../core/registryNames.js';
import { diffManifests } from '../store/diffManifests.js';
import type { ObjectStore } from '../store/ObjectStore.js';

/** The highest version that is not deregistered, or undefined. */
export function latestVersion(entity: RegistryEntity): RegisteredVersion | undefined {
  return [...entity.versions].filter((v) => !v.deprecated).sort((a, b) => compareVersions(a.version, b.version)).at(-1);
}

const LIST_MAX = 100;

/**
 * A strict entity's new version may add files, never change or delete one
 * (ml-git's strict mutability): compared with the latest version by the
 * manifest diff, which reads only the pages that differ (a new version of
 * 20,000 files with 100 added reads a few pages). MUTABILITY lists the
 * files, the first 100 and the count: data {entity, version, files:
 * [{path, change: 'changed'|'deleted'}], count}. Flexible and mutable
 * entities pass (flexible is enforced by read-only files instead). The
 * previous listing must be in the local store (OBJECT_MISSING otherwise; the
 * caller may fetch it and call again).
 */
export function checkMutability(store: ObjectStore, entity: RegistryEntity, kind: 'file' | 'dir', oid: Oid): void {
  if (entity.record.mutability !== 'strict') return;
  const latest = latestVersion(entity);
  if (!latest) return;
  const before = parseOid(latest.dataOid, `${latest.tag} data-oid`);
  if (before.hex === oid.hex) return;
  const path = entity.record.path;
  let files: { path: string; change: 'changed' | 'deleted' }[];
  if (latest.dataKind === 'dir' && kind === 'dir') {
    const d = diffManifests(store, before, oid, `${path} (${latest.tag})`);
    const now = new Set(d.to.map((e) => e.path));
    files = d.from.map((e) => ({ path: `${path}/${e.path}`, change: now.has(e.path) ? 'changed' : 'deleted' }));
  } else {
    files = [{ path, change: 'changed' }];
  }
  if (files.length === 0) return;
  const shown = files.slice(0, 3).map((f) => `${f.path} (${f.change})`).join(', ');
  throw new TroveError('MUTABILITY', `${entity.record.name} is strict: a new version may add files but not change or delete them, and ${files.length} file(s) differ from ${latest.tag}: ${shown}${files.length > 3 ? ', …' : ''}.`, {
    hint: `Restore them (trove checkout ${latest.tag} brings that version back), or put the change in a new entity; strict keeps every file of every version as it was.`,
    data: { entity: entity.record.name, latest: latest.tag, files: files.slice(0, LIST_MAX), count: files.length, from: latest.dataOid, to: formatOid(oid) },
  });
}

/** The registered version whose data is exactly `oid`, if any (identical bytes). */
export function versionWithData(entity: RegistryEntity, oid: string): RegisteredVersion | undefined {
  return entity.versions.find((v) => v.dataOid === oid);
}
