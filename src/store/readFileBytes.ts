import { createHash } from 'node:crypto';
import { TroveError } from '../errors/index.js';
import type { Oid } from '../core/oid.js';
import type { ObjectStore } from './ObjectStore.js';

/**
 * The whole content of one stored file in memory, verified: a whole object
 * through readObject (which checks its sha256 and removes a corrupt copy),
 * a chunked one as its chunks, each checked by readObject, then the whole
 * file's sha256 against `oid`. For small reads a caller shows to a person (a
 * CSV row diff); `size` is the size the manifest or pointer claims, checked
 * too, so a caller that bounded it by size got what it bounded. Throws
 * OBJECT_MISSING (naming `what`) when the content is not in the local store.
 */
export function readFileBytes(store: ObjectStore, oid: Oid, size: number, what: string): Buffer {
  let data: Buffer;
  if (store.hasObject(oid)) data = store.readObject(oid, what);
  else {
    const chunks = store.readChunkList(oid);
    if (!chunks) return store.readObject(oid, what); // throws OBJECT_MISSING naming `what`
    data = Buffer.concat(chunks.map((c) => store.readObject(c.oid, what)));
    if (createHash('sha256').update(data).digest('hex') !== oid.hex) {
      throw new TroveError('CORRUPT_OBJECT', `The stored chunks of ${what} do not add up to its content (${oid.algo}:${oid.hex.slice(0, 12)}…).`, {
        hint: 'Run trove fsck, then fetch the data again.',
        data: { path: what, oid: `${oid.algo}:${oid.hex}` },
      });
    }
  }
  if (data.length !== size) {
    throw new TroveError('CORRUPT_OBJECT', `The stored content of ${what} is ${data.length} bytes, not the ${size} its record says.`, { hint: 'Run trove fsck.', data: { path: what } });
  }
  return data;
}
