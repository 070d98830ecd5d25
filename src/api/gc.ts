import { collectGarbage, type GcResult } from '../workspace/collectGarbage.js';
import { withLock, type Repo } from '../workspace/Repo.js';

/**
 * Remove stored objects no branch, tag, stash, index or work tree refers to.
 *
 * @example
 *   const { freedBytes } = await gc(repo, { dryRun: true });
 */
export function gc(repo: Repo, options: { dryRun?: boolean; allowShared?: boolean } = {}): Promise<GcResult> {
  return withLock(repo, 'gc', () => collectGarbage(repo, options));
}
export type { GcResult };
