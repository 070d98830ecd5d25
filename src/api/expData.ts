import { TroveError } from '../errors/index.js';
import { parseOid } from '../core/oid.js';
import type { StoredData } from '../core/experimentRecord.js';
import { fetchClosure, localClosure, type TransferRoot } from '../transfer/closure.js';
import type { Repo } from '../workspace/Repo.js';
import { closeSession, openSession } from '../sync/remoteSession.js';

/** A checkpoint's (or dirty code's) stored data as a transfer root. */
export function dataRoot(d: StoredData, what: string): TransferRoot {
  return { kind: d.kind, oid: parseOid(d.oid, what), what };
}

/**
 * Make sure the local store holds everything `roots` need: what it lacks is
 * fetched from the remote (`remote`, else the default) unless `fetch` is
 * false. Returns how many objects and bytes were fetched.
 */
export async function ensureLocalData(repo: Repo, roots: readonly TransferRoot[], options: { remote?: string; fetch?: boolean } = {}): Promise<{ objects: number; bytes: number }> {
  if (roots.length === 0) return { objects: 0, bytes: 0 };
  const missing = localClosure(repo.store, roots).missing;
  if (missing.length === 0) return { objects: 0, bytes: 0 };
  const what = [...new Set(missing.map((m) => m.what))];
  const fail = (why: string): TroveError =>
    new TroveError('OBJECT_MISSING', `The content of ${what.slice(0, 3).join(', ')}${what.length > 3 ? ', …' : ''} is not in the local store${why}.`, {
      hint: 'Fetch the runs from where they were pushed: trove exp pull (and configure a remote with trove remote add if there is none).',
      data: { paths: what, objects: missing.length },
    });
  if (options.fetch === false) throw fail('');
  if (options.remote === undefined && Object.keys(repo.config.remotes).length === 0) throw fail(', and no remote is configured');
  const session = await openSession(repo, options.remote, undefined);
  let stats;
  try {
    stats = await fetchClosure(session.backend, session.index, repo.store, roots, { jobs: session.jobs, policy: session.policy, reporter: repo.reporter });
  } finally {
    await closeSession(session);
  }
  if (localClosure(repo.store, roots).missing.length > 0) throw fail(` nor on the remote "${session.name}"`);
  return { objects: stats.objects, bytes: stats.bytes };
}
