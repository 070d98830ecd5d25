import { checkOptions } from './checkOptions.js';
import { partial } from './push.js';
import { closeSession, openSession, type RemoteSession } from '../sync/remoteSession.js';
import { TroveError, isTroveError } from '../errors/index.js';
import type { FileEntry, ManifestEntry } from '../core/manifest.js';
import { formatOid } from '../core/oid.js';
import type { Pointer } from '../core/pointer.js';
import { checkRepoPath } from '../core/repoPath.js';
import type { SampleSpec } from '../core/registryTypes.js';
import { DEFAULT_SEED, formatSampleSpec, selectSample } from '../core/sample.js';
import { WorkTreeDirs } from '../platform/WorkTreeDirs.js';
import { markSampled } from '../registry/samplesState.js';
import { readManifest } from '../store/manifestIO.js';
import { fetchClosure, localClosure, type TransferRoot } from '../transfer/closure.js';
import { checkoutPaths } from '../workspace/checkout/checkoutPaths.js';
import { ensureIgnored } from '../workspace/stage/gitignore.js';
import { writeWorkPointer } from '../workspace/pointers/pointers.js';
import { resolveRemoteName } from '../sync/remoteConfig.js';
import { absPath, withLock, type Repo } from '../workspace/Repo.js';

export interface SampleFetchOptions {
  /** the directory's data path, relative to the work tree ('/'-separated), e.g. dataset/handwritten/digits/mnist */
  readonly path: string;
  /** the version to sample (a directory pointer: from a version record, or a pointer file) */
  readonly pointer: Pointer;
  readonly spec: SampleSpec;
  /** default "0" (recorded) */
  readonly seed?: string;
  /** remote to fetch from (default: core.remote, or the only one) */
  readonly remote?: string;
  /** false: never contact a remote; content missing here is OBJECT_MISSING */
  readonly fetch?: boolean;
  readonly jobs?: number;
  /** the registry entity's type, when sampling one: only a `dataset` may be sampled (as in ml-git) */
  readonly type?: string;
}

export interface SampleCheckoutOptions extends SampleFetchOptions {
  /** the registry entity: its sampled state is recorded in .trove/tmp/samples.json (then `trove version`/`trove add` refuse it) */
  readonly entity?: string;
  /** the entity's version being sampled, recorded with the mark */
  readonly version?: string;
  /** overwrite (and first save) local changes that were not added */
  readonly force?: boolean;
}

export interface SampleFetchResult {
  readonly path: string;
  /** canonical spec, e.g. range:0:all:2 */
  readonly sample: string;
  readonly seed: string;
  /** files in the sample */
  readonly selected: number;
  /** files of the directory (symlinks are not sampled) */
  readonly total: number;
  /** objects that came from the remote (manifest pages, file contents, chunks) */
  readonly fetchedObjects: number;
  readonly fetchedBytes: number;
  /** the remote asked, when one was */
  readonly remote?: string;
}

export interface SampleCheckoutResult extends SampleFetchResult {
  /** files written into the work tree, and removed from it (files of the directory outside the sample) */
  readonly written: number;
  readonly deleted: number;
  /** the pointer file was rewritten to this version */
  readonly pointerWritten: boolean;
  /** the entity marked as sampled, if one was given */
  readonly entity?: string;
}

/**
 * Place a sample of a directory version: only the sampled files are fetched
 * (from the remote, when they are not in the local store) and written; the
 * directory's other files are absent. With `entity`, the sampled state is
 * recorded so that the entity cannot become a version until a full checkout.
 *
 * @example
 *   await checkoutSample(repo, { path: 'dataset/mnist', pointer, spec: parseSampleSpec('random:1:10'), seed: '42', entity: 'mnist', version: 'v2.0.0' });
 */
export async function checkoutSample(repo: Repo, options: SampleCheckoutOptions): Promise<SampleCheckoutResult> {
  checkSampleOptions('checkoutSample', repo, options, { entity: 'string?', version: 'string?', force: 'boolean?' });
  return withLock(repo, 'checkout', () => checkoutSampleLocked(repo, options));
}

/** checkoutSample for a caller that already holds the repository lock (checkout NAME@V --with-deps). */
export async function checkoutSampleLocked(repo: Repo, options: SampleCheckoutOptions): Promise<SampleCheckoutResult> {
  checkSampleOptions('checkoutSample', repo, options, { entity: 'string?', version: 'string?', force: 'boolean?' });
  const s = await sampleLocked(repo, options);
  const artifact = { path: options.path, pointer: options.pointer };
  // Absolute: checkoutPaths reads its paths relative to the cwd, which may be a subdirectory.
  const res = await checkoutPaths(repo, { artifacts: [artifact], paths: [absPath(repo, options.path)], only: new Map([[options.path, s.desired]]), ...(options.force ? { force: true } : {}) });
  const dirs = new WorkTreeDirs(repo.root);
  const pointerWritten = await writeWorkPointer(repo, options.path, options.pointer, dirs);
  await ensureIgnored(repo, options.path, dirs);
  if (options.entity !== undefined) {
    markSampled(repo.troveDir, options.entity, { version: options.version ?? null, sample: s.result.sample, seed: s.result.seed, files: s.desired.length, path: options.path });
  }
  return { ...s.result, written: res.written, deleted: res.deleted, pointerWritten, ...(options.entity !== undefined ? { entity: options.entity } : {}) };
}

/**
 * `trove fetch NAME@V --sample …`: bring the sampled files' content into the
 * local store (verified), without touching the work tree or the marker.
 */
export async function fetchSample(repo: Repo, options: SampleFetchOptions): Promise<SampleFetchResult> {
  checkSampleOptions('fetchSample', repo, options, {});
  return withLock(repo, 'fetch', () => fetchSampleLocked(repo, options));
}

/** fetchSample for a caller that already holds the repository lock. */
export async function fetchSampleLocked(repo: Repo, options: SampleFetchOptions): Promise<SampleFetchResult> {
  checkSampleOptions('fetchSample', repo, options, {});
  return (await sampleLocked(repo, options)).result;
}

function checkSampleOptions(call: string, repo: Repo, options: SampleFetchOptions & { entity?: string }, extra: Record<string, 'string?' | 'boolean?'>): void {
  checkOptions(call, repo, options, { path: 'string', pointer: 'object', spec: 'object', seed: 'string?', remote: 'string?', fetch: 'boolean?', jobs: 'number?', type: 'string?', ...extra });
  if (options.type !== undefined && options.type !== 'dataset') {
    throw new TroveError('USAGE', `Only a dataset can be sampled; ${options.entity ?? options.path} is a ${options.type}.`, {
      hint: `Check it out whole (without --sample).`,
      data: { path: options.path, type: options.type, rule: 'not-a-dataset' },
    });
  }
  // A path from a declaration may be hostile: refused before anything is read or written.
  checkRepoPath(options.path, 'the sampled path');
  if (options.pointer.kind !== 'dir') {
    throw new TroveError('USAGE', `${options.path} is a file: only a directory can be sampled.`, {
      hint: `Check it out whole: trove checkout ${options.path}`,
      data: { path: options.path, rule: 'not-a-directory' },
    });
  }
  // A symlink among the parents is UNSAFE_PATH now, not after the fetch.
  new WorkTreeDirs(repo.root).existingParent(options.path);
  if (options.remote !== undefined) resolveRemoteName(repo, options.remote);
}

/** The sample's entries, with every object they need in the local store (fetched if missing). */
async function sampleLocked(repo: Repo, options: SampleFetchOptions): Promise<{ desired: ManifestEntry[]; result: SampleFetchResult }> {
  const seed = options.seed ?? DEFAULT_SEED;
  const sample = formatSampleSpec(options.spec);
  const root: TransferRoot = { kind: 'dir', oid: options.pointer.oid, what: options.path };
  let session: RemoteSession | undefined;
  let fetchedObjects = 0;
  let fetchedBytes = 0;
  const remote = async (why: TroveError): Promise<RemoteSession> => {
    if (session) return session;
    if (options.fetch === false) throw new TroveError('OBJECT_MISSING', why.message, { hint: 'Run it again without --no-fetch to fetch it from the remote.', cause: why, data: why.data });
    if (options.remote === undefined && Object.keys(repo.config.remotes).length === 0) throw why;
    session = await openSession(repo, options.remote, options.jobs);
    return session;
  };
  const transfer = async (s: RemoteSession, roots: TransferRoot[], pagesOnly: boolean): Promise<void> => {
    const stats = await fetchClosure(s.backend, s.index, repo.store, roots, { jobs: s.jobs, policy: s.policy, reporter: repo.reporter, pagesOnly });
    fetchedObjects += stats.objects;
    fetchedBytes += stats.bytes;
    if (stats.failed.length) throw partial('fetch', { remote: s.name, objects: fetchedObjects, failed: stats.failed }, stats.failed.length);
  };
  try {
    // The listing: from the store, else only its pages from the remote (the sample is computed before any file is asked for).
    let entries: ManifestEntry[];
    try {
      entries = readManifest(repo.store, options.pointer.oid, options.path);
    } catch (err) {
      if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
      await transfer(await remote(err), [root], true);
      entries = readManifest(repo.store, options.pointer.oid, options.path);
    }
    // Symlinks carry no content to sample (and may point at files left out): only files are sampled.
    const files = entries.filter((e): e is FileEntry => e.mode !== 'l');
    const chosen = selectSample(files.map((e) => ({ path: e.path, oid: formatOid(e.oid) })), options.spec, seed);
    const desired = files.filter((e) => chosen.has(e.path));
    const narrowed: TransferRoot = { ...root, select: (p) => chosen.has(p) };
    const missing = localClosure(repo.store, [narrowed]).missing;
    if (missing.length > 0) {
      const first = missing[0]!;
      const err = new TroveError('OBJECT_MISSING', `The content of ${missing.length} sampled file(s) of ${options.path} is not in the local store (first: ${first.what}).`, {
        hint: 'Fetch it from the remote (run again without --no-fetch), or push it from the clone that added it.',
        data: { path: first.what, paths: missing.slice(0, 100).map((m) => m.what), count: missing.length },
      });
      await transfer(await remote(err), [narrowed], false);
    }
    const result: SampleFetchResult = { path: options.path, sample, seed, selected: desired.length, total: files.length, fetchedObjects, fetchedBytes, ...(session ? { remote: (session as RemoteSession).name } : {}) };
    return { desired, result };
  } finally {
    if (session) await closeSession(session);
  }
}
