// STUB (h/reg-read) until h/reg-core lands core/resolveRef.ts: the contract's signature, minimal logic. Take theirs on merge.
import { TroveError } from '../errors/index.js';
import type { RegistrySnapshot, ResolvedRef } from './registryTypes.js';
import { compareVersions, normalizeVersion, parseMlgitAlias } from './registryNames.js';

export function resolveRef(snapshot: RegistrySnapshot, ref: string): ResolvedRef {
  const alias = parseMlgitAlias(ref);
  const m = /^([^@#]+)(?:@(.+))?$/.exec(ref);
  const name = alias ? alias.name : m?.[1] ?? ref;
  const entity = snapshot.entities.get(name);
  const notFound = (): never => {
    throw new TroveError('NOT_FOUND', `No version ${ref} in the registry.`, { hint: `trove registry ${name} lists its versions`, data: { ref } });
  };
  if (!entity) return notFound();
  const live = entity.versions.filter((v) => !v.deprecated);
  const want = alias ? `v${alias.number}.0.0` : m?.[2] && m[2] !== 'latest' ? normalizeVersion(m[2]) : null;
  const version = want ? entity.versions.find((v) => v.version === want) : [...live].sort((a, b) => compareVersions(a.version, b.version)).pop();
  if (!version) return notFound();
  return { entity, version };
}
