import { collectRemoteGarbage, type RemoteGcOutcome } from '../transfer/collectRemoteGarbage.js';
import { collectGarbage, collectPointers, type GcResult } from '../workspace/collectGarbage.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { openSession } from './remoteSession.js';

/**
 * Remove stored objects no branch, tag, stash, index or work tree refers to.
 *
 * @example
 *   const { freedBytes } = await gc(repo, { dryRun: true });
 */
export function gc(repo: Repo, options: { dryRun?: boolean; allowShared?: boolean; /** keep copies saved by checkout --force this long (ms; default 30 days) */ keepSavedMs?: number } = {}): Promise<GcResult> {
  return withLock(repo, 'gc', () => collectGarbage(repo, options));
}
export type { GcResult };

export interface RemoteGcOptions {
  readonly remote?: string;
  readonly dryRun?: boolean;
  /** leave packs younger than this alone (ms; default one day): a push from another clone may be under way */
  readonly graceMs?: number;
  readonly jobs?: number;
}

export interface RemoteGcResult extends RemoteGcOutcome {
  readonly remote: string;
  readonly url: string;
  /** pointer versions whose content was kept */
  readonly pointers: number;
}

export const DEFAULT_REMOTE_GRACE_MS = 24 * 3_600_000;

/**
 * Remove from a remote what nothing in this clone refers to (every ref,
 * reflog, the index and the work tree). Only ever on request: other clones'
 * commits that this clone has not fetched are invisible to it, so run
 * `git fetch --all` first; packs younger than the grace period are left alone.
 *
 * @example
 *   const r = await gcRemote(repo, { remote: 'storage', dryRun: true });
 */
export function gcRemote(repo: Repo, options: RemoteGcOptions = {}): Promise<RemoteGcResult> {
  return withLock(repo, 'gc', async () => {
    const pointers = await collectPointers(repo);
    const session = await openSession(repo, options.remote, options.jobs);
    try {
      const roots = pointers.map(({ pointer, what }) => ({ kind: pointer.kind, oid: pointer.oid, what }));
      const out = await collectRemoteGarbage(session.backend, session.index, repo.store, roots, {
        dryRun: Boolean(options.dryRun),
        graceMs: options.graceMs ?? DEFAULT_REMOTE_GRACE_MS,
        jobs: session.jobs,
        policy: session.policy,
        reporter: repo.reporter,
        indexCacheDir: session.cacheDir,
      });
      return { remote: session.name, url: session.backend.display, pointers: pointers.length, ...out, requests: session.index.requests + out.requests };
    } finally {
      await session.backend.close();
    }
  });
}
