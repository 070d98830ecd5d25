import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { parseLocalPackIndex, type LocalPackIndex } from '../../core/localPackIndex.js';
import { PackSet } from './PackSet.js';
import { listPacks, repackStore } from './repack.js';
import { PACKS_DIR, retirePacks } from './retire.js';

export interface PackFsckResult {
  /** entries of readable packs */
  readonly checked: number;
  readonly bytes: number;
  /** corrupt packed entries: listed in packs/bad and left out of a rewritten pack */
  readonly corrupt: { kind: 'object' | 'chunklist'; oid: string; pack: string; reason: string }[];
  /** packs whose index could not be read: retired (their entries cannot be located) */
  readonly badPacks: { pack: string; reason: string }[];
}

/** Sequential read size of the whole-pack hash. */
const READ_BLOCK = 1024 * 1024;

/**
 * Check every published pack of the store at `storeDir`:
 * - the `.tidx` is parsed whole (magic, version, its own trailer sha256,
 *   sorted oids, entries tiling the pack); one that fails is retired and
 *   reported: without it the pack's entries cannot be located;
 * - the pack is hashed in one sequential read; equal to the index's recorded
 *   size and sha256 means every entry is good;
 * - otherwise each entry is hashed by its range, and a mismatching one is
 *   listed in `packs/bad` (it reads as absent from then on, so a fetch
 *   restores it) and reported with its pack; that pack is then rewritten
 *   without it and retired.
 */
export function verifyPacks(storeDir: string, o: { fsync?: boolean; onBytes?: (n: number) => void } = {}): PackFsckResult {
  const packsDir = join(storeDir, PACKS_DIR);
  const corrupt: PackFsckResult['corrupt'] = [];
  const badPacks: PackFsckResult['badPacks'] = [];
  const damaged = new Set<string>();
  let checked = 0;
  let bytes = 0;
  const set = new PackSet(packsDir);
  try {
    for (const p of listPacks(packsDir)) {
      let index: LocalPackIndex;
      try {
        index = parseLocalPackIndex(readFileSync(p.index), p.index);
      } catch (err) {
        badPacks.push({ pack: p.name, reason: `index unreadable (${(err as Error).message.replace(/\.$/, '')})` });
        retirePacks(storeDir, [p.name], { fsync: o.fsync ?? true });
        continue;
      }
      checked += index.entries.length;
      bytes += index.packSize;
      const fd = openSync(p.file, 'r');
      try {
        if (wholePackMatches(fd, index, o.onBytes)) continue;
        for (const e of index.entries) {
          if (set.isBad(e.hex)) continue;
          const got = hashRange(fd, e.offset, e.length);
          if (got === e.digest) continue;
          set.markBad(e.hex);
          damaged.add(p.name);
          corrupt.push({ kind: e.kind === 'o' ? 'object' : 'chunklist', oid: `sha256:${e.hex}`, pack: p.name, reason: got === undefined ? 'the pack is shorter than its index says' : 'content does not match its id' });
        }
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    set.close();
  }
  // Rewrite damaged packs without their bad entries; everything else in them is kept (isLive: all).
  if (damaged.size > 0) repackStore(storeDir, () => true, { fsync: o.fsync ?? true, alsoRewrite: damaged, packLoose: false, rewriteBelowLive: 0, maxPacks: Infinity });
  return { checked, bytes, corrupt, badPacks };
}

function wholePackMatches(fd: number, index: LocalPackIndex, onBytes?: (n: number) => void): boolean {
  if (fstatSync(fd).size !== index.packSize) return false;
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(READ_BLOCK);
  for (let at = 0; ; ) {
    const n = readSync(fd, buf, 0, buf.length, at);
    if (n === 0) break;
    h.update(buf.subarray(0, n));
    onBytes?.(n);
    at += n;
  }
  return h.digest('hex') === index.packSha256;
}

/** sha256 of `length` bytes at `offset`, or undefined when the file ends first. */
function hashRange(fd: number, offset: number, length: number): string | undefined {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) return undefined;
    done += n;
  }
  return createHash('sha256').update(buf).digest('hex');
}
