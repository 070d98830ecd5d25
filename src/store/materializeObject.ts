import { createHash } from 'node:crypto';
import { createReadStream, existsSync, promises as fsp, readFileSync } from 'node:fs';
import { fromFsError } from '../errors/index.js';
import type { Oid } from '../core/oid.js';
import { tempPathFor } from '../util/atomicWrite.js';
import { processUmask } from '../util/processUmask.js';
import type { ChunkRef } from './chunkList.js';
import type { LinkStrategy } from './ContentStore.js';
import { chunkListFile, objectFile } from './layout.js';
import type { ObjectStore } from './ObjectStore.js';
import { assembleChunks } from './assembleChunks.js';
import { corrupt } from './storeErrors.js';
import { placeWhole, readIfSmall } from './storeFiles.js';

/**
 * Write the verified content of file `oid` to `dest` through a temp file
 * beside it and a rename; `dest` is never left half-written, and corrupt
 * content never reaches it. A packed object is copied out of its pack; a
 * chunked one is assembled from its chunks and verified as a whole.
 */
export async function materializeObject(store: ObjectStore, oid: Oid, dest: string, options: { what: string; strategy: LinkStrategy; executable?: boolean }): Promise<void> {
  const whole = objectFile(store.dir, oid);
  const tmp = tempPathFor(dest);
  // A link shares the store object's inode and mode: executables are copied so chmod never touches the store.
  const strategy: LinkStrategy = options.executable && (options.strategy === 'hardlink' || options.strategy === 'symlink') ? 'copy' : options.strategy;
  // A packed object is copied out of its pack (a reflink cannot share a range); a link needs a loose file, unpacked first.
  const packed = store.packedAt('object', oid) ?? (existsSync(whole) ? undefined : store.packedAt('object', oid, true));
  if (packed && (strategy === 'hardlink' || strategy === 'symlink')) store.objectPath(oid);
  try {
    const wantedMode = options.executable ? 0o755 : 0o644;
    const small = packed && strategy !== 'hardlink' && strategy !== 'symlink' ? store.readPacked(packed, oid, options.what) : strategy === 'copy' ? await readIfSmall(whole) : undefined;
    if (small) {
      // A small object is read once: hashed and written from the same buffer (a stream and a copy would read it twice).
      if (!packed && createHash('sha256').update(small).digest('hex') !== oid.hex) {
        store.quarantine(whole);
        throw corrupt(oid, options.what);
      }
      await fsp.writeFile(tmp, small, { flag: 'wx', mode: wantedMode });
    } else if (existsSync(whole)) {
      await verifyFile(store, whole, oid, options.what);
      await placeWhole(whole, tmp, strategy);
    } else {
      const chunks = store.readChunkList(oid);
      if (!chunks) throw store.missingObject(oid, options.what);
      await assemble(store, oid, chunks, tmp, options.what);
    }
    // Created with the wanted mode, the umask permitting: a chmod per file is ~15 µs × 20,000 files.
    const modeSet = small !== undefined && (wantedMode & ~processUmask()) === wantedMode;
    if (!modeSet && (strategy === 'copy' || strategy === 'reflink' || !existsSync(whole))) await fsp.chmod(tmp, wantedMode);
    await fsp.rename(tmp, dest);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined); // cleanup only: the write's own error is rethrown below
    throw fromFsError(err, 'writing', options.what);
  }
}

async function verifyFile(store: ObjectStore, path: string, oid: Oid, what: string): Promise<void> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  if (h.digest('hex') !== oid.hex) {
    store.quarantine(path);
    throw corrupt(oid, what);
  }
}

/** Assemble a chunked file into `tmp` (assembleChunks), setting aside whatever is found corrupt. */
async function assemble(store: ObjectStore, oid: Oid, chunks: readonly ChunkRef[], tmp: string, what: string): Promise<void> {
  const outcome = await assembleChunks(oid, chunks, tmp, {
    read: (c) => {
      // A chunk of at most PACK_MAX_OBJECT (a file's last one) may be packed: fetch packs small entries.
      const packed = store.packedAt('object', c.oid);
      try {
        return packed ? store.packs.read(packed) : readFileSync(objectFile(store.dir, c.oid));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        const moved = store.packedAt('object', c.oid, true);
        if (!moved) throw store.missingObject(oid, what);
        return store.packs.read(moved);
      }
    },
    quarantine: (c) => (store.packedAt('object', c.oid) ? store.quarantineObject('object', c.oid) : store.quarantine(objectFile(store.dir, c.oid))),
  });
  if (outcome === 'ok') return;
  if (outcome === 'list') store.quarantine(chunkListFile(store.dir, oid));
  throw corrupt(oid, what);
}
