import { constants, promises as fsp } from 'node:fs';
import type { LinkStrategy } from './ContentStore.js';

// File helpers of ObjectStore's reads: positioned writes, small whole reads, placing a whole object.

/** Positioned writes assemble() keeps in flight on the thread pool (4 threads by default). */
export const ASSEMBLE_WRITES_IN_FLIGHT = 3;

/** pwrite all of `data` at `position` (a write may return short). */
export async function writeAll(fh: fsp.FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    if (bytesWritten === 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
    done += bytesWritten;
  }
}

/** Objects up to this size are copied through one buffer. */
const SMALL_COPY_BYTES = 1 << 20;

/** The whole object's bytes when it is stored whole and small, else undefined (large, chunked or absent). */
export async function readIfSmall(file: string): Promise<Buffer | undefined> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch {
    // absent or unopenable: the caller falls back to the general read, which reports the error
    return undefined;
  }
  try {
    const { size } = await handle.stat();
    return size <= SMALL_COPY_BYTES ? await handle.readFile() : undefined;
  } finally {
    await handle.close();
  }
}

export async function placeWhole(src: string, tmp: string, strategy: LinkStrategy): Promise<void> {
  switch (strategy) {
    case 'hardlink':
      return fsp.link(src, tmp);
    case 'symlink':
      return fsp.symlink(src, tmp);
    case 'reflink':
      return fsp.copyFile(src, tmp, constants.COPYFILE_FICLONE_FORCE);
    default:
      return fsp.copyFile(src, tmp, constants.COPYFILE_EXCL);
  }
}

