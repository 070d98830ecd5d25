import { checkOptions } from './checkOptions.js';
import { TroveError } from '../errors/index.js';
import { closureBatches, PUSH_BATCH_ITEMS } from '../transfer/closure.js';
import { envInteger } from '../util/envInteger.js';
import { pushObjects } from '../transfer/pushObjects.js';
import { writeClaim } from '../transfer/pushClaims.js';
import { removeStaleUploads, type StaleUploads } from '../transfer/removeStaleUploads.js';
import type { RemoteSession } from '../sync/remoteSession.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { selectArtifacts, type ArtifactSelection, type SelectedArtifact } from '../workspace/pointers/transferArtifacts.js';
import { DEFAULT_REMOTE_GRACE_MS } from './collectGarbage.js';
import { closeSession, openSession } from '../sync/remoteSession.js';
import { createOid, parseOid } from '../core/oid.js';
import { readPushedRoots, validPushedRoots, writePushedRoots } from '../transfer/pushedRoots.js';
import { listTagRecords } from '../platform/gitRefs.js';
import { defaultGitRemote } from '../platform/gitRemote.js';
import { clearPendingVersions, readPendingVersions, type PendingVersion } from '../registry/pendingVersions.js';
import { pushVersionTags } from '../registry/pushVersionTags.js';

export interface PushOptions extends ArtifactSelection {
  readonly remote?: string;
  readonly jobs?: number;
  /** exactly these artifacts (e.g. what the pre-push hook found in the pushed commits); the selection options are then ignored */
  readonly artifacts?: readonly SelectedArtifact[];
  /** how long to wait while gc -r holds the remote's lock (ms; default 15 minutes), then fail with LOCKED */
  readonly lockWaitMs?: number;
}

export const PUSH_LOCK_WAIT_MS = 15 * 60_000;

export interface PushResult {
  readonly remote: string;
  readonly url: string;
  readonly artifacts: number;
  /** objects and chunk lists sent */
  readonly objects: number;
  readonly bytes: number;
  readonly packs: number;
  readonly resumedPacks: number;
  /** needed objects the remote already had, among those this push examined (a directory pushed whole before is examined only where it changed; a content that files far apart share can be examined, and counted, once per batch of 50,000 objects) */
  readonly alreadyOnRemote: number;
  readonly requests: number;
  /** needed content the local store does not have (never added here, or not fetched) */
  readonly missingLocally: { readonly path: string; readonly oid: string }[];
  readonly failed: { readonly what: string; readonly message: string }[];
  /** what killed pushes had left on the remote (stale temp uploads, orphan packs), removed before sending */
  readonly removedStale: { readonly tempFiles: number; readonly orphanPacks: number; readonly bytes: number };
  /** registry versions made in this clone: their data was sent with the rest, and their tags to the Git remote (absent when there were none) */
  readonly versions?: { readonly gitRemote: string | null; readonly tags: string[] };
}

/**
 * Send to a remote what the selected artifacts need and it lacks.
 *
 * @example
 *   await push(repo, { remote: 'storage', paths: ['models/'] });
 */
export async function push(repo: Repo, options: PushOptions = {}): Promise<PushResult> {
  checkOptions('push', repo, options, { paths: 'string[]?', revs: 'string[]?', allBranches: 'boolean?', allTags: 'boolean?', workTree: 'boolean?', remote: 'string?', jobs: 'number?', artifacts: 'object[]?' });
  // Versions registered here since the last push: their data goes too (the work tree may hold a later one), then their tags.
  const whole = options.artifacts === undefined && !options.paths?.length && !options.revs?.length && !options.allBranches && !options.allTags;
  const pending = whole ? readPendingVersions(repo.troveDir) : [];
  const result = await withLock(repo, 'push', async () => {
    const artifacts = options.artifacts ?? [...(await selectArtifacts(repo, options)), ...pending.map((v) => ({ kind: v.kind, oid: parseOid(v.oid, v.tag), what: `${v.path} (${v.tag})` }))];
    // The shared lock keeps gc -r (exclusive) out from before the index is read, which decides
    // what need not be sent, until the claim below records what this push relied on.
    const session = await openSession(repo, options.remote, options.jobs, { kind: 'shared', command: 'push', waitMs: options.lockWaitMs ?? PUSH_LOCK_WAIT_MS, removeStaleTemp: true });
    try {
      // S14: a directory whose earlier version was pushed whole is walked only where it differs from it,
      // provided every pack the remote had when the marker was written is still there (no gc -r or fsck -r since, from any clone).
      const marks = session.index.badIndexes.length === 0 ? validPushedRoots(readPushedRoots(session.cacheDir), (n) => session.index.packs.has(n)) : new Map<string, string>();
      // Listed, planned and sent a batch at a time, so memory does not grow with the tree (the walk pauses while a batch is sent).
      const closure = closureBatches(repo.store, artifacts, {
        batchItems: envInteger(process.env, 'TROVE_PUSH_BATCH_ITEMS', PUSH_BATCH_ITEMS, { min: 1, max: Number.MAX_SAFE_INTEGER }),
        base: (root) => {
          const hex = root.kind === 'dir' ? marks.get(root.what) : undefined;
          return hex && session.index.has('o', hex) ? createOid('sha256', hex) : undefined;
        },
      });
      // Before sending: on a remote that killed pushes filled up, this is what makes room
      // (their temp uploads went before the lock was taken: see openSession).
      const stale = await removeStale(session);
      const out = await pushObjects(session.backend, session.index, closure.batches, { jobs: session.jobs, policy: session.policy, reporter: repo.reporter });
      if (out.failed.length === 0 && !session.backend.readOnly && artifacts.length > 0 && (session.index.hasMarker || out.packs > 0)) {
        // A lock that lapsed (a suspended machine) may have let collectGarbage -r delete what this push skipped.
        session.lock?.assertHeld();
        await writeClaim(session.backend, artifacts, session.policy);
        session.lock?.assertHeld();
      }
      if (out.failed.length === 0 && closure.result.missing.length === 0 && !session.backend.readOnly) {
        // Every directory version of this push now has its whole closure on the remote.
        let changed = false;
        for (const a of artifacts) {
          if (a.kind !== 'dir' || ('select' in a && a.select) || marks.get(a.what) === a.oid.hex) continue;
          marks.set(a.what, a.oid.hex);
          changed = true;
        }
        if (changed) writePushedRoots(session.cacheDir, { paths: marks, packs: [...session.index.packs.keys()] });
      }
      const result: PushResult = {
        remote: session.name,
        url: session.backend.display,
        artifacts: artifacts.length,
        objects: out.objects,
        bytes: out.bytes,
        packs: out.packs,
        resumedPacks: out.resumedPacks,
        alreadyOnRemote: out.alreadyOnRemote,
        requests: session.index.requests + out.requests,
        missingLocally: closure.result.missing.map((m) => ({ path: m.what, oid: `sha256:${m.hex}` })),
        failed: out.failed,
        removedStale: { tempFiles: session.removedTemp?.tempFiles.length ?? 0, orphanPacks: stale?.orphanPacks.length ?? 0, bytes: (session.removedTemp?.bytes ?? 0) + (stale?.bytes ?? 0) },
      };
      if (result.failed.length || result.missingLocally.length) throw partial('push', result, result.failed.length + result.missingLocally.length);
      return result;
    } finally {
      await closeSession(session);
    }
  });
  // Outside the lock: git push runs hooks, and a second trove must not wait for this one.
  return pending.length ? { ...result, versions: await pushPendingTags(repo, pending) } : result;
}

/** The pending versions' tags to the Git remote (none configured: they go with the next git push, push.followTags). */
async function pushPendingTags(repo: Repo, pending: readonly PendingVersion[]): Promise<{ gitRemote: string | null; tags: string[] }> {
  const local = (await listTagRecords(repo.git)).map((t) => t.tag);
  const tags = pending.map((v) => v.tag).filter((t) => local.includes(t));
  const gone = pending.map((v) => v.tag).filter((t) => !local.includes(t));
  if (gone.length) clearPendingVersions(repo.troveDir, gone);
  const gitRemote = await defaultGitRemote(repo.git);
  if (!gitRemote || tags.length === 0) return { gitRemote, tags: [] };
  const sent = await pushVersionTags(repo, gitRemote, tags, local);
  clearPendingVersions(repo.troveDir, tags);
  return { gitRemote, tags: sent.pushed };
}

/** Best effort: a push that could not tidy up still sends its data. */
async function removeStale(session: RemoteSession): Promise<StaleUploads | undefined> {
  if (session.backend.readOnly || !session.backend.canList) return undefined;
  return removeStaleUploads(session.backend, session.index, { now: Date.now(), orphanAgeMs: DEFAULT_REMOTE_GRACE_MS, dryRun: false, policy: session.policy }).catch(() => undefined); // best effort (see above): the next push tries again
}

export function partial(verb: 'push' | 'fetch', result: { remote: string; objects: number; failed: readonly { what?: string; message: string }[]; missingLocally?: readonly { path: string }[] }, count: number): TroveError {
  const first = result.failed[0]?.message ?? (result.missingLocally?.[0] ? `${result.missingLocally[0].path} is not in the local store` : '');
  const hint =
    verb === 'push'
      ? result.missingLocally?.length && !result.failed.length
        ? 'Content missing here was never added or fetched in this clone: fetch it from where it was added, or re-add the files; everything else was pushed.'
        : 'Run trove push again: what arrived is kept and only the rest is sent.'
      : 'Run trove fetch again to retry (what arrived is kept); if the remote lacks the data, push it from the clone that added it.';
  return new TroveError('PARTIAL_TRANSFER', `${verb === 'push' ? 'Push to' : 'Fetch from'} "${result.remote}" incomplete: ${result.objects} objects transferred, ${count} failed (first: ${first.replace(/\.$/, '')}).`, { hint, data: { result } });
}
