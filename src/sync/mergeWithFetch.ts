import { TroveError } from '../errors/index.js';
import { fetchClosure } from '../transfer/closure.js';
import { mergePointerVersions, type PointerMergeInput, type PointerMergeOutcome } from '../workspace/pointers/mergePointerVersions.js';
import { resolveRemoteName } from './remoteConfig.js';
import type { Repo } from '../workspace/Repo.js';
import { openSession } from './remoteSession.js';

export interface FetchingMergeOutcome {
  readonly outcome: PointerMergeOutcome;
  /** manifest pages fetched from the remote to make the merge possible */
  readonly fetched: number;
}

/**
 * Merge three pointer versions; when a directory version's manifest pages are
 * not in the local store (a branch fetched with git but not with trove) and a
 * remote is configured, fetch just those pages (no file content: kilobytes)
 * and merge again. A fetch that fails leaves the conflict, with the reason in
 * its message; it never fails the merge driver. The caller holds the lock.
 */
export async function mergeWithFetch(repo: Repo, input: PointerMergeInput): Promise<FetchingMergeOutcome> {
  const first = mergePointerVersions(repo, input);
  if (first.missing.length === 0) return { outcome: first, fetched: 0 };
  let remote: string;
  try {
    remote = resolveRemoteName(repo);
  } catch {
    return { outcome: first, fetched: 0 }; // no remote to ask: the hint says how to fetch
  }
  let fetched = 0;
  try {
    const session = await openSession(repo, remote, undefined);
    try {
      const roots = first.missing.map((m) => ({ kind: 'dir' as const, oid: m.oid, what: input.path }));
      const stats = await fetchClosure(session.backend, session.index, repo.store, roots, { jobs: session.jobs, policy: session.policy, reporter: repo.reporter, pagesOnly: true });
      fetched = stats.objects;
    } finally {
      await session.backend.close();
    }
  } catch (err) {
    if (!(err instanceof TroveError) && typeof (err as NodeJS.ErrnoException | undefined)?.code !== 'string') throw err;
    return { outcome: amend(first, `, and fetching them from the remote ${remote} failed: ${(err as Error).message.replace(/\.$/, '')}.`), fetched: 0 };
  }
  const second = mergePointerVersions(repo, input);
  return { outcome: second.missing.length > 0 ? amend(second, `, and the remote ${remote} does not have them either.`) : second, fetched };
}

function amend(outcome: PointerMergeOutcome, tail: string): PointerMergeOutcome {
  if (!outcome.problem) return outcome;
  return { ...outcome, problem: { ...outcome.problem, message: outcome.problem.message.replace(/\.$/, '') + tail } };
}
