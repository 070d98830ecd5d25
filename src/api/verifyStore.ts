import { checkOptions } from './checkOptions.js';
import { verifyRemote, type RemoteFsckResult } from '../transfer/verifyRemote.js';
import { clearPushedRoots } from '../transfer/pushedRoots.js';
import { openSession } from '../sync/remoteSession.js';
import { verifyStore as _verifyStore, type FsckResult } from '../store/verifyStore.js';
import { withLock, type Repo } from '../workspace/Repo.js';

/**
 * Re-hash every stored object; corrupt ones are removed and reported.
 *
 * @example
 *   const { corrupt } = await verifyStore(repo);
 */
export async function verifyStore(repo: Repo): Promise<FsckResult> {
  checkOptions('fsck', repo, {}, {});
  return withLock(repo, 'fsck', () => _verifyStore(repo.store, { reporter: repo.reporter, jobs: repo.config.core.jobs, fsync: repo.config.core.fsync }));
}
export type { FsckResult };

/**
 * Check what a remote holds: presence and size of every pack (fast), or every
 * object re-hashed (`thorough`). Bad packs are taken out of the remote's index
 * (their good objects re-packed first) so the next push re-sends what is lost.
 *
 * @example
 *   const r = await fsckRemote(repo, { remote: 'storage', thorough: true });
 */
export async function fsckRemote(repo: Repo, options: { remote?: string; thorough?: boolean; jobs?: number } = {}): Promise<RemoteFsckResult & { remote: string; url: string }> {
  checkOptions('fsckRemote', repo, options, { remote: 'string?', thorough: 'boolean?', jobs: 'number?' });
  return withLock(repo, 'fsck', async () => {
    const session = await openSession(repo, options.remote, options.jobs);
    try {
      const r = await verifyRemote(session.backend, session.index, { thorough: Boolean(options.thorough), repair: !session.backend.readOnly, jobs: session.jobs, policy: session.policy, reporter: repo.reporter });
      // A pushed-root marker vouches that a version's whole closure is on the remote: any finding voids that.
      if (r.missingPacks.length + r.corruptPacks.length + r.badIndexes.length + r.orphanPacks.length > 0) clearPushedRoots(session.cacheDir);
      return { remote: session.name, url: session.backend.display, ...r };
    } finally {
      session.index.close();
      await session.backend.close();
    }
  });
}
export type { RemoteFsckResult };
