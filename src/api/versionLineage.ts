import { TroveError } from '../errors/index.js';
import { formatOid } from '../core/oid.js';
import type { RegistryEntity, RegistrySnapshot } from '../core/registryTypes.js';
import { parseMlgitAlias } from '../core/registryNames.js';
import { resolveRef } from '../core/resolveRef.js';
import { readWorkPointer } from '../workspace/pointers/pointers.js';
import type { Repo } from '../workspace/Repo.js';
import { revPointer } from './revPointer.js';

export interface UsesOptions {
  /** the dataset it was made from: NAME or NAME@VERSION (or an ml-git tag) */
  readonly dataset?: string;
  /** the labels it was made from */
  readonly labels?: string;
  /** anything else it was made from */
  readonly uses?: readonly string[];
}

/**
 * The lineage of a new version as GTO tags (NAME@vX.Y.Z), sorted. A
 * reference with a version resolves through the registry (NOT_FOUND for one
 * that does not exist). A bare NAME means the version whose data is in the
 * work tree now (at `commit` for --rev), as ml-git records it: the
 * registered version whose data oid equals the pointer's; data that no
 * version has is NOT_FOUND with `trove version DEP` as the hint.
 */
export async function resolveUses(repo: Repo, snapshot: RegistrySnapshot, entity: RegistryEntity, options: UsesOptions, commit: string | null): Promise<string[]> {
  const refs: { ref: string; flag: string; type?: string }[] = [
    ...(options.dataset !== undefined ? [{ ref: options.dataset, flag: '--dataset', type: 'dataset' }] : []),
    ...(options.labels !== undefined ? [{ ref: options.labels, flag: '--labels', type: 'labels' }] : []),
    ...(options.uses ?? []).map((ref) => ({ ref, flag: '--uses' })),
  ];
  const out = new Set<string>();
  for (const { ref, flag, type } of refs) {
    const bare = !/[@#]/.test(ref) && !parseMlgitAlias(ref);
    const dep = bare ? snapshot.entities.get(ref) : undefined;
    if (bare && !dep) throw new TroveError('NOT_FOUND', `${flag} ${ref}: no entity named ${ref} is declared.`, { hint: 'trove registry lists the entities.', data: { ref, flag } });
    const tag = bare ? await versionInWorkTree(repo, dep!, commit, flag) : resolveRef(snapshot, ref).version.tag;
    const depEntity = snapshot.entities.get(tag.slice(0, tag.indexOf('@')))!;
    if (depEntity.record.name === entity.record.name) throw new TroveError('USAGE', `${flag} ${ref}: a version cannot be made from its own entity.`, { hint: 'Name another entity.', data: { ref, flag } });
    if (type && depEntity.record.type !== type) {
      throw new TroveError('USAGE', `${flag} ${ref}: ${depEntity.record.name} is a ${depEntity.record.type}, not a ${type}.`, { hint: `Use --uses ${ref} for an entity of another type.`, data: { ref, flag, type: depEntity.record.type } });
    }
    out.add(tag);
  }
  return [...out].sort();
}

async function versionInWorkTree(repo: Repo, dep: RegistryEntity, commit: string | null, flag: string): Promise<string> {
  const name = dep.record.name;
  const pointer = commit ? await revPointer(repo, commit, dep.record.path, commit.slice(0, 12)) : readWorkPointer(repo, dep.record.path);
  if (!pointer) {
    throw new TroveError('NOT_FOUND', `${flag} ${name}: ${dep.record.path} has no tracked data in the work tree, so there is no version of it to record.`, { hint: `Name the version (${flag} ${name}@v1.0.0), or bring one back: trove checkout ${name}`, data: { ref: name, flag } });
  }
  const oid = formatOid(pointer.oid);
  const v = [...dep.versions].reverse().find((x) => x.dataOid === oid);
  if (!v) {
    throw new TroveError('NOT_FOUND', `${flag} ${name}: the data of ${name} in the work tree is not a registered version.`, { hint: `Register it first: trove version ${name}`, data: { ref: name, flag, oid } });
  }
  return v.tag;
}
