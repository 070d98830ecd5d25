import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createOid, isValidHex, type Oid } from '../core/oid.js';
import { isAbandonedTemp } from '../util/abandonedTemps.js';
import type { StoredEntry, StoredKind } from './ContentStore.js';
import { isStoreTemp, packsDir, storeTmpDir } from './layout.js';
import type { PackLocation, PackSet } from './pack/PackSet.js';

// Listing and sweeping a whole store (gc, fsck): ObjectStore.list and removeStaleTemps.

/**
 * Every entry in the store (objects and chunk lists), with sizes: packed
 * ones (newest pack first), then loose ones; an entry both loose and packed
 * is listed twice, with each location.
 */
export function listStore(dir: string, packs: PackSet): StoredEntry[] {
  const out: StoredEntry[] = [];
  for (const e of packs.entries()) {
    const kind: StoredKind = e.kind === 'o' ? 'object' : 'chunklist';
    out.push(packedEntry(kind, createOid('sha256', e.hex), { pack: e.pack, file: e.file, offset: e.offset, length: e.length }));
  }
  for (const e of listLoose(dir)) out.push(e);
  return out;
}

/** The loose entries of the store (objects and chunk lists, or only those of `kind`), with sizes, one fan-out directory listed at a time. */
export function* listLoose(dir: string, only?: StoredKind): Generator<StoredEntry> {
  for (const [kind, sub] of [['object', 'objects'], ['chunklist', 'files']] as const) {
    if (only !== undefined && kind !== only) continue;
    const base = join(dir, sub, 'sha256');
    for (const fan of safeReaddir(base)) {
      for (const rest of safeReaddir(join(base, fan))) {
        const hex = fan + rest;
        if (!isValidHex('sha256', hex)) continue;
        const path = join(base, fan, rest);
        let size: number;
        try {
          size = statSync(path).size;
        } catch {
          // removed since the listing (a concurrent gc or fetch's repack): not an entry any more
          continue;
        }
        yield { kind, oid: createOid('sha256', hex), size, path, location: { file: path, offset: 0, length: size, packed: false } };
      }
    }
  }
}

/**
 * Remove temp files (storeTempFor) older than `olderThanMs` that a killed
 * writer left in the fan-out directories and `packs/` (a pack temp at once
 * when its pid is dead), and old entries of the scratch directory; younger
 * ones may belong to a writer still running. Returns how many temp files
 * were removed outside the scratch directory.
 */
export function removeStaleStoreTemps(dir: string, olderThanMs: number): number {
  cleanScratch(storeTmpDir(dir), olderThanMs);
  let removed = 0;
  const now = Date.now();
  // A killed pack writer's temps (pid-named: gone at once when the pid is dead, else after the age limit).
  for (const name of safeReaddir(packsDir(dir))) {
    if (!isStoreTemp(name)) continue;
    const path = join(packsDir(dir), name);
    try {
      if (!isAbandonedTemp(name) && now - statSync(path).mtimeMs <= olderThanMs) continue;
      rmSync(path, { force: true });
      removed++;
    } catch {
      /* renamed or removed meanwhile */
    }
  }
  for (const sub of ['objects', 'files']) {
    const base = join(dir, sub, 'sha256');
    for (const fan of safeReaddir(base)) {
      for (const name of safeReaddir(join(base, fan))) {
        if (!isStoreTemp(name)) continue;
        const path = join(base, fan, name);
        try {
          if (now - statSync(path).mtimeMs <= olderThanMs) continue;
          rmSync(path, { force: true });
          removed++;
        } catch {
          /* renamed or removed meanwhile */
        }
      }
    }
  }
  return removed;
}

export function packedEntry(kind: StoredKind, oid: Oid, at: PackLocation): StoredEntry {
  return { kind, oid, size: at.length, path: at.file, location: { file: at.file, offset: at.offset, length: at.length, packed: true } };
}

function cleanScratch(dir: string, olderThanMs: number): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no tmp folder: no stale temp files to remove; the sweep is best-effort and nothing is lost
    return;
  }
  for (const n of names) {
    try {
      if (Date.now() - statSync(join(dir, n)).mtimeMs > olderThanMs) rmSync(join(dir, n), { force: true, recursive: true });
    } catch {
      /* gone */
    }
  }
}

export function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    // a missing or unreadable shard folder lists as empty: listings are for enumeration, and reading an object reports its own error
    return [];
  }
}

