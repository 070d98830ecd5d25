import { checkOptions } from './checkOptions.js';
import { checkoutPaths, type CheckoutResult } from '../workspace/checkoutPaths.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import type { LinkMode } from '../platform/config.js';
import { fetchLocked, type FetchOptions, type FetchResult } from './fetch.js';

export interface PullOptions extends Omit<FetchOptions, 'revs' | 'allBranches' | 'allTags'> {
  /** fetch and check out the data of this revision (HEAD does not move) */
  readonly rev?: string;
  readonly force?: boolean;
  readonly link?: LinkMode;
}

export interface PullResult {
  readonly fetch: FetchResult;
  readonly checkout: CheckoutResult;
}

/**
 * fetch, then checkout, under one lock: after a pull the work tree holds
 * byte-identical, verified data for the selected paths.
 *
 * @example
 *   await pull(repo);                              // everything the work tree points to
 *   await pull(repo, { paths: ['data/a.csv'] });   // one file of a tracked directory
 */
export async function pull(repo: Repo, options: PullOptions = {}): Promise<PullResult> {
  checkOptions('pull', repo, options, { paths: 'string[]?', remote: 'string?', jobs: 'number?', rev: 'string?', force: 'boolean?', link: 'string?' });
  return withLock(repo, 'pull', async () => {
    const fetched = await fetchLocked(repo, { ...options, ...(options.rev ? { revs: [options.rev], workTree: false } : {}) });
    const checkout = await checkoutPaths(repo, { ...(options.paths ? { paths: options.paths } : {}), ...(options.rev ? { rev: options.rev } : {}), force: Boolean(options.force), ...(options.link ? { link: options.link } : {}) });
    return { fetch: fetched, checkout };
  });
}
