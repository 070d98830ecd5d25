import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { storeTmpDir } from './layout.js';
import { mkdirp } from '../util/mkdirp.js';
import { renameCreatingParent } from '../util/renameCreatingParent.js';

/**
 * Asynchronous twin of putBytesSync, for callers that write many objects at
 * once (a fetch): creating a file costs a journal round trip on ext4, and
 * several in flight on libuv's thread pool overlap those waits, where the
 * synchronous version pays them one after another. Same contract: temp file,
 * read-only, rename into place; returns the bytes written (0 when present).
 * `checkExists: false` skips the existence check for callers that just found
 * the object absent (replacing an identical object by rename is harmless).
 */
export async function putBytes(storeDir: string, target: string, data: Uint8Array, options: { checkExists?: boolean } = {}): Promise<number> {
  if (options.checkExists ?? true) {
    try {
      await fsp.access(target);
      return 0;
    } catch {
      /* absent: write it */
    }
  }
  const tmp = join(storeTmpDir(storeDir), `${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await fsp.writeFile(tmp, data, { mode: 0o444 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirp(storeTmpDir(storeDir));
    await fsp.writeFile(tmp, data, { mode: 0o444 });
  }
  try {
    await renameCreatingParent(tmp, target);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  return data.length;
}
