import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { TroveError } from '../errors/index.js';
import type { Oid } from '../core/oid.js';
import type { ChunkRef } from './chunkList.js';
import type { ObjectStore } from './ObjectStore.js';

/** How a stored file is laid out in the local store: one whole object, or a chunk list with its chunks. */
export type StoredFileLayout = { readonly kind: 'whole' } | { readonly kind: 'chunked'; readonly chunks: readonly ChunkRef[] };

/**
 * Where the content of file `oid` is in the local store, checked BEFORE any
 * byte is sent (so a server can still answer with an error status): the whole
 * object, or the chunk list and every chunk it names. OBJECT_MISSING naming
 * `what` otherwise.
 */
export function locateStoredFile(store: ObjectStore, oid: Oid, what: string): StoredFileLayout {
  if (store.hasObject(oid)) return { kind: 'whole' };
  const chunks = store.readChunkList(oid);
  if (chunks && chunks.every((c) => store.hasObject(c.oid))) return { kind: 'chunked', chunks };
  throw new TroveError('OBJECT_MISSING', `The content of ${what} (${oid.algo}:${oid.hex.slice(0, 12)}…) is not in the local store.`, {
    hint: 'trove exp pull RUN fetches a run\'s checkpoints from the remote; then try again.',
    data: { path: what, oid: `${oid.algo}:${oid.hex}` },
  });
}

/** Bytes a whole object is read in when streamed. */
const PIECE = 1 << 20;

/**
 * The bytes of stored file `oid`, piece by piece, for streaming it out (a
 * download) without holding a large model in memory. Verified as the store
 * verifies everything that leaves it: each chunk against its own id before it
 * is yielded (a corrupt chunk is removed from the store and never sent), and
 * the whole file's sha256 at the end, so a corrupt whole object or chunk list
 * throws CORRUPT_OBJECT after the last piece: a caller streaming to a client
 * must then abort the transfer rather than end it cleanly. A whole object is
 * streamed from one open file descriptor; objects are immutable, so what is
 * read is what was hashed.
 */
export async function* storedFileChunks(store: ObjectStore, oid: Oid, what: string, layout: StoredFileLayout = locateStoredFile(store, oid, what)): AsyncGenerator<Buffer> {
  const whole = createHash('sha256');
  if (layout.kind === 'chunked') {
    for (const c of layout.chunks) {
      const data = store.readObject(c.oid, what);
      whole.update(data);
      yield data;
    }
  } else {
    const path = store.objectPath(oid);
    if (!existsSync(path)) throw new TroveError('OBJECT_MISSING', `The content of ${what} is no longer in the local store.`, { data: { path: what, oid: `${oid.algo}:${oid.hex}` } });
    const fd = openSync(path, 'r');
    try {
      for (;;) {
        const buf = Buffer.allocUnsafe(PIECE);
        const n = readSync(fd, buf, 0, PIECE, null);
        if (n === 0) break;
        const piece = buf.subarray(0, n);
        whole.update(piece);
        yield piece;
      }
    } finally {
      closeSync(fd);
    }
  }
  if (whole.digest('hex') !== oid.hex) {
    if (layout.kind === 'whole') store.quarantine(store.objectPath(oid));
    throw new TroveError('CORRUPT_OBJECT', `The stored content of ${what} (${oid.algo}:${oid.hex.slice(0, 12)}…) is corrupt; it was removed from the store.`, {
      hint: 'Fetch the run again (trove exp pull) or re-add the data if you still have it.',
      data: { path: what, oid: `${oid.algo}:${oid.hex}` },
    });
  }
}

/** The whole verified content of a stored file in memory (small files: code, configs). */
export async function readStoredFile(store: ObjectStore, oid: Oid, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of storedFileChunks(store, oid, what)) parts.push(p);
  return Buffer.concat(parts);
}
