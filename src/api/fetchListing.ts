import { TroveError, isTroveError } from '../errors/index.js';
import type { Oid } from '../core/oid.js';
import { fetchClosure } from '../transfer/closure.js';
import { partial } from './push.js';
import { closeSession, openSession } from '../sync/remoteSession.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * Bring a directory version's listing (its manifest pages, kilobytes; no
 * file contents) from the default remote into the local store, for a caller
 * holding the lock: a strict entity's new version is compared with the
 * previous one, whose listing a fresh clone may not have. `why` is the
 * OBJECT_MISSING that asked for it, thrown as is when there is no remote.
 */
export async function fetchListing(repo: Repo, oid: Oid, what: string, why: TroveError): Promise<void> {
  if (Object.keys(repo.config.remotes).length === 0) throw why;
  const session = await openSession(repo, undefined, undefined);
  try {
    const stats = await fetchClosure(session.backend, session.index, repo.store, [{ kind: 'dir', oid, what }], { jobs: session.jobs, policy: session.policy, reporter: repo.reporter, pagesOnly: true });
    if (stats.failed.length) throw partial('fetch', { remote: session.name, objects: stats.objects, failed: stats.failed }, stats.failed.length);
  } catch (err) {
    if (isTroveError(err, 'PARTIAL_TRANSFER') || isTroveError(err, 'REMOTE')) throw new TroveError('OBJECT_MISSING', why.message, { hint: why.hint, cause: err, data: why.data });
    throw err;
  } finally {
    await closeSession(session);
  }
}
