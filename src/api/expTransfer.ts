import { rmSync } from 'node:fs';
import { TroveError, isTroveError } from '../errors/index.js';
import { parseOid } from '../core/oid.js';
import { EXPERIMENT_REF_PREFIX, type StoredData } from '../core/experimentRecord.js';
import { fetchClosure } from '../transfer/closure.js';
import { openSession } from '../sync/remoteSession.js';
import { defaultGitRemote, pushRefs, type PushedRef } from '../platform/gitRemote.js';
import { listExperimentRoots } from '../experiments/experimentRoots.js';
import { listJournalIds, listRunRefs, unpushedPath } from '../experiments/readRuns.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { partial, push, type PushResult } from './push.js';

export interface ExpPushOptions {
  /** the trove remote for the data (default: the default remote) */
  readonly remote?: string;
  /** the Git remote for the refs (default: the branch's upstream, origin, or the only one) */
  readonly gitRemote?: string;
}

export interface ExpPushResult {
  readonly runs: number;
  /** the data push (null when no run names any data) */
  readonly data: PushResult | null;
  readonly gitRemote: string | null;
  readonly refs: PushedRef[];
}

const REFSPEC = `${EXPERIMENT_REF_PREFIX}*:${EXPERIMENT_REF_PREFIX}*`;

/**
 * Share runs: their checkpoint and code data to the trove remote (the
 * ordinary push machinery: only what the remote lacks), then every
 * refs/trove/experiments/* ref to the Git remote. Clears the "not yet
 * pushed" marks of the runs sent.
 *
 * @example
 *   await expPush(repo, { remote: 'storage' });
 */
export async function expPush(repo: Repo, options: ExpPushOptions = {}): Promise<ExpPushResult> {
  const refs = await listRunRefs(repo);
  const roots = await listExperimentRoots(repo);
  const seen = new Set<string>();
  const artifacts = roots.filter((r) => !seen.has(r.data.kind + r.data.oid) && Boolean(seen.add(r.data.kind + r.data.oid))).map((r) => ({ kind: r.data.kind, oid: parseOid(r.data.oid, r.what), what: r.what }));
  const data = artifacts.length ? await push(repo, { ...(options.remote ? { remote: options.remote } : {}), artifacts }) : null;
  for (const r of refs) rmSync(unpushedPath(repo, r.id), { force: true });
  const gitRemote = options.gitRemote ?? (await defaultGitRemote(repo.git));
  let pushed: PushedRef[] = [];
  if (gitRemote && refs.length) {
    pushed = await pushRefs(repo.git, gitRemote, [REFSPEC], { noVerify: true });
    const refused = pushed.filter((p) => p.status !== 'ok' && p.status !== 'up-to-date');
    if (refused.length) {
      throw new TroveError('REMOTE', `The Git remote ${gitRemote} refused ${refused.length} run ref(s) (first: ${refused[0]!.ref}: ${refused[0]!.detail}).`, {
        hint: 'Another clone moved those runs: trove exp pull first, then push again.',
        data: { gitRemote, refused },
      });
    }
  }
  return { runs: refs.length, data, gitRemote, refs: pushed };
}

export interface ExpPullOptions {
  readonly gitRemote?: string;
}

export interface ExpPullResult {
  readonly gitRemote: string;
  /** run count before and after */
  readonly before: number;
  readonly after: number;
}

/**
 * Fetch every refs/trove/experiments/* ref from the Git remote (the runs'
 * records); their checkpoint data is fetched on demand (exp checkout).
 * A run live here is never overwritten by the fetch.
 */
export async function expPull(repo: Repo, options: ExpPullOptions = {}): Promise<ExpPullResult> {
  const gitRemote = options.gitRemote ?? (await defaultGitRemote(repo.git));
  if (!gitRemote) throw new TroveError('USAGE', 'No Git remote to pull runs from.', { hint: 'Add one with git remote add origin URL, or name one with --git-remote.' });
  if (gitRemote.startsWith('-')) throw new TroveError('USAGE', `Invalid remote "${gitRemote}".`);
  const before = (await listRunRefs(repo)).length;
  const live = new Set(listJournalIds(repo));
  const remoteRefs = (await repo.git.run(['ls-remote', gitRemote, `${EXPERIMENT_REF_PREFIX}*`], { allowFail: true }));
  if (remoteRefs.code !== 0) throw new TroveError('REMOTE', `git ls-remote ${gitRemote} failed: ${remoteRefs.stderr.split('\n')[0]}.`, { hint: 'Check the remote (git remote -v) and your connection.', data: { gitRemote } });
  const specs = remoteRefs.stdout.toString('utf8').split('\n').map((l) => l.split('\t')[1]).filter((r): r is string => Boolean(r) && !live.has(r!.slice(EXPERIMENT_REF_PREFIX.length))).map((r) => `${r}:${r}`);
  if (specs.length) {
    try {
      await repo.git.run(['fetch', '--no-tags', gitRemote, ...specs]);
    } catch (err) {
      if (isTroveError(err, 'GIT')) throw new TroveError('REMOTE', `Fetching runs from ${gitRemote} failed: ${err.message}`, { hint: 'Runs changed on both sides cannot be merged; remove the local copy (trove exp rm) to take the remote one.', data: { gitRemote, ...(err.data ?? {}) } });
      throw err;
    }
  }
  return { gitRemote, before, after: (await listRunRefs(repo)).length };
}

export interface FetchExperimentDataResult {
  /** null when everything was here already (no remote was opened) */
  readonly remote: string | null;
  readonly objects: number;
  readonly bytes: number;
}

/**
 * Bring the given checkpoint (or code) data into the local store from the
 * trove remote, verified: what `exp checkout` of a pulled run needs (data
 * comes on demand). Nothing is opened when the store has it all.
 *
 * @example
 *   await fetchExperimentData(repo, [checkpoint.data]);
 */
export async function fetchExperimentData(repo: Repo, data: readonly StoredData[], options: { remote?: string } = {}): Promise<FetchExperimentDataResult> {
  const artifacts = data.map((d) => ({ kind: d.kind, oid: parseOid(d.oid, 'checkpoint data'), what: `checkpoint data ${d.oid.slice(7, 19)}` }));
  const missing = artifacts.filter((a) => (a.kind === 'file' ? !repo.store.hasFile(a.oid) : !repo.store.isComplete(a.oid)));
  if (missing.length === 0) return { remote: null, objects: 0, bytes: 0 };
  return withLock(repo, 'fetch', async () => {
    const session = await openSession(repo, options.remote, undefined);
    try {
      const stats = await fetchClosure(session.backend, session.index, repo.store, missing, { jobs: session.jobs, policy: session.policy, reporter: repo.reporter });
      if (stats.failed.length) throw partial('fetch', { remote: session.name, objects: stats.objects, failed: stats.failed }, stats.failed.length);
      for (const a of missing) if (a.kind === 'dir') repo.store.markComplete(a.oid);
      return { remote: session.name, objects: stats.objects, bytes: stats.bytes };
    } finally {
      await session.backend.close();
    }
  });
}
