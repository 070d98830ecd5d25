import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import { atomicWriteSync } from '../util/atomicWriteSync.js';
import { STORE_FORMAT, STORE_FORMAT_FILE } from './layout.js';

/**
 * `<store>/FORMAT` says which layout a store uses ("trove-store 1"). A store
 * written by a newer trove is refused before anything reads or writes it; a
 * store without the file is format 1 (and gets the file on its first write).
 */
export function checkStoreFormat(storeDir: string): void {
  let text: string;
  try {
    text = readFileSync(join(storeDir, STORE_FORMAT_FILE), 'utf8');
  } catch {
    // no format file: a format-1 store (see above); an unreadable store fails on its first object read
    return;
  }
  const m = /^trove-store ([1-9][0-9]*)\n?$/.exec(text);
  if (!m) throw new TroveError('CONFIG', `${join(storeDir, STORE_FORMAT_FILE)} is not a trove store format file.`, { hint: 'Check core.cache: it should name a trove store (or an empty directory).' });
  if (Number(m[1]) > STORE_FORMAT) {
    throw new TroveError('NEWER_FORMAT', `The store ${storeDir} has format ${m[1]}, newer than this trove understands (${STORE_FORMAT}).`, { hint: 'Upgrade trove (npm install -g trove@latest).' });
  }
}

export function ensureStoreFormat(storeDir: string): void {
  try {
    readFileSync(join(storeDir, STORE_FORMAT_FILE));
  } catch {
    // no readable format file: write it; the write throws (and reports) if it cannot
    atomicWriteSync(join(storeDir, STORE_FORMAT_FILE), `trove-store ${STORE_FORMAT}\n`);
  }
}
