import { checkOptions } from './checkOptions.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError, isTroveError } from '../errors/index.js';
import { formatOid, oidEquals } from '../core/oid.js';
import { pointerPathFor, type PointerSource } from '../core/pointer.js';
import type { LinkMode } from '../platform/config.js';
import { displayUrl } from '../platform/upstreamRepo.js';
import { atomicWrite } from '../util/atomicWrite.js';
import { checkoutPaths } from '../workspace/checkout/checkoutPaths.js';
import { listWorkArtifacts, writeWorkPointer, type Artifact } from '../workspace/pointers/pointers.js';
import { absPath, toRepoPath, withLock, type Repo } from '../workspace/Repo.js';
import { downloadUpstream, locateUpstream, type UpstreamContext, type UpstreamRequest } from '../sync/fetchUpstream.js';
import { withSource } from './importArtifact.js';

export interface UpdateOptions {
  /** imported artifacts (or directories holding them); default: every imported artifact */
  readonly paths?: readonly string[];
  /** follow this revision from now on instead of the recorded one */
  readonly rev?: string;
  /** overwrite local changes to the data (saved in the store first) */
  readonly force?: boolean;
  readonly jobs?: number;
  /** stage rewritten pointers (default: core.autostage) */
  readonly stage?: boolean;
  readonly link?: LinkMode;
}

export interface UpdatedArtifact {
  /** data path in this repository */
  readonly path: string;
  /** the source as now recorded (URL without credentials) */
  readonly source: { readonly url: string; readonly path: string; readonly rev: string | null };
  readonly oldCommit: string;
  readonly newCommit: string;
  readonly oldOid: string;
  readonly newOid: string;
  /** the pointer was rewritten: a newer commit, or another revision asked for */
  readonly updated: boolean;
  /** the data itself changed */
  readonly dataChanged: boolean;
}

export interface UpdateResult {
  readonly artifacts: UpdatedArtifact[];
  readonly objects: number;
  readonly bytes: number;
  readonly requests: number;
  /** pointers staged in Git */
  readonly staged: string[];
}

/**
 * Bring imported data up to date with its source: resolve the recorded
 * revision (a branch moves on) or `rev` again, and when the commit changed,
 * download the new version, rewrite the pointer and check it out. Local
 * changes to the data stop it (DIRTY) unless `force`; then the pointer is
 * left as it was.
 *
 * @example
 *   const { artifacts } = await update(repo, { paths: ['data/images'] });
 *   // artifacts[0].oldCommit → artifacts[0].newCommit
 */
export async function update(repo: Repo, options: UpdateOptions = {}): Promise<UpdateResult> {
  checkOptions('update', repo, options, { paths: 'string[]?', rev: 'string?', force: 'boolean?', jobs: 'number?', stage: 'boolean?', link: 'string?' });
  return withLock(repo, 'update', async () => {
    const imported = await selectImported(repo, options.paths ?? []);
    const ctx: UpstreamContext = { store: repo.store, gitCacheRoot: join(repo.troveDir, 'tmp', 'upstream'), cwd: repo.cwd, reporter: repo.reporter, ownRemotes: repo.config.remotes };
    const result = { artifacts: [] as UpdatedArtifact[], objects: 0, bytes: 0, requests: 0, staged: [] as string[] };
    for (const a of imported) {
      const old = a.pointer.source!;
      const rev = options.rev ?? old.rev;
      const req: UpstreamRequest = { url: old.url, path: old.path, ...(rev !== undefined ? { rev } : {}), ...(old.remote ? { remote: old.remote } : {}), ...(options.jobs ? { jobs: options.jobs } : {}) };
      const located = await locateUpstream(req, ctx);
      const entry = { path: a.path, source: { url: displayUrl(old.url), path: old.path, rev: rev ?? null }, oldCommit: old.commit, newCommit: located.source.commit, oldOid: formatOid(a.pointer.oid) };
      if (located.source.commit === old.commit && rev === old.rev) {
        result.artifacts.push({ ...entry, newOid: entry.oldOid, updated: false, dataChanged: false });
        continue;
      }
      const fetched = await downloadUpstream(located, req, ctx);
      result.objects += fetched.objects;
      result.bytes += fetched.bytes;
      result.requests += fetched.requests;
      const source: PointerSource = { url: old.url, path: old.path, ...(rev !== undefined ? { rev } : {}), ...(old.remote ? { remote: old.remote } : {}), commit: located.source.commit };
      await replacePointer(repo, a, withSource(fetched.pointer, source), Boolean(options.force), options.link);
      result.staged.push(pointerPathFor(a.path));
      result.artifacts.push({ ...entry, newOid: formatOid(fetched.pointer.oid), updated: true, dataChanged: !oidEquals(fetched.pointer.oid, a.pointer.oid) || fetched.pointer.kind !== a.pointer.kind });
    }
    const stage = options.stage ?? repo.config.core.autostage;
    if (stage && result.staged.length > 0) await repo.git.run(['add', '--', ...result.staged]);
    if (!stage) result.staged = [];
    return result;
  });
}

async function selectImported(repo: Repo, inputs: readonly string[]): Promise<Artifact[]> {
  const paths = inputs.map((p) => toRepoPath(repo, p));
  const artifacts = await listWorkArtifacts(repo, paths);
  const imported = artifacts.filter((a) => a.pointer.source);
  for (const p of paths) {
    if (!imported.some((a) => a.path === p || `${a.path}.trove` === p || a.path.startsWith(`${p}/`))) {
      throw new TroveError('USAGE', `${p} was not imported from another repository, so there is nothing to update it from.`, { hint: 'trove update works on data brought in with trove import URL PATH; re-add local data with trove add.', data: { path: p } });
    }
  }
  return imported;
}

/** Write the new pointer, then check out its data; if local changes stop the checkout, the old pointer is put back. */
async function replacePointer(repo: Repo, a: Artifact, pointer: Parameters<typeof writeWorkPointer>[2], force: boolean, link: LinkMode | undefined): Promise<void> {
  const file = absPath(repo, pointerPathFor(a.path));
  const before = readFileSync(file);
  await writeWorkPointer(repo, a.path, pointer);
  try {
    await checkoutPaths(repo, { paths: [absPath(repo, a.path)], force, ...(link ? { link } : {}) });
  } catch (err) {
    if (isTroveError(err, 'DIRTY')) await atomicWrite(file, before);
    throw err;
  }
}
