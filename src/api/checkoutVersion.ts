import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TroveError, isTroveError } from '../errors/index.js';
import { createPointer, type Pointer } from '../core/pointer.js';
import { parseOid, formatOid } from '../core/oid.js';
import { ENTITIES_DIR, type RegisteredVersion, type RegistrySnapshot } from '../core/registryTypes.js';
import { checkRepoPath } from '../core/repoPath.js';
import { parseRef, resolveRef } from '../core/resolveRef.js';
import type { LinkMode } from '../platform/config.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import type { CheckoutResult } from '../workspace/checkout/checkoutPaths.js';
import { absPath, type Repo } from '../workspace/Repo.js';
import { checkout, type RecoverOptions } from './checkout.js';
import { checkOptions } from './checkOptions.js';
import { revPointer } from './revPointer.js';
import type { Recovered } from './recoverMissing.js';
import type { SampleSpec } from '../core/registryTypes.js';
import { clearSampled } from '../registry/samplesState.js';
import { checkoutSample, type SampleCheckoutResult } from './sampledCheckout.js';

export interface CheckoutVersionOptions extends RecoverOptions {
  /** NAME@vX.Y.Z, NAME@X, NAME@latest, NAME, NAME#STAGE or an ml-git tag */
  readonly refs: readonly string[];
  /** also the versions it was made from (its `uses`, transitively) */
  readonly withDeps?: boolean;
  /** overwrite local changes that were not added (saved in the store first) */
  readonly force?: boolean;
  readonly link?: LinkMode;
  /** place only a sample of the dataset versions (docs/sampling.md); they are then marked sampled and cannot become versions */
  readonly sample?: { readonly spec: SampleSpec; readonly seed?: string };
}

export interface CheckedOutVersion {
  readonly entity: string;
  readonly version: string;
  readonly tag: string;
  readonly path: string;
  readonly commit: string;
  /** placed because a version asked for was made from it (--with-deps) */
  readonly dependency: boolean;
}

export interface CheckoutVersionResult extends CheckoutResult, Recovered {
  readonly versions: CheckedOutVersion[];
  /** the dataset versions placed as a sample (with `sample`) */
  readonly samples: SampleCheckoutResult[];
  /** entities whose sampled state ended: their full data is in place now */
  readonly unsampled: string[];
}

/**
 * Place registered versions' data at their entities' paths, and with
 * `withDeps` the versions they were made from, at the versions recorded.
 * Each goes through the `checkout --rev` machinery against the version's
 * commit (so it is exactly as fast, fetches what the store lacks, and
 * refuses to overwrite local changes unless `force`); HEAD does not move.
 * The version record (the tag) is the authority for what the data is.
 *
 * @example
 *   await checkoutVersion(repo, { refs: ['modelmnist@v1.0.0'], withDeps: true });
 */
export async function checkoutVersion(repo: Repo, options: CheckoutVersionOptions): Promise<CheckoutVersionResult> {
  checkOptions('checkoutVersion', repo, options, { refs: 'string[]', withDeps: 'boolean?', force: 'boolean?', link: 'string?', remote: 'string?', fetch: 'boolean?', sample: 'object?' });
  if (options.refs.length === 0) throw new TroveError('USAGE', 'Name a version to check out.', { hint: 'trove checkout mnist@v1.0.0' });
  const snapshot = await loadRegistry(repo);
  for (const w of snapshot.warnings) repo.reporter.warn(w);
  const versions = versionClosure(snapshot, options.refs, options.withDeps === true);
  const isDataset = (v: CheckedOutVersion): boolean => snapshot.entities.get(v.entity)!.record.type === 'dataset';
  const sampled = options.sample ? versions.filter(isDataset) : [];
  if (options.sample && sampled.length === 0) {
    throw new TroveError('USAGE', `Samples are taken of datasets; ${versions.map((v) => v.tag).join(', ')} ${versions.length === 1 ? 'is' : 'are'} not one.`, { hint: 'Check out a dataset version with --sample, or a model with --with-deps --sample to sample its dataset.', data: { rule: 'sample-not-dataset' } });
  }
  // One checkout per commit: its pointers are what a fetch of missing content reads.
  const byCommit = new Map<string, CheckedOutVersion[]>();
  for (const v of versions) if (!sampled.includes(v)) (byCommit.get(v.commit) ?? byCommit.set(v.commit, []).get(v.commit)!).push(v);
  const total: CheckoutVersionResult = { versions, artifacts: [], written: 0, deleted: 0, saved: [], pointers: [], strategy: 'copy', samples: [], unsampled: [] };
  for (const v of sampled) {
    total.samples.push(
      await checkoutSample(repo, {
        path: v.path,
        pointer: await versionPointer(repo, snapshot, v),
        spec: options.sample!.spec,
        ...(options.sample!.seed !== undefined ? { seed: options.sample!.seed } : {}),
        entity: v.entity,
        version: v.version,
        force: options.force === true,
        ...(options.remote !== undefined ? { remote: options.remote } : {}),
        ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
      }),
    );
  }
  let fetched: Recovered['fetch'];
  for (const [commit, group] of byCommit) {
    const artifacts = await Promise.all(group.map(async (v) => ({ path: v.path, pointer: await versionPointer(repo, snapshot, v) })));
    const r = await checkout(repo, {
      rev: commit,
      paths: group.map((v) => absPath(repo, v.path)),
      artifacts,
      force: options.force === true,
      ...(options.link ? { link: options.link } : {}),
      ...(options.remote !== undefined ? { remote: options.remote } : {}),
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    });
    total.artifacts.push(...r.artifacts);
    (total as { written: number }).written += r.written;
    (total as { deleted: number }).deleted += r.deleted;
    total.saved.push(...r.saved);
    total.pointers.push(...r.pointers);
    (total as { strategy: string }).strategy = r.strategy;
    if (r.fetch) fetched = fetched ? { ...fetched, objects: fetched.objects + r.fetch.objects, bytes: fetched.bytes + r.fetch.bytes } : r.fetch;
    // The whole version is in place: whatever sample was there before is over (`--full`).
    for (const v of group) if (clearSampled(repo.troveDir, v.entity)) total.unsampled.push(v.entity);
  }
  return fetched ? { ...total, fetch: fetched } : total;
}

/** The versions asked for, plus (withDeps) everything they were made from, transitively; one version per entity. */
export function versionClosure(snapshot: RegistrySnapshot, refs: readonly string[], withDeps: boolean): CheckedOutVersion[] {
  const chosen = new Map<string, CheckedOutVersion>();
  const queue: { ref: string; dependency: boolean; from?: string }[] = refs.map((ref) => ({ ref, dependency: false }));
  while (queue.length) {
    const { ref, dependency, from } = queue.shift()!;
    let resolved;
    try {
      resolved = resolveRef(snapshot, ref);
    } catch (err) {
      if (from && isTroveError(err, 'NOT_FOUND')) throw new TroveError('NOT_FOUND', `${from} was made from ${ref}, which is not registered here.`, { hint: 'Fetch the tags (git fetch --tags), or check out without --with-deps.', data: { ref, from } });
      throw err;
    }
    const v: RegisteredVersion = resolved.version;
    const name = resolved.entity.record.name;
    const prior = chosen.get(name);
    if (prior) {
      if (prior.version !== v.version) {
        throw new TroveError('USAGE', `Two versions of ${name} are asked for (${prior.version} and ${v.version}${from ? `, the second by ${from}` : ''}); its path can hold one.`, { hint: 'Check them out one at a time.', data: { entity: name, versions: [prior.version, v.version] } });
      }
      continue;
    }
    const path = checkRepoPath(resolved.entity.record.path, resolved.entity.file);
    chosen.set(name, { entity: name, version: v.version, tag: v.tag, path, commit: v.commit, dependency });
    if (withDeps) for (const u of v.uses) queue.push({ ref: u, dependency: true, from: v.tag });
  }
  return [...chosen.values()];
}

/** The pointer to place: the one committed with the version when it agrees with the record, else the record's own (the tag is the authority). */
async function versionPointer(repo: Repo, snapshot: RegistrySnapshot, v: CheckedOutVersion): Promise<Pointer> {
  const record = snapshot.entities.get(v.entity)!.versions.find((x) => x.version === v.version)!;
  try {
    const committed = await revPointer(repo, v.commit, v.path, v.tag);
    if (formatOid(committed.oid) === record.dataOid && committed.kind === record.dataKind) return committed;
  } catch (err) {
    if (!isTroveError(err, 'NOT_FOUND') && !isTroveError(err, 'BAD_POINTER')) throw err;
  }
  const oid = parseOid(record.dataOid, `${v.tag} data-oid`);
  return record.dataKind === 'dir' ? createPointer({ kind: 'dir', oid, size: record.dataSize, files: record.dataFiles }) : createPointer({ kind: 'file', oid, size: record.dataSize });
}

/**
 * The checkout dispatch rule (docs/decisions.md): an argument is a registry
 * reference when it has a reference's form (NAME@…, NAME#STAGE, an ml-git
 * tag) and names a declared entity; a bare NAME only when NAME is declared
 * and no path of that name exists (both: USAGE, "write NAME@latest or
 * ./NAME"). Returns the references when every argument is one, null when
 * none is (a path checkout, as before); a mix is USAGE. Costs one stat per
 * argument: a plain `trove checkout data/` never reads the registry.
 */
export function registryRefsIn(repo: Repo, args: readonly string[]): string[] | null {
  if (args.length === 0) return null;
  const refs = args.filter((arg) => {
    const p = parseRef(arg);
    if (!p || !existsSync(join(repo.root, ENTITIES_DIR, `${p.name}.yaml`))) return false;
    if (p.form !== 'bare') return true;
    if (existsSync(resolve(repo.cwd, arg))) {
      throw new TroveError('USAGE', `"${arg}" is both a registry entity and a path here.`, { hint: `write ${arg}@latest or ./${arg}`, data: { arg } });
    }
    return true;
  });
  if (refs.length === 0) return null;
  if (refs.length !== args.length) {
    const other = args.find((a) => !refs.includes(a))!;
    throw new TroveError('USAGE', `Check out registry versions (${refs[0]}) and paths (${other}) in separate commands.`, { hint: `trove checkout ${refs.join(' ')}`, data: { refs, paths: args.filter((a) => !refs.includes(a)) } });
  }
  return refs;
}
