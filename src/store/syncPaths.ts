import * as nodeFs from 'node:fs';
import type { ObjectWriteOptions, WriterFs } from './objectWriter.js';
import { mapLimit } from '../util/mapLimit.js';

// Making paths durable for the object writer (objectWriter.ts decides when):
// a temp file's data before its rename, a directory's entries after.

/** Syncs of reopened temps and of directories in flight at commit (the thread pool runs 4; a few more keep it fed). */
export const SYNCS_IN_FLIGHT = 8;

/** Windows cannot open a directory for fsync (EPERM); NTFS journals renames itself, and Git skips the step there too. */
const NO_DIR_SYNC = process.platform === 'win32';

/** Make the renames into `dirs` durable (step 3); a no-op with `fsync: false`. */
export async function syncDirs(dirs: Iterable<string>, options: ObjectWriteOptions = {}): Promise<void> {
  if (!(options.fsync ?? true) || NO_DIR_SYNC) return;
  await mapLimit([...dirs], SYNCS_IN_FLIGHT, (dir) => syncPath(options.fs ?? nodeFs, dir, 'entries'));
}

export function syncDirsSync(dirs: Iterable<string>, options: ObjectWriteOptions = {}): void {
  if (!(options.fsync ?? true) || NO_DIR_SYNC) return;
  const fs = options.fs ?? nodeFs;
  for (const dir of dirs) {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** fdatasync (a file's data) or fsync (a directory's entries: fdatasync may skip what it deems metadata) on the thread pool, then close. */
export function syncAndClose(fs: WriterFs, fd: number, what: 'data' | 'entries' = 'data'): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: NodeJS.ErrnoException | null): void => {
      try {
        fs.closeSync(fd);
      } catch {
        /* the sync's result is what counts */
      }
      if (err) reject(err);
      else resolve();
    };
    if (what === 'data') fs.fdatasync(fd, done);
    else fs.fsync(fd, done);
  });
}

/** Open `path` read-only and sync it on the thread pool (a temp file: its data; a directory: its entries). */
export function syncPath(fs: WriterFs, path: string, what: 'data' | 'entries'): Promise<void> {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    return Promise.reject(err);
  }
  return syncAndClose(fs, fd, what);
}

