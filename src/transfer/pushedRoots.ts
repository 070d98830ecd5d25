import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteSync } from '../util/atomicWriteSync.js';

/**
 * Pushed-root markers (docs/formats.md "Pushed-root markers"): per remote,
 * per data path, the directory version whose whole closure a push found on
 * or sent to that remote. The next push of the path walks only what differs
 * from it (closure.ts, S14), so pushing one changed file of a million reads a
 * handful of pages instead of every page and store entry.
 *
 * Only a shortcut, so every doubt means "none": an unreadable or newer file,
 * markers written when the remote had a pack it no longer has (a gc -r or an
 * fsck -r, from any clone, removed it), and any gc -r that deleted or fsck -r
 * that found something here.
 */
export const PUSHED_ROOTS_VERSION = 1;
const FILE = 'pushed.json';

export interface PushedRoots {
  /** data path → root page hex of the version pushed whole */
  readonly paths: Map<string, string>;
  /**
   * The remote's packs when the markers were written. Packs are immutable and
   * named by their index, so while every one of them is still there, so is
   * everything the markers vouch for; a gc -r or fsck -r from any clone that
   * removed or rewrote one voids them all.
   */
  readonly packs: readonly string[];
}

export function readPushedRoots(cacheDir: string): PushedRoots {
  const none: PushedRoots = { paths: new Map(), packs: [] };
  try {
    const doc = JSON.parse(readFileSync(join(cacheDir, FILE), 'utf8')) as { version?: unknown; paths?: unknown; packs?: unknown };
    if (doc.version !== PUSHED_ROOTS_VERSION || typeof doc.paths !== 'object' || doc.paths === null || !Array.isArray(doc.packs)) return none;
    const packs = doc.packs.filter((n): n is string => typeof n === 'string' && /^[0-9a-f]{64}$/.test(n));
    if (packs.length !== doc.packs.length) return none;
    return { paths: new Map(Object.entries(doc.paths as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && /^[0-9a-f]{64}$/.test(e[1]))), packs };
  } catch {
    return none; // none yet, or unreadable: a whole walk is always correct
  }
}

/** The markers that still hold on a remote whose packs are `present`: all of them, or none. */
export function validPushedRoots(roots: PushedRoots, present: (pack: string) => boolean): Map<string, string> {
  return roots.packs.every(present) ? roots.paths : new Map();
}

export function writePushedRoots(cacheDir: string, roots: PushedRoots): void {
  const paths = Object.fromEntries([...roots.paths].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  try {
    atomicWriteSync(join(cacheDir, FILE), JSON.stringify({ version: PUSHED_ROOTS_VERSION, paths, packs: [...roots.packs].sort() }) + '\n');
  } catch {
    /* a shortcut only: the next push walks the whole tree */
  }
}

/** Forget every marker of a remote: what they vouched for may be gone from it. */
export function clearPushedRoots(cacheDir: string): void {
  rmSync(join(cacheDir, FILE), { force: true });
}
