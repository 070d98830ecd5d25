import { TroveError } from '../errors/index.js';
import type { Backend } from '../remote/Backend.js';
import { packKey } from '../remote/remoteLayout.js';
import type { RemoteIndex } from './RemoteIndex.js';
import { withRetries, type RetryPolicy } from './withRetries.js';

/** A temp upload untouched this long belongs to no live push: an upload in progress rewrites its file as the bytes arrive. */
export const STALE_TEMP_MS = 60 * 60_000;

export interface StaleUploads {
  /** keys of temp uploads removed (or, in a dry run, that would be) */
  readonly tempFiles: string[];
  /** packs without an index older than the grace period */
  readonly orphanPacks: string[];
  readonly bytes: number;
  readonly requests: number;
}

/**
 * What killed pushes leave behind: temp uploads below the backend's
 * `tempPrefix` (directory and SFTP remotes write there and rename), and
 * packs whose index never arrived (a push killed or out of space between
 * the two). Only what is old enough that no live push can still own it:
 * a temp file not written to for `tempAgeMs`, an orphan pack older than
 * `orphanAgeMs` (the grace period) and not in `keep` (packs this push is
 * about to reuse). Time is the remote's own (its listing), against `now`.
 */
export async function removeStaleUploads(backend: Backend, index: RemoteIndex, options: { now: number; tempAgeMs?: number; orphanAgeMs: number; keep?: ReadonlySet<string>; dryRun: boolean; policy: RetryPolicy; guard?: () => void }): Promise<StaleUploads> {
  let requests = 0;
  let bytes = 0;
  const old = (mtime: number | undefined, age: number): boolean => mtime !== undefined && options.now - mtime >= age;
  const temp = options.tempAgeMs === undefined ? { tempFiles: [], bytes: 0, requests: 0 } : await findStaleTemp(backend, options.now, options.tempAgeMs, options.policy);
  const tempFiles = temp.tempFiles;
  bytes += temp.bytes;
  requests += temp.requests;
  const indexed = new Set(index.packs.keys());
  const badIndexes = new Set(index.badIndexes.map((b) => b.name));
  const orphanPacks = [...index.listedPacks.keys()].filter((n) => !indexed.has(n) && !badIndexes.has(n) && !options.keep?.has(n) && old(index.listedKeys.get(packKey(n))?.mtime, options.orphanAgeMs)).sort();
  for (const n of orphanPacks) bytes += index.listedPacks.get(n) ?? 0;
  if (!options.dryRun) {
    for (const key of [...tempFiles.sort(), ...orphanPacks.map(packKey)]) {
      options.guard?.();
      requests++;
      await withRetries(() => backend.delete(key), options.policy).catch((err: unknown) => {
        throw new TroveError('REMOTE', `Could not remove ${key} from ${backend.display}: ${(err as Error).message.replace(/\.$/, '')}.`, { hint: 'Run trove gc -r again; what was removed stays removed and nothing live was touched.', cause: err });
      });
    }
  }
  return { tempFiles, orphanPacks, bytes, requests };
}

async function findStaleTemp(backend: Backend, now: number, ageMs: number, policy: RetryPolicy): Promise<{ tempFiles: string[]; bytes: number; requests: number }> {
  const tempFiles: string[] = [];
  let bytes = 0;
  if (!backend.tempPrefix || !backend.canList || backend.readOnly) return { tempFiles, bytes, requests: 0 };
  for (const e of await withRetries(() => backend.list(backend.tempPrefix!), policy)) {
    if (e.mtime === undefined || now - e.mtime < ageMs) continue;
    tempFiles.push(e.key);
    bytes += e.size;
  }
  return { tempFiles: tempFiles.sort(), bytes, requests: 1 };
}

/**
 * Only the temp uploads: what a push does before it takes its lock, since a
 * remote that killed pushes filled up has no room even for a lock object.
 */
export async function removeStaleTemp(backend: Backend, options: { now: number; ageMs: number; policy: RetryPolicy }): Promise<{ tempFiles: string[]; bytes: number }> {
  const found = await findStaleTemp(backend, options.now, options.ageMs, options.policy);
  for (const key of found.tempFiles) await withRetries(() => backend.delete(key), options.policy);
  return { tempFiles: found.tempFiles, bytes: found.bytes };
}
