import { rmSync } from 'node:fs';
import type { Oid } from '../../core/oid.js';
import type { StoredKind } from '../ContentStore.js';
import { packsDir } from '../layout.js';
import type { ObjectStore } from '../ObjectStore.js';
import { syncDirsSync } from '../syncPaths.js';

/**
 * Delete the packs none of whose entries is live (gc), the index first so
 * no reader finds a pack without its bytes, then the pack, then one sync of
 * the directory. Packs with some live entries are left for repack (P5),
 * which rewrites them. Returns the entries and bytes dropped (or that would
 * be, with dryRun).
 */
export function dropDeadPacks(store: ObjectStore, isLive: (kind: StoredKind, oid: Oid) => boolean, options: { dryRun: boolean }): { entries: number; bytes: number } {
  const byPack = new Map<string, { file: string; live: boolean; entries: number; bytes: number }>();
  for (const e of store.list()) {
    if (!e.location.packed) continue;
    const p = byPack.get(e.location.file) ?? { file: e.location.file, live: false, entries: 0, bytes: 0 };
    p.live ||= isLive(e.kind, e.oid);
    p.entries++;
    p.bytes += e.size;
    byPack.set(e.location.file, p);
  }
  const dead = [...byPack.values()].filter((p) => !p.live);
  if (!options.dryRun && dead.length > 0) {
    for (const p of dead) {
      rmSync(p.file.replace(/\.pack$/, '.tidx'), { force: true });
      rmSync(p.file, { force: true });
    }
    syncDirsSync([packsDir(store.dir)], { fsync: store.fsync });
    store.packs.reload();
  }
  return { entries: dead.reduce((s, p) => s + p.entries, 0), bytes: dead.reduce((s, p) => s + p.bytes, 0) };
}
