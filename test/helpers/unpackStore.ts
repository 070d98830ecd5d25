import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOid } from '../../src/core/oid.js';
import { chunkListFile, objectFile } from '../../src/store/layout.js';
import { writeObjectSync } from '../../src/store/objectWriter.js';
import { PackSet } from '../../src/store/pack/PackSet.js';

/**
 * Turn a store's packed entries back into loose files and remove its packs:
 * for tests that corrupt, delete or read store files by path (written when
 * every object was loose). Entries are copied as stored, unverified, so a
 * corruption a test made inside a pack stays one.
 */
export function unpackStore(storeDir: string): void {
  const dir = join(storeDir, 'packs');
  if (!existsSync(dir)) return;
  const packs = new PackSet(dir);
  for (const e of packs.entries()) {
    const oid = createOid('sha256', e.hex);
    const target = e.kind === 'o' ? objectFile(storeDir, oid) : chunkListFile(storeDir, oid);
    if (!existsSync(target)) writeObjectSync(target, packs.read({ pack: e.pack, file: e.file, offset: e.offset, length: e.length }), { fsync: false });
  }
  packs.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Turn a store into what a trove before packs wrote: every packed entry a loose file, no packs/, FORMAT 1. */
export function unpackToFormat1(storeDir: string): void {
  unpackStore(storeDir);
  writeFileSync(join(storeDir, 'FORMAT'), 'trove-store 1\n');
}
