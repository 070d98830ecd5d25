import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TroveError } from '../errors/index.js';
import type { Reporter } from '../core/Reporter.js';
import type { RemoteConfig } from '../platform/config.js';
import { fetchUpstreamRev } from '../platform/fetchUpstreamRev.js';
import { displayUrl, normalizeGitUrl, openUpstreamRepo, type UpstreamRepo } from '../platform/upstreamRepo.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import { fetchClosure } from '../transfer/closure.js';
import { chooseUpstreamRemote, findUpstreamArtifact, narrowArtifact, normalizeUpstreamPath, type DataVersion, type UpstreamArtifact } from '../workspace/pointers/upstreamArtifact.js';
import { openBackendSession } from './remoteSession.js';

/** What to bring from another repository. */
export interface UpstreamRequest {
  /** the other repository's Git URL or path */
  readonly url: string;
  /** a tracked path there, or a file or folder inside a tracked directory */
  readonly path: string;
  /** branch, tag or commit (default: its default branch) */
  readonly rev?: string;
  /** a remote name in its trove config, or a remote URL (default: its default remote) */
  readonly remote?: string;
  /** parallel requests */
  readonly jobs?: number;
}

/** Where the bytes go and where the Git cache lives. */
export interface UpstreamContext {
  readonly store: ObjectStore;
  /** directory holding one bare cache repository per URL */
  readonly gitCacheRoot: string;
  /** relative URLs, paths and -r directories are relative to this */
  readonly cwd: string;
  readonly reporter: Reporter;
  /** the user's own remotes (when running in a trove repository): their settings for a URL win over the other repository's */
  readonly ownRemotes?: Readonly<Record<string, RemoteConfig>>;
}

/** The source as reported in results (the URL with credentials removed). */
export interface SourceInfo {
  readonly url: string;
  readonly path: string;
  /** the revision asked for, or null for the default branch */
  readonly rev: string | null;
  /** the ref it named (refs/heads/main), or null for a commit id or expression */
  readonly ref: string | null;
  readonly commit: string;
  /** the tracked artifact in the other repository that holds `path` */
  readonly artifact: string;
}

/** A path resolved to a commit and an artifact, before any data moves. */
export interface LocatedUpstream {
  readonly up: UpstreamRepo;
  readonly path: string;
  readonly source: SourceInfo;
  readonly artifact: UpstreamArtifact;
}

export interface FetchedUpstream extends DataVersion {
  /** `url` is redacted; `given` is what -r named (to record), absent for the default remote */
  readonly remote: { readonly name: string; readonly url: string; readonly given?: string };
  readonly objects: number;
  readonly bytes: number;
  readonly requests: number;
}

/** Resolve the revision and find the artifact: Git traffic only (ls-remote, one shallow blobless fetch, two small blobs). */
export async function locateUpstream(req: UpstreamRequest, ctx: UpstreamContext): Promise<LocatedUpstream> {
  const path = normalizeUpstreamPath(req.path);
  const { url, local } = normalizeGitUrl(req.url, ctx.cwd);
  const up = await openUpstreamRepo(url, local, join(ctx.gitCacheRoot, createHash('sha256').update(url).digest('hex').slice(0, 16)));
  const { commit, ref } = await fetchUpstreamRev(up, req.rev);
  const artifact = await findUpstreamArtifact(up, commit, path);
  return { up, path, artifact, source: { url: displayUrl(url), path, rev: req.rev ?? null, ref: ref ?? null, commit, artifact: artifact.path } };
}

/**
 * Download (verified) what a located path needs from the other repository's
 * remote into `ctx.store`, and return the version to write. Content the
 * remote does not have is OBJECT_MISSING; a transfer that failed part-way is
 * PARTIAL_TRANSFER (what arrived is kept, so running again resumes).
 */
export async function downloadUpstream(located: LocatedUpstream, req: UpstreamRequest, ctx: UpstreamContext): Promise<FetchedUpstream> {
  const { up, artifact, source } = located;
  const where = `${source.url} at ${source.commit.slice(0, 12)}`;
  const remote = chooseUpstreamRemote(up, source.commit, artifact, req.remote, ctx.cwd, ctx.ownRemotes);
  if (remote.ignored.length > 0) {
    ctx.reporter.warn(`Not using ${remote.ignored.join(', ')} of the remote "${remote.name}" from the trove config of ${where}: settings that choose credentials, relax host checks or name another server come only from your own config.`, { remote: remote.name, ignored: remote.ignored });
  }
  const session = await openBackendSession(remote, ctx.store, { ...(req.jobs ? { jobs: req.jobs } : {}), ...(up.local ? { baseDir: localDir(up.url) } : {}) });
  try {
    const sub = artifact.sub;
    const root = { kind: artifact.pointer.kind, oid: artifact.pointer.oid, what: artifact.path, ...(sub ? { select: (e: string) => e === sub || e.startsWith(`${sub}/`) } : {}) };
    const stats = await fetchClosure(session.backend, session.index, ctx.store, [root], { jobs: session.jobs, policy: session.policy, reporter: ctx.reporter });
    if (stats.failed.length > 0) {
      const absent = stats.failed.filter((f) => !session.index.has('o', f.hex) && !session.index.has('f', f.hex));
      const first = stats.failed[0]!;
      if (absent.length === stats.failed.length) {
        throw new TroveError('OBJECT_MISSING', `The content of ${first.what} (${where}) is not on its remote ${session.backend.display}${absent.length > 1 ? ` (${absent.length} objects missing)` : ''}.`, {
          hint: `Ask the owners of ${source.url} to run trove push for that commit, or pass -r with a remote that has the data.`,
          data: { url: source.url, commit: source.commit, remote: session.backend.display, missing: absent.map((f) => ({ path: f.what, oid: `sha256:${f.hex}` })) },
        });
      }
      throw new TroveError('PARTIAL_TRANSFER', `Download from ${session.backend.display} incomplete: ${stats.objects} objects arrived, ${stats.failed.length} failed (first: ${first.message.replace(/\.$/, '')}).`, {
        hint: 'Run the command again: what arrived is kept and only the rest is fetched.',
        data: { failed: stats.failed },
      });
    }
    const version = narrowArtifact(ctx.store, artifact, where);
    return { ...version, remote: { name: remote.name, url: session.backend.display, ...(remote.given ? { given: remote.given } : {}) }, objects: stats.objects, bytes: stats.bytes, requests: session.index.requests + stats.requests };
  } finally {
    await session.backend.close();
  }
}

/** A relative directory in the other repository's config is relative to that repository (only meaningful when it is local). */
function localDir(url: string): string {
  return /^file:/i.test(url) ? fileURLToPath(url) : url;
}
