import { createHash } from 'node:crypto';
import { isRacy } from '../../store/StatCache.js';
import type { ScanResult } from './scanTree.js';

/**
 * Digest of everything a scan saw, or undefined when an entry is racy (its
 * mtime is in the same timestamp tick as `now`, so it could still change
 * unseen) and the scan must not be remembered.
 */
export function scanSignature(scan: ScanResult, now = Date.now()): string | undefined {
  const h = createHash('sha256');
  for (const f of scan.files) {
    if (isRacy(f.mtimeMs, now)) return undefined;
    h.update(`${f.path}\0${f.kind}\0${f.ino}\0${f.size}\0${f.mtimeMs}\0${f.executable ? 1 : 0}\0${f.target ?? ''}\0${f.knownHex ?? ''}\n`);
  }
  return h.digest('hex');
}
