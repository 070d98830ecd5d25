import { closeSync, fdatasyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import { atomicWriteSync } from '../util/atomicWriteSync.js';
import { tempPathFor } from '../util/atomicWrite.js';
import { syncDirsSync } from './syncPaths.js';
import { STORE_FORMAT, STORE_FORMAT_FILE, STORE_FORMAT_LOOSE } from './layout.js';

/**
 * `<store>/FORMAT` says which layout a store uses: "trove-store 1" (loose
 * objects) or "trove-store 2" (local packs too, written before the first pack
 * is published, so a trove that knows only format 1 refuses the store instead
 * of taking packed objects for missing). A store written by a newer trove is
 * refused before anything reads or writes it; a store without the file is
 * format 1 (and gets the file on its first write). `max` is injected by tests.
 */
export function checkStoreFormat(storeDir: string, max: number = STORE_FORMAT): void {
  let text: string;
  try {
    text = readFileSync(join(storeDir, STORE_FORMAT_FILE), 'utf8');
  } catch {
    // no format file: a format-1 store (see above); an unreadable store fails on its first object read
    return;
  }
  const m = /^trove-store ([1-9][0-9]*)\n?$/.exec(text);
  if (!m) throw new TroveError('CONFIG', `${join(storeDir, STORE_FORMAT_FILE)} is not a trove store format file.`, { hint: 'Check core.cache: it should name a trove store (or an empty directory).' });
  if (Number(m[1]) > max) {
    throw new TroveError('NEWER_FORMAT', `The store ${storeDir} has format ${m[1]}, newer than this trove understands (${max}).`, { hint: 'Upgrade trove (npm install -g trove@latest).' });
  }
}

export function ensureStoreFormat(storeDir: string): void {
  try {
    readFileSync(join(storeDir, STORE_FORMAT_FILE));
  } catch {
    // no readable format file: write it; the write throws (and reports) if it cannot
    atomicWriteSync(join(storeDir, STORE_FORMAT_FILE), `trove-store ${STORE_FORMAT_LOOSE}\n`);
  }
}

/** The store's format number (1 when the file is absent or unreadable). */
export function readStoreFormat(storeDir: string): number {
  try {
    const m = /^trove-store ([1-9][0-9]*)\n?$/.exec(readFileSync(join(storeDir, STORE_FORMAT_FILE), 'utf8'));
    return m ? Number(m[1]) : STORE_FORMAT_LOOSE;
  } catch {
    // no format file: format 1 (see checkStoreFormat)
    return STORE_FORMAT_LOOSE;
  }
}

/** Raise the store to format 2 (durably) before its first pack is published; a no-op when it is there already. */
export function upgradeStoreFormat(storeDir: string, options: { fsync?: boolean } = {}): void {
  if (readStoreFormat(storeDir) >= STORE_FORMAT) return;
  const target = join(storeDir, STORE_FORMAT_FILE);
  const tmp = tempPathFor(target);
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeFileSync(fd, `trove-store ${STORE_FORMAT}\n`);
      if (options.fsync ?? true) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDirsSync([storeDir], options);
}
