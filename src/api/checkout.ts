import { checkOptions } from './checkOptions.js';
import { checkoutPaths, type CheckoutOptions, type CheckoutResult } from '../workspace/checkout/checkoutPaths.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { recoverMissing, type RecoverOptions, type Recovered } from './recoverMissing.js';

/**
 * Make the work tree match the pointers (of the work tree, or of `rev`
 * without moving HEAD). Local changes that were not added stop it unless
 * `force`, and then their content is saved in the store first. Content
 * missing from the local store is fetched from the remote (`remote`, else
 * the default) unless `fetch: false`.
 *
 * @example
 *   await checkout(repo, { rev: 'HEAD~1', paths: ['models/model.pt'] });
 */
export async function checkout(repo: Repo, options: CheckoutOptions & RecoverOptions = {}): Promise<CheckoutResult & Recovered> {
  checkOptions('checkout', repo, options, { paths: 'string[]?', rev: 'string?', force: 'boolean?', link: 'string?', remote: 'string?', fetch: 'boolean?', artifacts: 'object[]?' });
  return withLock(repo, 'checkout', () => recoverMissing(repo, options, () => checkoutPaths(repo, options)));
}
export type { CheckoutOptions, CheckoutResult, RecoverOptions };
