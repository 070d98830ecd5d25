import { checkOptions } from './checkOptions.js';
import { TroveError, isTroveError } from '../errors/index.js';
import { checkoutPaths, type CheckoutResult } from '../workspace/checkout/checkoutPaths.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import type { LinkMode } from '../platform/config.js';
import { fetchLocked, type FetchOptions, type FetchResult } from './fetch.js';
import { fetchVersionTags, type FetchedTags } from '../registry/fetchVersionTags.js';

export interface PullOptions extends Omit<FetchOptions, 'revs' | 'allBranches' | 'allTags'> {
  /** fetch and check out the data of this revision (HEAD does not move) */
  readonly rev?: string;
  readonly force?: boolean;
  readonly link?: LinkMode;
}

export interface PullResult {
  readonly fetch: FetchResult;
  readonly checkout: CheckoutResult;
  /** in a repository with a registry: the version tags that arrived from the Git remote (absent: no registry or no Git remote) */
  readonly tags?: FetchedTags;
}

/**
 * fetch, then checkout, under one lock: after a pull the work tree holds
 * byte-identical, verified data for the selected paths. When some content
 * could not be fetched (not on the remote, corrupt there), everything else
 * is still placed, and the error names every path that was not
 * (PARTIAL_TRANSFER, exit 3; `data.result` holds both results).
 *
 * @example
 *   await pull(repo);                              // everything the work tree points to
 *   await pull(repo, { paths: ['data/a.csv'] });   // one file of a tracked directory
 */
export async function pull(repo: Repo, options: PullOptions = {}): Promise<PullResult> {
  checkOptions('pull', repo, options, { paths: 'string[]?', remote: 'string?', jobs: 'number?', rev: 'string?', force: 'boolean?', link: 'string?' });
  // Registered versions travel as tags: bring the new ones (best effort) before the data.
  const tags = await fetchVersionTags(repo);
  if (tags?.error) repo.reporter.warn(`Could not fetch the version tags from Git remote ${tags.gitRemote} (${tags.error}); the data is pulled without them.`);
  return withLock(repo, 'pull', async () => {
    let fetched: FetchResult;
    let fetchFailed = false;
    try {
      fetched = await fetchLocked(repo, { ...options, ...(options.rev ? { revs: [options.rev], workTree: false } : {}) });
    } catch (err) {
      if (!isTroveError(err, 'PARTIAL_TRANSFER')) throw err;
      fetched = (err.data as { result: FetchResult }).result;
      fetchFailed = true;
    }
    let checkout: CheckoutResult;
    let unplaced: string[] = [];
    try {
      checkout = await checkoutPaths(repo, { ...(options.paths ? { paths: options.paths } : {}), ...(options.rev ? { rev: options.rev } : {}), force: Boolean(options.force), ...(options.link ? { link: options.link } : {}) });
    } catch (err) {
      // What was not fetched cannot be placed: the rest was, and the error below names both.
      if (!fetchFailed || !(isTroveError(err, 'OBJECT_MISSING') || isTroveError(err, 'CORRUPT_OBJECT')) || !err.data?.result) throw err;
      checkout = err.data.result as CheckoutResult;
      unplaced = ((err.data.paths as string[] | undefined) ?? [String(err.data.path ?? '')]).filter(Boolean);
    }
    if (fetchFailed) throw incomplete(fetched, checkout, unplaced);
    return { fetch: fetched, checkout, ...(tags ? { tags } : {}) };
  });
}

function incomplete(fetched: FetchResult, checkout: CheckoutResult, unplaced: readonly string[]): TroveError {
  // Every path named once, with why it could not be fetched.
  const why = new Map<string, string>();
  for (const f of fetched.failed) if (!why.has(f.what)) why.set(f.what, f.message.replace(/\.$/, ''));
  for (const p of unplaced) if (!why.has(p)) why.set(p, 'not in the local store');
  const paths = [...why.keys()].sort();
  const shown = paths.slice(0, 5).map((p) => `${p} (${why.get(p)})`).join(', ');
  return new TroveError('PARTIAL_TRANSFER', `Pull from "${fetched.remote}" incomplete: ${checkout.written} file(s) placed, ${paths.length} not available: ${shown}${paths.length > 5 ? `, and ${paths.length - 5} more` : ''}.`, {
    hint: 'Everything else is in place. Push the missing data from the clone that added it (trove push there), then run trove pull again; a corrupt copy on the remote is repaired the same way.',
    data: { paths, result: { fetch: fetched, checkout }, failed: fetched.failed },
  });
}
