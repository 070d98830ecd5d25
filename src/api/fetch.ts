import { checkOptions } from './checkOptions.js';
import { fetchClosure } from '../transfer/closure.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { autoPack } from '../workspace/gc/autoPack.js';
import { checkFetchedSelections, selectArtifacts, type ArtifactSelection } from '../workspace/pointers/transferArtifacts.js';
import { partial } from './push.js';
import { openSession } from '../sync/remoteSession.js';

export interface FetchOptions extends ArtifactSelection {
  readonly remote?: string;
  readonly jobs?: number;
}

export interface FetchResult {
  readonly remote: string;
  readonly url: string;
  readonly artifacts: number;
  readonly objects: number;
  readonly bytes: number;
  readonly requests: number;
  readonly failed: { readonly what: string; readonly hex: string; readonly message: string }[];
}

/**
 * Bring into the local store what the selected artifacts need, verified. The
 * work tree is not touched (pull does that).
 *
 * @example
 *   await fetch(repo, { paths: ['data/train/cat.jpg'] });
 */
export async function fetch(repo: Repo, options: FetchOptions = {}): Promise<FetchResult> {
  checkOptions('fetch', repo, options, { paths: 'string[]?', revs: 'string[]?', allBranches: 'boolean?', allTags: 'boolean?', workTree: 'boolean?', remote: 'string?', jobs: 'number?' });
  return withLock(repo, 'fetch', async () => {
    const result = await fetchLocked(repo, options);
    autoPack(repo);
    return result;
  });
}

export async function fetchLocked(repo: Repo, options: FetchOptions): Promise<FetchResult> {
  const artifacts = await selectArtifacts(repo, options);
  const session = await openSession(repo, options.remote, options.jobs);
  try {
    // A directory version the store is marked as holding whole (add, status and checkout's checks set the mark;
    // gc's removals and any corruption found clear it, so fsck then fetch still repairs) needs nothing: its walk
    // is skipped, as status trusts the same mark. A fetch with nothing new at 1,000,000 files walked every page (7.7 s).
    // The root page's presence is checked too: a store emptied by hand keeps no mark that matters.
    const needed = artifacts.filter((a) => a.kind !== 'dir' || !repo.store.isComplete(a.oid) || !repo.store.hasObject(a.oid));
    const stats = await fetchClosure(session.backend, session.index, repo.store, needed, { jobs: session.jobs, policy: session.policy, reporter: repo.reporter });
    // Every object of a whole directory version fetched without a failure: mark it, so the next fetch and status skip it.
    if (stats.failed.length === 0) for (const a of needed) if (a.kind === 'dir' && !a.select) repo.store.markComplete(a.oid);
    const result: FetchResult = { remote: session.name, url: session.backend.display, artifacts: artifacts.length, objects: stats.objects, bytes: stats.bytes, requests: session.index.requests + stats.requests, failed: stats.failed };
    if (result.failed.length) throw partial('fetch', result, result.failed.length);
    checkFetchedSelections(repo, artifacts);
    return result;
  } finally {
    await session.backend.close();
  }
}
