import { checkoutPaths, type CheckoutOptions, type CheckoutResult } from '../workspace/checkoutPaths.js';
import { withLock, type Repo } from '../workspace/Repo.js';

/**
 * Make the work tree match the pointers (of the work tree, or of `rev`
 * without moving HEAD). Local changes that were not added stop it unless
 * `force`, and then their content is saved in the store first.
 *
 * @example
 *   await checkout(repo, { rev: 'HEAD~1', paths: ['models/model.pt'] });
 */
export function checkout(repo: Repo, options: CheckoutOptions = {}): Promise<CheckoutResult> {
  return withLock(repo, 'checkout', () => checkoutPaths(repo, options));
}
export type { CheckoutOptions, CheckoutResult };
