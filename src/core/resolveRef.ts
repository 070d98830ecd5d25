import { TroveError } from '../errors/index.js';
import type { RegisteredVersion, RegistryEntity, RegistrySnapshot, ResolvedRef } from './registryTypes.js';
import { compareVersions, normalizeVersion, parseMlgitAlias } from './registryNames.js';

/**
 * References to a registered version (docs/registry.md):
 *
 *   NAME                  the latest version that is not deprecated
 *   NAME@latest           the same (also GTO's NAME@greatest)
 *   NAME@vX.Y.Z           exactly that version (also NAME@X.Y.Z)
 *   NAME@X                vX.0.0 (ml-git numbers versions 1, 2, 3)
 *   NAME#STAGE            the newest assignment of STAGE in the stage file
 *   cat1__cat2__NAME__N   ml-git's tag: vN.0.0 of NAME, when the categories match the declaration
 *
 * "Latest" is the highest SemVer that is not deregistered/deprecated; an
 * explicit version resolves even when deprecated (old models stay reproducible).
 */

const NAME_PART = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const STAGE_REF = new RegExp(`^(${NAME_PART})#(${NAME_PART})$`);
const VERSION_REF = new RegExp(`^(${NAME_PART})@(.+)$`);
const BARE = new RegExp(`^${NAME_PART}$`);

export type RefForm = 'bare' | 'latest' | 'version' | 'stage' | 'alias';

export interface ParsedRef {
  readonly form: RefForm;
  readonly name: string;
  /** 'version': the normalised version; 'alias': vN.0.0 */
  readonly version?: string;
  readonly stage?: string;
  /** 'alias': the categories it names */
  readonly categories?: readonly string[];
}

/** The syntactic form of a reference, or null when it is none (a path, a typo). Pure syntax: no lookup. */
export function parseRef(ref: string): ParsedRef | null {
  const st = STAGE_REF.exec(ref);
  if (st) return { form: 'stage', name: st[1]!, stage: st[2]! };
  const at = VERSION_REF.exec(ref);
  if (at) {
    const spec = at[2]!;
    if (spec === 'latest' || spec === 'greatest') return { form: 'latest', name: at[1]! };
    // a malformed version is reported by resolveRef (BAD_NAME rule 'version'); syntactically it is a version ref
    return { form: 'version', name: at[1]!, version: spec };
  }
  const alias = parseMlgitAlias(ref);
  if (alias) return { form: 'alias', name: alias.name, categories: alias.categories, version: `v${alias.number}.0.0` };
  if (BARE.test(ref)) return { form: 'bare', name: ref };
  return null;
}

/**
 * Whether `arg` (e.g. of `trove checkout`) is meant as a registry reference:
 * a versioned form (NAME@…, NAME#STAGE, an ml-git tag) naming a declared
 * entity, or a bare declared NAME. For a bare NAME the caller must also check
 * that no path of that name exists (plan §0: both → USAGE "write NAME@latest
 * or ./NAME"); `refForm` tells it which case it has.
 */
export function isRegistryRef(snapshot: RegistrySnapshot, arg: string): boolean {
  return refForm(snapshot, arg) !== null;
}

/** The form of `arg` when it names a declared entity (see isRegistryRef), else null. */
export function refForm(snapshot: RegistrySnapshot, arg: string): RefForm | null {
  const p = parseRef(arg);
  if (!p) return null;
  const entity = snapshot.entities.get(p.name);
  if (!entity) return null;
  if (p.form === 'alias' && !sameList(entity.record.categories, p.categories ?? [])) return null;
  return p.form;
}

/** Resolve a reference to one registered version. NOT_FOUND (hint: a command listing what exists), BAD_NAME for a malformed version. */
export function resolveRef(snapshot: RegistrySnapshot, ref: string): ResolvedRef {
  const p = parseRef(ref);
  if (!p) {
    throw notFound(ref, `"${clip(ref)}" is not a registry reference (NAME, NAME@vX.Y.Z, NAME#STAGE or an ml-git tag)`, 'trove registry', {
      known: [...snapshot.entities.keys()].sort(),
    });
  }
  const entity = snapshot.entities.get(p.name);
  if (!entity) {
    throw notFound(ref, `No entity named "${p.name}" is declared`, 'trove registry', { entity: p.name, known: [...snapshot.entities.keys()].sort() });
  }
  const versions = entity.versions.map((v) => v.version);
  const listing = { entity: p.name, versions };
  switch (p.form) {
    case 'bare':
    case 'latest': {
      const v = latestVersion(entity);
      if (!v) {
        throw notFound(ref, `${p.name} has no ${versions.length ? 'version that is not deprecated' : 'versions yet'}`, versions.length ? `trove registry history ${p.name}` : `trove version ${p.name}`, listing);
      }
      return { entity, version: v };
    }
    case 'version':
    case 'alias': {
      if (p.form === 'alias' && !sameList(entity.record.categories, p.categories!)) {
        throw notFound(ref, `"${ref}" names categories ${p.categories!.join('/')} but ${p.name} is declared under ${entity.record.categories.join('/') || 'none'}`, `trove registry history ${p.name}`, listing);
      }
      const wanted = p.form === 'alias' ? p.version! : normalizeVersion(p.version!);
      const v = entity.versions.find((x) => x.version === wanted);
      if (!v) throw notFound(ref, `${p.name} has no version ${wanted}`, `trove registry history ${p.name}`, { ...listing, version: wanted });
      return { entity, version: v };
    }
    case 'stage': {
      const stage = p.stage!;
      const holder = entity.stages[stage]?.[0];
      if (!holder) throw notFound(ref, `Stage ${stage} of ${p.name} holds no version`, 'trove registry', { ...listing, stage, stages: Object.keys(entity.stages).sort() });
      const v = entity.versions.find((x) => x.version === holder.version);
      if (!v) throw notFound(ref, `Stage ${stage} of ${p.name} holds ${holder.version}, which is not registered here`, `git fetch --tags`, { ...listing, stage, version: holder.version });
      return { entity, version: v };
    }
  }
}

/** The highest SemVer of `entity` that is not deprecated, or null. */
export function latestVersion(entity: RegistryEntity): RegisteredVersion | null {
  let best: RegisteredVersion | null = null;
  for (const v of entity.versions) {
    if (v.deprecated) continue;
    if (best === null || compareVersions(v.version, best.version) > 0) best = v;
  }
  return best;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function notFound(ref: string, message: string, hint: string, data: Record<string, unknown>): TroveError {
  return new TroveError('NOT_FOUND', `${message}.`, { hint, data: { ref, ...data } });
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
