import { join } from 'node:path';
import { packsDir } from './layout.js';
import { READERS_DIR } from './pack/readerLease.js';
import { RETIRED_DIR } from './pack/retire.js';

/**
 * The directories of a store that trove writes into beside its objects:
 * the store itself, its packs, retired packs and reader leases. openRepo
 * refuses any of them that is a symlink when the store is the repository's
 * own (`.trove/cache`), so a cloned repository cannot aim them elsewhere.
 */
export function storeWriteDirs(storeDir: string): string[] {
  return [storeDir, packsDir(storeDir), join(packsDir(storeDir), RETIRED_DIR), join(storeDir, READERS_DIR)];
}
