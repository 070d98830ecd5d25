import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { mkdirp } from './mkdirp.js';

/** rename(2) into place; a missing parent directory (first object of a fan-out dir) is created and the rename retried. */
export async function renameCreatingParent(from: string, to: string): Promise<void> {
  try {
    await fsp.rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirp(dirname(to));
    await fsp.rename(from, to);
  }
}
