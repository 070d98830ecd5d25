import { existsSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../../errors/index.js';
import { syncDirsSync } from '../syncPaths.js';
import { listLiveLeases, type LeaseOptions } from './readerLease.js';

// Retirement of replaced packs (docs/reliability.md "Packs and readers"). A
// pack exists for readers only while its index `<name>.tidx` is in packs/. gc
// replaces a pack by sealing its live entries into a new one first (durable
// and visible), then retires the old one here: its index leaves packs/ first,
// so no new reader finds it; then the pack. Both wait in packs/retired/ until
// every reader that may have listed the index before it left is gone: no
// reader lease older than the retirement remains (readerLease.ts).

export const PACKS_DIR = 'packs';
export const RETIRED_DIR = 'retired';
export const PACK_EXT = '.pack';
export const INDEX_EXT = '.tidx';

/** A pack's name: the sha256 (hex) of its text index, as the remote names it. */
const PACK_NAME = /^[0-9a-f]{64}$/;

/** A lease taken this close after a retirement still counts as older: clocks of a networked store's hosts, and mtime granularity. */
export const RETIRE_CLOCK_SLACK_MS = 2_000;

/** A pack file without its index this old was not being published (the publish renames the index right after the pack). */
export const ORPHAN_PACK_GRACE_MS = 3_600_000;

export interface RetireOptions {
  /** sync the two directories after the renames (core.fsync; default true) */
  readonly fsync?: boolean;
  /** the retirement time written to the retired index (default now) */
  readonly now?: number;
}

export interface DeleteRetiredOptions extends LeaseOptions {
  /** a lease taken up to this long after a retirement blocks it (default RETIRE_CLOCK_SLACK_MS) */
  readonly slackMs?: number;
}

export interface DeleteRetiredResult {
  /** pack names whose retired files were deleted */
  readonly deleted: string[];
  /** pack names still waiting for a reader */
  readonly waiting: string[];
  readonly freedBytes: number;
}

function packsDir(storeDir: string): string {
  return join(storeDir, PACKS_DIR);
}

function retiredDir(storeDir: string): string {
  return join(storeDir, PACKS_DIR, RETIRED_DIR);
}

/**
 * Retire the packs `names` of the store at `storeDir`. For each: stamp the
 * index with the retirement time (its mtime is what deleteRetired compares
 * leases with; a rename keeps the old mtime, so the stamp comes first), rename
 * the index into retired/, then the pack. Then sync retired/ and packs/ once.
 * The caller has made the replacement durable and visible beforehand.
 *
 * A kill -9 between the two renames leaves a pack without an index in packs/:
 * invisible to readers, and finishRetirements moves it on the next gc.
 */
export function retirePacks(storeDir: string, names: readonly string[], o: RetireOptions = {}): void {
  if (names.length === 0) return;
  const from = packsDir(storeDir);
  const to = retiredDir(storeDir);
  mkdirRetired(storeDir);
  const when = new Date(o.now ?? Date.now());
  for (const name of names) {
    checkName(name);
    const index = join(from, name + INDEX_EXT);
    if (existsSync(index)) {
      utimesSync(index, when, when);
      renameSync(index, join(to, name + INDEX_EXT));
    }
    const pack = join(from, name + PACK_EXT);
    if (existsSync(pack)) renameSync(pack, join(to, name + PACK_EXT));
  }
  syncDirsSync([to, from], { fsync: o.fsync ?? true });
}

/**
 * Complete what a killed retirement or publish left in packs/: a pack whose
 * index is already in retired/ joins it there; a pack with no index anywhere,
 * older than `graceMs`, is retired (no reader can locate its entries, but it
 * still waits out the leases like any other). Returns the names moved.
 */
export function finishRetirements(storeDir: string, o: RetireOptions & { graceMs?: number } = {}): string[] {
  const from = packsDir(storeDir);
  let names: string[];
  try {
    names = readdirSync(from);
  } catch {
    // no packs directory: a store with no packs has nothing half retired
    return [];
  }
  const now = o.now ?? Date.now();
  const grace = o.graceMs ?? ORPHAN_PACK_GRACE_MS;
  const present = new Set(names);
  const moved: string[] = [];
  for (const n of names) {
    if (!n.endsWith(PACK_EXT)) continue;
    const name = n.slice(0, -PACK_EXT.length);
    if (!PACK_NAME.test(name) || present.has(name + INDEX_EXT)) continue;
    const indexRetired = existsSync(join(retiredDir(storeDir), name + INDEX_EXT));
    if (!indexRetired) {
      let mtimeMs: number;
      try {
        mtimeMs = statSync(join(from, n)).mtimeMs;
      } catch {
        // gone meanwhile (another gc): nothing to finish
        continue;
      }
      if (now - mtimeMs <= grace) continue; // maybe a publish between its two renames
      // re-check: a publish may have renamed the index in since the listing
      if (existsSync(join(from, name + INDEX_EXT))) continue;
    }
    mkdirRetired(storeDir);
    if (indexRetired) renameSync(join(from, n), join(retiredDir(storeDir), n));
    else retirePacks(storeDir, [name], { ...o, now });
    moved.push(name);
  }
  if (moved.length > 0) syncDirsSync([retiredDir(storeDir), from], { fsync: o.fsync ?? true });
  return moved;
}

/**
 * Delete the retired packs that no reader may still need: those retired
 * before every live lease was taken (retirement time = the retired index's
 * mtime; a lease counts from its file's mtime, plus `slackMs`). The pack goes
 * first, its index last, so a killed delete leaves an index that still says
 * when it was retired. A retired pack whose index is gone was being deleted:
 * it goes too.
 */
export function deleteRetired(storeDir: string, o: DeleteRetiredOptions = {}): DeleteRetiredResult {
  const dir = retiredDir(storeDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    // nothing was ever retired
    return { deleted: [], waiting: [], freedBytes: 0 };
  }
  const slack = o.slackMs ?? RETIRE_CLOCK_SLACK_MS;
  let oldestLease = Infinity;
  for (const l of listLiveLeases(storeDir, o)) oldestLease = Math.min(oldestLease, l.takenMs);
  const present = new Set(names);
  const deleted: string[] = [];
  const waiting: string[] = [];
  let freedBytes = 0;
  const sizeOf = (path: string): number => {
    try {
      return statSync(path).size;
    } catch {
      // deleted meanwhile by another gc: nothing freed here
      return 0;
    }
  };
  const unlink = (path: string): void => {
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  };
  for (const n of names) {
    const ext = n.endsWith(INDEX_EXT) ? INDEX_EXT : n.endsWith(PACK_EXT) ? PACK_EXT : undefined;
    if (!ext) continue;
    const name = n.slice(0, -ext.length);
    if (!PACK_NAME.test(name)) continue;
    if (ext === PACK_EXT && present.has(name + INDEX_EXT)) continue; // handled with its index
    if (ext === INDEX_EXT) {
      let retiredAt: number;
      try {
        retiredAt = statSync(join(dir, n)).mtimeMs;
      } catch {
        // deleted meanwhile by another gc
        continue;
      }
      if (oldestLease <= retiredAt + slack) {
        waiting.push(name);
        continue;
      }
    }
    const pack = join(dir, name + PACK_EXT);
    freedBytes += sizeOf(pack);
    unlink(pack);
    if (ext === INDEX_EXT) {
      freedBytes += sizeOf(join(dir, n));
      unlink(join(dir, n));
    }
    deleted.push(name);
  }
  return { deleted, waiting, freedBytes };
}

/** Names of the packs waiting in retired/ (their index or pack is there). */
export function listRetired(storeDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(retiredDir(storeDir));
  } catch {
    // nothing retired
    return [];
  }
  const out = new Set<string>();
  for (const n of names) {
    const base = n.endsWith(INDEX_EXT) ? n.slice(0, -INDEX_EXT.length) : n.endsWith(PACK_EXT) ? n.slice(0, -PACK_EXT.length) : '';
    if (PACK_NAME.test(base)) out.add(base);
  }
  return [...out].sort();
}

function mkdirRetired(storeDir: string): void {
  mkdirSync(retiredDir(storeDir), { recursive: true });
}

function checkName(name: string): void {
  if (!PACK_NAME.test(name)) throw new TroveError('INTERNAL', `Cannot retire "${name}": not a pack name.`);
}
