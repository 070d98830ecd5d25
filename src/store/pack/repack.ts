import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, openSync, readFileSync, readSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseLocalPackIndex, type LocalPackEntry } from '../../core/localPackIndex.js';
import type { PackEntryKind } from '../../core/packIndex.js';
import { parseChunkList } from '../chunkList.js';
import { atomicWriteSync } from '../../util/atomicWriteSync.js';
import { parseTempName, removeIfAbandoned } from '../../util/abandonedTemps.js';
import { syncDirsSync } from '../syncPaths.js';
import { safeReaddir } from '../storeListing.js';
import { PACK_MAX_OBJECT, PACK_TARGET, PackWriter } from './PackWriter.js';
import { BAD_LIST } from './PackSet.js';
import { deleteRetired, finishRetirements, INDEX_EXT, PACK_EXT, PACKS_DIR, retirePacks, type DeleteRetiredOptions } from './retire.js';

// gc over packs (docs/reliability.md "Packs and readers"): choose what to
// rewrite, stream its live entries (each verified) into new packs, seal them
// (durable and visible), then retire the replaced packs and unlink the loose
// objects that were packed, then delete retired packs no reader may need.

/** A pack with less than this share of its bytes live is rewritten. */
export const REWRITE_BELOW_LIVE = 0.8;
/** Past this many packs, small ones are merged geometrically (git's --geometric=2). */
export const GEOMETRIC_MAX_PACKS = 16;
/** Auto-pack rewrites at most this many bytes (after add and fetch; gc has no bound). */
export const AUTO_PACK_MAX_BYTES = 1024 * 1024 * 1024;
/** Directory whose presence says work-tree files may be symlinks into the store: loose file objects are then never packed. */
export const LINKS_MARKER = 'links';

export interface RepackOptions extends DeleteRetiredOptions {
  readonly fsync?: boolean;
  readonly targetBytes?: number;
  readonly maxObject?: number;
  readonly rewriteBelowLive?: number;
  readonly maxPacks?: number;
  /** pack live loose objects of at most maxObject bytes (default true) */
  readonly packLoose?: boolean;
  /** stop choosing more work once this many bytes are planned (auto-pack) */
  readonly maxRewriteBytes?: number;
  /** count and choose, change nothing */
  readonly dryRun?: boolean;
  /** called before the first new pack is published (the store writes FORMAT 2) */
  readonly beforePublish?: () => void;
  /** packs to rewrite whatever their live share (fsck: a pack with a corrupt entry) */
  readonly alsoRewrite?: ReadonlySet<string>;
}

export interface RepackResult {
  /** packs replaced (retired) */
  readonly packsRewritten: number;
  /** new packs sealed */
  readonly packsWritten: number;
  /** live entries copied into new packs */
  readonly entriesPacked: number;
  /** loose objects moved into packs (unlinked) */
  readonly loosePacked: number;
  /** dead or corrupt packed entries left out */
  readonly entriesDropped: number;
  /** bytes of dead packed entries left out */
  readonly droppedBytes: number;
  /** packs whose index could not be read (left alone; fsck reports them) */
  readonly unreadable: number;
  /** retired packs deleted now; waiting ones are deleted by a later gc */
  readonly retiredDeleted: number;
  readonly retiredWaiting: number;
  readonly retiredFreedBytes: number;
}

export type IsLive = (kind: PackEntryKind, hex: string) => boolean;

interface PackPlan {
  readonly name: string;
  readonly file: string;
  readonly entries: readonly LocalPackEntry[];
  readonly size: number;
  readonly liveBytes: number;
  readonly bad: boolean;
}

interface Loose {
  readonly kind: PackEntryKind;
  readonly hex: string;
  readonly path: string;
  readonly size: number;
}

/**
 * Repack the store at `storeDir`: `isLive` says which entries to keep (gc's
 * mark; fsck passes "everything not bad"). A live entry is never dropped: it
 * is either left where it is or copied, verified, into a new pack that is
 * durable and visible before its old place is retired or unlinked.
 */
export function repackStore(storeDir: string, isLive: IsLive, o: RepackOptions = {}): RepackResult {
  const packsDir = join(storeDir, PACKS_DIR);
  const fsync = o.fsync ?? true;
  if (!o.dryRun) {
    // what killed writers left: pid-named temps (a dead pid's only; a live writer's are its own), half-done retirements
    for (const n of safeReaddir(packsDir)) if (parseTempName(n)) removeIfAbandoned(join(packsDir, n));
    finishRetirements(storeDir, { fsync });
  }
  const bad = readBad(packsDir);
  const packs: PackPlan[] = [];
  let unreadable = 0;
  for (const p of listPacks(packsDir)) {
    try {
      packs.push(planPack(p, isLive, bad));
    } catch {
      // an index that cannot be read: its pack cannot be located entry by entry; fsck reports and retires it, gc leaves it
      unreadable++;
    }
  }
  const rewriteBelow = o.rewriteBelowLive ?? REWRITE_BELOW_LIVE;
  const budget = o.maxRewriteBytes ?? Infinity;
  let planned = 0;
  const chosen = new Set<string>();
  const choose = (p: PackPlan): boolean => {
    if (chosen.has(p.name)) return true;
    if (planned + p.liveBytes > budget && chosen.size > 0) return false;
    chosen.add(p.name);
    planned += p.liveBytes;
    return true;
  };
  for (const p of packs) if (p.bad || o.alsoRewrite?.has(p.name) || p.liveBytes < rewriteBelow * p.size) choose(p);
  // A full pack (at the writer's target) is never merged for count: rewriting full packs makes as many full packs
  // again, and the old ones wait in retired/ (a 1M-file add's auto-pack left 1 GiB there). Only the liveness rule above rewrites one.
  const target = o.targetBytes ?? PACK_TARGET;
  const keptSizes = packs.filter((p) => !chosen.has(p.name) && p.size < target);
  for (const p of geometricRollup(keptSizes, o.maxPacks ?? GEOMETRIC_MAX_PACKS, chosen.size > 0 ? 1 : 0)) if (!choose(p)) break;
  const maxObject = o.maxObject ?? PACK_MAX_OBJECT;
  const loose: Loose[] = [];
  if (o.packLoose ?? true) {
    const noFileObjects = existsSync(join(storeDir, LINKS_MARKER));
    for (const l of listLoose(storeDir, maxObject)) {
      if (noFileObjects && l.kind === 'o') continue;
      if (!isLive(l.kind, l.hex)) continue;
      if (planned + l.size > budget && planned > 0) break;
      planned += l.size;
      loose.push(l);
    }
  }
  const rewrite = packs.filter((p) => chosen.has(p.name));
  let entriesDropped = 0;
  let droppedBytes = 0;
  for (const p of rewrite) {
    for (const e of p.entries) {
      if (!bad.has(e.hex) && isLive(e.kind, e.hex)) continue;
      entriesDropped++;
      droppedBytes += e.length;
    }
  }
  const empty = { unreadable, packsRewritten: 0, packsWritten: 0, entriesPacked: 0, loosePacked: 0, entriesDropped: 0, droppedBytes: 0, retiredDeleted: 0, retiredWaiting: 0, retiredFreedBytes: 0 };
  if (o.dryRun) return { ...empty, packsRewritten: rewrite.length, entriesPacked: rewrite.reduce((s, p) => s + p.entries.length, 0) - entriesDropped, loosePacked: loose.length, entriesDropped, droppedBytes };

  const writer = new PackWriter(packsDir, { fsync, targetBytes: o.targetBytes ?? PACK_TARGET, ...(o.beforePublish ? { beforePublish: o.beforePublish } : {}) });
  let entriesPacked = 0;
  const packedLoose: Loose[] = [];
  try {
    for (const p of rewrite) {
      const fd = openSync(p.file, 'r');
      try {
        for (const e of [...p.entries].sort((a, b) => a.offset - b.offset)) {
          if (bad.has(e.hex) || !isLive(e.kind, e.hex) || writer.has(e.kind, e.hex)) continue;
          const bytes = preadExact(fd, e.offset, e.length);
          if (sha256(bytes) !== e.digest) {
            // found corrupt on the way: left out and listed, as fsck would (a live copy elsewhere, or a fetch, restores it)
            bad.add(e.hex);
            entriesDropped++;
            continue;
          }
          writer.append(e.kind, e.hex, bytes);
          entriesPacked++;
        }
      } finally {
        closeSync(fd);
      }
    }
    for (const l of loose) {
      if (writer.has(l.kind, l.hex)) {
        packedLoose.push(l);
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = readFileSync(l.path);
      } catch {
        // removed meanwhile (a quarantine by a reader): nothing to pack, and nothing of ours to unlink
        continue;
      }
      if (!verifyLoose(l, bytes)) continue; // corrupt: left loose for fsck to report and remove, never packed
      writer.append(l.kind, l.hex, bytes);
      packedLoose.push(l);
      entriesPacked++;
    }
  } catch (err) {
    writer.abort();
    throw err;
  }
  // Durable and visible: sealed and packs/ synced. Only now may old places go.
  const sealed = writer.finish();
  const sealedNames = new Set(sealed.map((s) => s.name));
  const retire = rewrite.map((p) => p.name).filter((n) => !sealedNames.has(n));
  retirePacks(storeDir, retire, { fsync });
  const touched = new Set<string>();
  for (const l of packedLoose) {
    try {
      unlinkSync(l.path);
      touched.add(join(l.path, '..'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  syncDirsSync(touched, { fsync });
  writeBad(packsDir, bad, listPacks(packsDir));
  const del = deleteRetired(storeDir, o);
  return {
    unreadable,
    packsRewritten: retire.length,
    packsWritten: sealed.length,
    entriesPacked,
    loosePacked: packedLoose.length,
    entriesDropped,
    droppedBytes,
    retiredDeleted: del.deleted.length,
    retiredWaiting: del.waiting.length,
    retiredFreedBytes: del.freedBytes,
  };
}

/** The published packs: `<name>.tidx` with its `.pack`. */
export function listPacks(packsDir: string): { name: string; file: string; index: string }[] {
  let names: string[];
  try {
    names = readdirSync(packsDir);
  } catch {
    // no packs directory: a loose-only store
    return [];
  }
  const present = new Set(names);
  return names
    .filter((n) => n.endsWith(INDEX_EXT) && /^[0-9a-f]{64}\.tidx$/.test(n) && present.has(n.slice(0, -INDEX_EXT.length) + PACK_EXT))
    .map((n) => {
      const name = n.slice(0, -INDEX_EXT.length);
      return { name, file: join(packsDir, name + PACK_EXT), index: join(packsDir, n) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Packs to merge so that, sorted by size, each remaining pack is at least
 * twice the sum of all smaller ones (git's `--geometric=2`). Only past
 * `maxPacks` (counting `extra` new packs): below it, no merging.
 */
export function geometricRollup<P extends { liveBytes: number }>(packs: readonly P[], maxPacks: number, extra = 0): P[] {
  if (packs.length + extra <= maxPacks) return [];
  const s = [...packs].sort((a, b) => a.liveBytes - b.liveBytes);
  // from the largest down, the longest run where each pack is at least twice the next smaller one
  let i = s.length - 1;
  while (i > 0 && s[i]!.liveBytes >= 2 * s[i - 1]!.liveBytes) i--;
  // everything at or below the break is merged; the merged pack may then break the run above it: take those too
  let split = i + 1;
  let rolled = s.slice(0, split).reduce((sum, p) => sum + p.liveBytes, 0);
  while (split < s.length && s[split]!.liveBytes < 2 * rolled) rolled += s[split++]!.liveBytes;
  return split >= 2 ? s.slice(0, split) : [];
}

function planPack(p: { name: string; file: string; index: string }, isLive: IsLive, bad: ReadonlySet<string>): PackPlan {
  const index = parseLocalPackIndex(readFileSync(p.index), p.index);
  let liveBytes = 0;
  let hasBad = false;
  for (const e of index.entries) {
    if (bad.has(e.hex)) hasBad = true;
    else if (isLive(e.kind, e.hex)) liveBytes += e.length;
  }
  return { name: p.name, file: p.file, entries: index.entries, size: index.packSize, liveBytes, bad: hasBad };
}

/** Loose objects and chunk lists of at most `maxObject` bytes with one link (a hardlinked object is a work-tree file too: unlinking it frees nothing). */
function* listLoose(storeDir: string, maxObject: number): Generator<Loose> {
  for (const [kind, sub] of [['o', 'objects'], ['f', 'files']] as const) {
    const base = join(storeDir, sub, 'sha256');
    for (const fan of safeReaddir(base).sort()) {
      if (!/^[0-9a-f]{2}$/.test(fan)) continue;
      for (const rest of safeReaddir(join(base, fan)).sort()) {
        if (!/^[0-9a-f]{62}$/.test(rest)) continue;
        const path = join(base, fan, rest);
        let st;
        try {
          st = lstatSync(path);
        } catch {
          // removed meanwhile: nothing to pack
          continue;
        }
        if (!st.isFile() || st.size > maxObject || st.nlink !== 1) continue;
        yield { kind, hex: fan + rest, path, size: st.size };
      }
    }
  }
}

function verifyLoose(l: Loose, bytes: Buffer): boolean {
  if (l.kind === 'o') return sha256(bytes) === l.hex;
  try {
    parseChunkList(bytes.toString('utf8'), l.path);
    return true;
  } catch {
    // an unreadable chunk list stays loose: fsck reports it, and packing it would hide it
    return false;
  }
}

function readBad(packsDir: string): Set<string> {
  const out = new Set<string>();
  try {
    for (const line of readFileSync(join(packsDir, BAD_LIST), 'utf8').split('\n')) if (/^[0-9a-f]{64}$/.test(line)) out.add(line);
  } catch {
    // no bad list: no packed entry is known to be corrupt
  }
  return out;
}

/** Keep in `packs/bad` only what a published pack still holds: a dropped entry that comes back (fetch) must not read as absent. */
function writeBad(packsDir: string, bad: ReadonlySet<string>, packs: readonly { index: string }[]): void {
  if (bad.size === 0 && !existsSync(join(packsDir, BAD_LIST))) return;
  const still = new Set<string>();
  for (const p of packs) {
    try {
      for (const e of parseLocalPackIndex(readFileSync(p.index), p.index).entries) if (bad.has(e.hex)) still.add(e.hex);
    } catch {
      // an unreadable index may hold any of them: keep the whole list (reading as absent is the safe side)
      for (const h of bad) still.add(h);
    }
  }
  if (still.size === 0) {
    try {
      unlinkSync(join(packsDir, BAD_LIST));
    } catch {
      // already gone: the same outcome
    }
    return;
  }
  atomicWriteSync(join(packsDir, BAD_LIST), [...still].sort().map((h) => h + '\n').join(''));
}

function preadExact(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
