import { verifyStore, type FsckResult } from '../store/verifyStore.js';
import { withLock, type Repo } from '../workspace/Repo.js';

/**
 * Re-hash every stored object; corrupt ones are removed and reported.
 *
 * @example
 *   const { corrupt } = await fsck(repo);
 */
export function fsck(repo: Repo): Promise<FsckResult> {
  return withLock(repo, 'fsck', () => verifyStore(repo.store, { reporter: repo.reporter, jobs: repo.config.core.jobs }));
}
export type { FsckResult };
