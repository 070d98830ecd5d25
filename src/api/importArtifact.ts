import { checkOptions } from './checkOptions.js';
import { basename, join } from 'node:path';
import { TroveError } from '../errors/index.js';
import { createPointer, POINTER_MAX_BYTES, pointerPathFor, serializePointer, type Pointer, type PointerSource } from '../core/pointer.js';
import type { LinkMode } from '../platform/config.js';
import { displayUrl, normalizeGitUrl } from '../platform/upstreamRepo.js';
import { checkImportTarget } from '../workspace/checkout/checkImportTarget.js';
import { checkoutPaths } from '../workspace/checkout/checkoutPaths.js';
import { ensureIgnored } from '../workspace/stage/gitignore.js';
import { writeWorkPointer } from '../workspace/pointers/pointers.js';
import { absPath, toRepoPath, withLock, type Repo } from '../workspace/Repo.js';
import { WorkTreeDirs } from '../platform/WorkTreeDirs.js';
import { normalizeUpstreamPath } from '../workspace/pointers/upstreamArtifact.js';
import { downloadUpstream, locateUpstream, type UpstreamContext, type UpstreamRequest } from '../sync/fetchUpstream.js';
import { toGetResult, type GetResult } from './get.js';

export interface ImportOptions extends UpstreamRequest {
  /** data path in this repository, relative to the cwd (default: the last component of `path`) */
  readonly out?: string;
  /** import over existing data or an existing pointer (local changes are saved in the store first) */
  readonly force?: boolean;
  /** stage the pointer and .gitignore (default: core.autostage) */
  readonly stage?: boolean;
  readonly link?: LinkMode;
}

export interface ImportResult extends Omit<GetResult, 'out'> {
  /** the data path in this repository */
  readonly out: string;
  /** the pointer written, with its source record */
  readonly pointer: string;
  readonly staged: string[];
}

/**
 * Like `get`, but the data becomes tracked here: a pointer that records
 * where it came from (URL, path, revision asked for, commit), so that
 * `update` can bring a newer version later. The content goes into this
 * repository's store, so `trove push` also sends it to this repository's
 * remote and collaborators need no access to the other one.
 *
 * @example
 *   await importArtifact(repo, { url: '../datasets', path: 'images', rev: 'main', out: 'data/images' });
 */
export async function importArtifact(repo: Repo, options: ImportOptions): Promise<ImportResult> {
  checkOptions('importArtifact', repo, options, { url: 'string', path: 'string', rev: 'string?', remote: 'string?', jobs: 'number?', out: 'string?', force: 'boolean?', stage: 'boolean?', link: 'string?' });
  return withLock(repo, 'import', async () => {
    const out = toRepoPath(repo, options.out ?? basename(normalizeUpstreamPath(options.path)));
    const force = Boolean(options.force);
    await checkImportTarget(repo, out, force);
    const ctx: UpstreamContext = { store: repo.store, gitCacheRoot: join(repo.troveDir, 'tmp', 'upstream'), cwd: repo.cwd, reporter: repo.reporter, ownRemotes: repo.config.remotes };
    const { url } = normalizeGitUrl(options.url, repo.cwd);
    if (displayUrl(url) !== url) throw credentialsInUrl('repository URL');
    const located = await locateUpstream(options, ctx);
    const fetched = await downloadUpstream(located, options, ctx);
    if (fetched.remote.given && displayUrl(fetched.remote.given) !== fetched.remote.given) throw credentialsInUrl('remote URL');
    const source: PointerSource = { url, path: located.path, ...(options.rev !== undefined ? { rev: options.rev } : {}), ...(fetched.remote.given ? { remote: fetched.remote.given } : {}), commit: located.source.commit };
    const pointer = withSource(fetched.pointer, source);
    const dirs = new WorkTreeDirs(repo.root);
    dirs.ensureParent(out);
    await writeWorkPointer(repo, out, pointer, dirs);
    const ignore = await ensureIgnored(repo, out, dirs);
    // checkout takes command-line paths (relative to the cwd): give it an absolute one.
    await checkoutPaths(repo, { paths: [absPath(repo, out)], force, ...(options.link ? { link: options.link } : {}) });
    const toStage = [pointerPathFor(out), ...(ignore ? [ignore] : [])];
    const stage = options.stage ?? repo.config.core.autostage;
    if (stage) await repo.git.run(['add', '--', ...toStage]);
    return { ...toGetResult(located.source, fetched, out), out, pointer: pointerPathFor(out), staged: stage ? toStage : [] };
  });
}

/** The pointer with its source record; refused when it would not fit a pointer file (git-lfs's 1 KiB cut-off). */
export function withSource(p: Pointer, source: PointerSource): Pointer {
  const { version: _v, source: _s, ...plain } = p;
  const pointer = createPointer({ ...plain, source });
  if (Buffer.byteLength(serializePointer(pointer)) > POINTER_MAX_BYTES) {
    throw new TroveError('USAGE', `The source record (URL ${displayUrl(source.url).slice(0, 60)}…, path ${source.path.slice(0, 60)}…) is too long for a pointer file (${POINTER_MAX_BYTES} bytes at most).`, { hint: 'Use a shorter URL (or path) for the other repository.' });
  }
  return pointer;
}

function credentialsInUrl(what: string): TroveError {
  return new TroveError('USAGE', `The ${what} contains credentials, and the pointer that records it is committed.`, { hint: 'Give the URL without them and let Git (a credential helper) or the environment supply them.' });
}
