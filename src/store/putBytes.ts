import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { storeTempFor } from './layout.js';
import { mkdirp } from '../util/mkdirp.js';

/**
 * Asynchronous twin of putBytesSync, for callers that write many objects at
 * once (a fetch): creating a file costs a journal round trip on ext4, and
 * several in flight on libuv's thread pool overlap those waits, where the
 * synchronous version pays them one after another. Same contract: temp file,
 * read-only, rename into place; returns the bytes written (0 when present).
 * `checkExists: false` skips the existence check for callers that just found
 * the object absent (replacing an identical object by rename is harmless).
 */
export async function putBytes(target: string, data: Uint8Array, options: { checkExists?: boolean } = {}): Promise<number> {
  if (options.checkExists ?? true) {
    try {
      await fsp.access(target);
      return 0;
    } catch {
      /* absent: write it */
    }
  }
  const tmp = storeTempFor(target);
  try {
    await fsp.writeFile(tmp, data, { mode: 0o444 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirp(dirname(target));
    await fsp.writeFile(tmp, data, { mode: 0o444 });
  }
  try {
    await fsp.rename(tmp, target);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  return data.length;
}
