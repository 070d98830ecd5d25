import { TroveError } from '../errors/index.js';
import type { Oid } from '../core/oid.js';

// The two errors a read of the local store reports (ObjectStore and its pack readers).

export function missing(oid: Oid, what: string): TroveError {
  return new TroveError('OBJECT_MISSING', `The content of ${what} (${oid.algo}:${oid.hex.slice(0, 12)}…) is not in the local store.`, {
    hint: 'Re-add the data if you still have it, point core.cache at a store that has it, or check out a revision whose data you have (trove status shows what is missing).',
    data: { path: what, oid: `${oid.algo}:${oid.hex}` },
  });
}

export function corrupt(oid: Oid, what: string): TroveError {
  return new TroveError('CORRUPT_OBJECT', `The stored content of ${what} (${oid.algo}:${oid.hex.slice(0, 12)}…) is corrupt; it was removed from the store and not written to the work tree.`, {
    hint: 'Re-add the data if you still have it, or point core.cache at a store that has an intact copy.',
    data: { path: what, oid: `${oid.algo}:${oid.hex}` },
  });
}
