import { TroveError } from '../errors/index.js';
import { bufferBody, type Backend, type PutOptions } from './Backend.js';

/**
 * Remote layout 2 (docs/formats.md):
 *
 *   trove-remote               "trove-remote 2\n": marks the prefix as a trove remote and versions it
 *   packs/<name>.pack          concatenated objects
 *   packs/<name>.idx           the pack's index (src/core/packIndex.ts); <name> = sha256 of the index
 *   packs.list                 names of all indexes, for remotes that cannot list (HTTP)
 *   locks/<id>                 a push's shared or gc -r's exclusive lock (src/transfer/RemoteLock.ts)
 *   claims/<id>                the pointer versions a finished push relied on (src/transfer/pushClaims.ts)
 *
 * A pack is uploaded before its index, so an index never names bytes that are
 * not there; a pack without an index (an interrupted push) is invisible and is
 * reused by the next push or removed by gc -r. Layout 1 is layout 2 without
 * locks and claims: it is read and pushed to as it is, and the first gc -r
 * that deletes upgrades the marker, so that a trove too old to take the lock
 * refuses the remote instead of pushing while gc -r deletes.
 */
export const REMOTE_FORMAT = 2;
export const FORMAT_KEY = 'trove-remote';
export const PACKS_PREFIX = 'packs/';
export const PACK_LIST_KEY = 'packs.list';
export const LOCKS_PREFIX = 'locks/';
export const CLAIMS_PREFIX = 'claims/';

/**
 * How packs and indexes are put: each is named by a hash of (its) index, which fixes its bytes, and
 * never rewritten in place, so caches in front of the remote may keep it.
 * The marker, packs.list, locks and claims change and are put without it.
 */
export const CONTENT_NAMED: PutOptions = { immutable: true };

export const packKey = (name: string): string => `${PACKS_PREFIX}${name}.pack`;
export const indexKey = (name: string): string => `${PACKS_PREFIX}${name}.idx`;

/** Throw NEWER_FORMAT for a remote written by a newer trove; returns whether the marker exists. */
export async function checkRemoteFormat(backend: Backend): Promise<boolean> {
  return (await readRemoteFormat(backend)) !== undefined;
}

/** The remote's layout version, or undefined when it has no marker yet (nothing pushed). */
export async function readRemoteFormat(backend: Backend): Promise<number | undefined> {
  let text: string;
  try {
    text = (await backend.get(FORMAT_KEY)).toString('utf8');
  } catch (err) {
    if (err instanceof TroveError && err.code === 'NOT_FOUND') return undefined;
    throw err;
  }
  const m = /^trove-remote ([0-9]+)\n?$/.exec(text);
  if (!m) throw new TroveError('REMOTE', `${backend.display} has a ${FORMAT_KEY} file that trove did not write.`, { hint: 'Point the remote at an empty prefix or one that trove created.' });
  if (Number(m[1]) > REMOTE_FORMAT) {
    throw new TroveError('NEWER_FORMAT', `The remote ${backend.display} has layout version ${m[1]}, newer than this trove understands (${REMOTE_FORMAT}).`, { hint: 'Upgrade trove (npm install -g trove@latest).' });
  }
  return Number(m[1]);
}

export async function writeRemoteFormat(backend: Backend): Promise<void> {
  await backend.put(FORMAT_KEY, bufferBody(Buffer.from(`trove-remote ${REMOTE_FORMAT}\n`)));
}

/** Pack names from a listing of packs/: only those whose index exists (the index is written last). */
export function packNamesFromListing(keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const m = /^packs\/([0-9a-f]{64})\.idx$/.exec(k);
    if (m) out.push(m[1]!);
  }
  return out.sort();
}
