import { checkOptions } from './checkOptions.js';
import { collectRemoteGarbage, type RemoteGcOutcome } from '../transfer/collectRemoteGarbage.js';
import { readClaims } from '../transfer/pushClaims.js';
import { withRetries } from '../transfer/withRetries.js';
import { writeRemoteFormat } from '../remote/remoteLayout.js';
import { collectGarbage as _collectGarbage, collectPointers, type GcResult } from '../workspace/gc/collectGarbage.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { closeSession, openSession } from '../sync/remoteSession.js';
import { createPointer, type Pointer } from '../core/pointer.js';
import { parseOid } from '../core/oid.js';
import { listExperimentRoots } from '../experiments/experimentRoots.js';
import { listRuns } from '../experiments/readRuns.js';
import { hostname } from 'node:os';
import { TroveError } from '../errors/index.js';

/** The store objects experiment runs name (refs/trove/experiments/*, live journals), as pointers gc keeps alive. */
export async function experimentPointers(repo: Repo): Promise<{ pointer: Pointer; what: string }[]> {
  const roots = await listExperimentRoots(repo);
  return roots.map((r) => ({ pointer: createPointer({ kind: r.data.kind, oid: parseOid(r.data.oid, r.what), size: r.data.size, ...(r.data.kind === 'dir' ? { files: r.data.files } : {}) }), what: r.what }));
}

/**
 * Remove stored objects no branch, tag, stash, index or work tree refers to.
 *
 * @example
 *   const { freedBytes } = await collectGarbage(repo, { dryRun: true });
 */
export async function collectGarbage(repo: Repo, options: { dryRun?: boolean; allowShared?: boolean; /** keep copies saved by checkout --force this long (ms; default 30 days) */ keepSavedMs?: number } = {}): Promise<GcResult> {
  checkOptions('gc', repo, options, { dryRun: 'boolean?', allowShared: 'boolean?', keepSavedMs: 'number?' });
  return withLock(repo, 'gc', async () => {
    if (!options.dryRun) await refuseWhileRunsLive(repo);
    return _collectGarbage(repo, { ...options, extraRoots: await experimentPointers(repo) });
  });
}

/**
 * A live run stores its checkpoints without the repository lock (a long
 * `trove add` must not stall a training loop), and a checkpoint's objects are
 * named by its journal only once they are stored: gc in that moment would
 * delete them. So gc waits for the runs of this host to stop; a run whose
 * process died shows as crashed and does not hold gc up.
 */
async function refuseWhileRunsLive(repo: Repo): Promise<void> {
  const live = (await listRuns(repo)).runs.filter((r) => r.status === 'running' && r.host === hostname());
  if (live.length === 0) return;
  const first = live[0]!;
  throw new TroveError('LOCKED', `Experiment run ${first.id.slice(0, 8)} is running here (pid ${first.pid ?? '?'}); gc now could delete a checkpoint it is storing.`, {
    hint: 'Run trove gc once the run has stopped (trove exp ls shows its status); trove gc --dry-run works meanwhile.',
    data: { experiments: live.map((r) => ({ id: r.id, pid: r.pid })) },
  });
}
export type { GcResult };

export interface RemoteGcOptions {
  readonly remote?: string;
  readonly dryRun?: boolean;
  /**
   * ms, default one day: packs younger than this are left alone, and what
   * any push made in this time relied on is kept although this clone may
   * not have fetched its commit yet
   */
  readonly graceMs?: number;
  readonly jobs?: number;
  /** how long to wait for pushes under way to finish (ms; default one minute), then fail with LOCKED */
  readonly lockWaitMs?: number;
}

export interface RemoteGcResult extends RemoteGcOutcome {
  readonly remote: string;
  readonly url: string;
  /** pointer versions whose content was kept */
  readonly pointers: number;
  /** of those, the ones only a recent push's claim named (another clone's commit, not fetched here) */
  readonly claimed: number;
  /** claims older than the grace period, removed */
  readonly expiredClaims: number;
}

export const DEFAULT_REMOTE_GRACE_MS = 24 * 3_600_000;
export const GC_LOCK_WAIT_MS = 60_000;

/**
 * Remove from a remote what nothing in this clone refers to (every ref,
 * reflog, the index and the work tree) and no push made within the grace
 * period relied on (its claim on the remote). Only ever on request, and
 * under the remote's exclusive lock, so no push is deciding what it need not
 * send while gc deletes (docs/remotes.md). Other clones' commits older than
 * the grace period must have been fetched here: run `git fetch --all` first.
 *
 * @example
 *   const r = await gcRemote(repo, { remote: 'storage', dryRun: true });
 */
export async function gcRemote(repo: Repo, options: RemoteGcOptions = {}): Promise<RemoteGcResult> {
  checkOptions('gcRemote', repo, options, { remote: 'string?', dryRun: 'boolean?', graceMs: 'number?', jobs: 'number?' });
  return withLock(repo, 'gc', async () => {
    const pointers = [...(await collectPointers(repo)), ...(await experimentPointers(repo))];
    const dryRun = Boolean(options.dryRun);
    const graceMs = options.graceMs ?? DEFAULT_REMOTE_GRACE_MS;
    // A dry run deletes nothing, so it needs no lock (and works on a read-only URL).
    const session = await openSession(repo, options.remote, options.jobs, dryRun ? undefined : { kind: 'exclusive', command: 'gc -r', waitMs: options.lockWaitMs ?? GC_LOCK_WAIT_MS, removeStaleTemp: true });
    try {
      const guard = session.lock ? () => session.lock!.assertHeld() : undefined;
      // Ages are read from the remote's listing: measured against the remote's clock (our lock's time) where it has one.
      const now = session.lock?.remoteNow ?? Date.now();
      if (!dryRun && !session.backend.readOnly && session.index.hasMarker) {
        // Layout 2 from here on: a trove too old to take the lock now refuses this remote instead of pushing while it is collected.
        await withRetries(() => writeRemoteFormat(session.backend), session.policy);
      }
      const claims = session.backend.canList ? await readClaims(session.backend, { now, windowMs: graceMs, policy: session.policy }) : { roots: [], expired: [], requests: 0 };
      const mine = new Set(pointers.map(({ pointer }) => pointer.kind + pointer.oid.hex));
      const claimedKeys = new Set<string>();
      const claimed = claims.roots.filter((r) => !mine.has(r.kind + r.oid.hex) && !claimedKeys.has(r.kind + r.oid.hex) && Boolean(claimedKeys.add(r.kind + r.oid.hex)));
      const roots = pointers.map(({ pointer, what }) => ({ kind: pointer.kind, oid: pointer.oid, what }));
      const out = await collectRemoteGarbage(session.backend, session.index, repo.store, roots, {
        claims: claimed,
        dryRun,
        graceMs,
        jobs: session.jobs,
        policy: session.policy,
        reporter: repo.reporter,
        indexCacheDir: session.cacheDir,
        now,
        ...(guard ? { guard } : {}),
      });
      // Expired claims go last, so a gc -r that stopped early leaves them for the next one.
      if (!dryRun) {
        for (const key of claims.expired) {
          guard?.();
          await withRetries(() => session.backend.delete(key), session.policy);
        }
      }
      // Temp uploads removed before the lock (a full remote has no room for one) count as gc's too.
      const early = session.removedTemp ?? { tempFiles: [], bytes: 0 };
      return { remote: session.name, url: session.backend.display, pointers: pointers.length + claimed.length, claimed: claimed.length, expiredClaims: claims.expired.length, ...out, tempFiles: [...early.tempFiles, ...out.tempFiles], freedBytes: out.freedBytes + early.bytes, requests: session.index.requests + claims.requests + out.requests + (dryRun ? 0 : claims.expired.length) };
    } finally {
      await closeSession(session);
    }
  });
}
