import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkOptions } from './checkOptions.js';
import { fetchLocked, type FetchResult } from './fetch.js';
import { fetchSampleLocked, type SampleFetchResult } from './sampledCheckout.js';
import { TroveError } from '../errors/index.js';
import { createPointer } from '../core/pointer.js';
import { parseOid } from '../core/oid.js';
import type { SampleSpec } from '../core/registryTypes.js';
import { parseRef, refForm, resolveRef } from '../core/resolveRef.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import { withLock, type Repo } from '../workspace/Repo.js';

export interface FetchVersionOptions {
  /** NAME, NAME@vX.Y.Z, NAME@latest, NAME#STAGE or an ml-git tag */
  readonly ref: string;
  /** only a sample of the version (datasets only) */
  readonly spec?: SampleSpec;
  readonly seed?: string;
  readonly remote?: string;
  readonly jobs?: number;
}

export type FetchVersionResult = { readonly entity: string; readonly version: string } & ({ readonly kind: 'sample'; readonly fetch: SampleFetchResult } | { readonly kind: 'whole'; readonly fetch: FetchResult });

/**
 * `trove fetch NAME@V [--sample …]`: bring a registered version's data into
 * the local store without touching the work tree: all of it (what
 * `trove fetch --rev TAG PATH` brings), or only a sample's files.
 *
 * @example
 *   await fetchVersion(repo, { ref: 'mnist@v2.0.0', spec: parseSampleSpec('random:1:10'), seed: '42' });
 */
export async function fetchVersion(repo: Repo, options: FetchVersionOptions): Promise<FetchVersionResult> {
  checkOptions('fetchVersion', repo, options, { ref: 'string', spec: 'object?', seed: 'string?', remote: 'string?', jobs: 'number?' });
  return withLock(repo, 'fetch', async () => {
    const { entity, version } = resolveRef(await loadRegistry(repo), options.ref);
    const head = { entity: entity.record.name, version: version.version };
    const transfer = { ...(options.remote !== undefined ? { remote: options.remote } : {}), ...(options.jobs !== undefined ? { jobs: options.jobs } : {}) };
    if (!options.spec) {
      return { ...head, kind: 'whole', fetch: await fetchLocked(repo, { revs: [version.commit], paths: [join(repo.root, ...version.path.split('/'))], workTree: false, ...transfer }) };
    }
    if (version.dataKind !== 'dir') {
      throw new TroveError('USAGE', `${version.tag} is a single file: only a directory can be sampled.`, { hint: `Fetch it whole: trove fetch ${version.tag}`, data: { path: version.path, rule: 'not-a-directory' } });
    }
    const pointer = createPointer({ kind: 'dir', oid: parseOid(version.dataOid, `the data oid of ${version.tag}`), size: version.dataSize, files: version.dataFiles });
    const fetch = await fetchSampleLocked(repo, { path: version.path, pointer, spec: options.spec, type: entity.record.type, ...(options.seed !== undefined ? { seed: options.seed } : {}), ...transfer });
    return { ...head, kind: 'sample', fetch };
  });
}

/**
 * Whether a `trove fetch` argument names a registered version rather than a
 * path (plan §0's dispatch rule): a NAME@…, NAME#STAGE or ml-git form naming
 * a declared entity, or a bare declared NAME when no such path exists (both:
 * USAGE, write NAME@latest or ./NAME). The registry is read only for an
 * argument that could be a reference.
 */
export async function isVersionArg(repo: Repo, arg: string): Promise<boolean> {
  const parsed = parseRef(arg);
  if (!parsed) return false;
  let snapshot;
  try {
    snapshot = await loadRegistry(repo);
  } catch (err) {
    // A plain path (`trove fetch data`) is not held up by a broken registry file; NAME@V reports it.
    if (parsed.form === 'bare') return false;
    throw err;
  }
  const form = refForm(snapshot, arg);
  if (form === null) return false;
  if (form !== 'bare') return true;
  if (!existsSync(resolve(repo.cwd, arg)) && !existsSync(resolve(repo.cwd, `${arg}.trove`))) return true;
  throw new TroveError('USAGE', `"${arg}" is both a declared entity and a path.`, { hint: `Write ${arg}@latest for the entity, or ./${arg} for the path.`, data: { arg, rule: 'ambiguous' } });
}
