import { checkOptions } from './checkOptions.js';
import { TroveError } from '../errors/index.js';
import type { LinkMode } from '../platform/config.js';
import { checkoutConflictPaths, type CheckoutConflictResult, type ConflictSide } from '../workspace/checkout/checkoutConflictPaths.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { mergeWithFetch } from '../sync/mergeWithFetch.js';

export interface CheckoutConflictOptions {
  readonly side: ConflictSide;
  readonly paths: readonly string[];
  readonly force?: boolean;
  readonly link?: LinkMode;
}

/**
 * While `git merge` reports a conflict in tracked data: take our or their
 * version of a tracked path, or of files inside a tracked directory, into
 * the merge result and the work tree; or merge the path again file by file
 * (`merge`, fetching missing directory versions from the remote). The user
 * then marks it resolved with `git add PATH.trove`.
 *
 * @example
 *   await checkoutConflict(repo, { side: 'theirs', paths: ['data/images/cat/1.jpg'] });
 *   await checkoutConflict(repo, { side: 'ours', paths: ['models/model.pt'] });
 */
export async function checkoutConflict(repo: Repo, options: CheckoutConflictOptions): Promise<CheckoutConflictResult> {
  checkOptions('checkoutConflict', repo, options, { side: 'string', paths: 'string[]', force: 'boolean?', link: 'string?' });
  if (!['ours', 'theirs', 'merge'].includes(options.side)) {
    return Promise.reject(new TroveError('USAGE', `Unknown conflict side "${String(options.side)}".`, { hint: 'Use one of --ours, --theirs or --merge.' }));
  }
  return withLock(repo, 'checkout', () => checkoutConflictPaths(repo, { ...options, merge: async (input) => (await mergeWithFetch(repo, input)).outcome }));
}
export type { CheckoutConflictResult, ConflictSide };
