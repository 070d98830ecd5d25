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
 * a marker whose root page the remote no longer lists (another clone's gc -r
 * removed it), and any gc -r that deleted or fsck -r that found something here.
 */
export const PUSHED_ROOTS_VERSION = 1;
const FILE = 'pushed.json';

export type PushedRoots = Map<string, string>;

export function readPushedRoots(cacheDir: string): PushedRoots {
  try {
    const doc = JSON.parse(readFileSync(join(cacheDir, FILE), 'utf8')) as { version?: unknown; paths?: unknown };
    if (doc.version !== PUSHED_ROOTS_VERSION || typeof doc.paths !== 'object' || doc.paths === null) return new Map();
    return new Map(Object.entries(doc.paths as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && /^[0-9a-f]{64}$/.test(e[1])));
  } catch {
    return new Map(); // none yet, or unreadable: a whole walk is always correct
  }
}

export function writePushedRoots(cacheDir: string, roots: PushedRoots): void {
  const paths = Object.fromEntries([...roots].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  try {
    atomicWriteSync(join(cacheDir, FILE), JSON.stringify({ version: PUSHED_ROOTS_VERSION, paths }) + '\n');
  } catch {
    /* a shortcut only: the next push walks the whole tree */
  }
}

/** Forget every marker of a remote: what they vouched for may be gone from it. */
export function clearPushedRoots(cacheDir: string): void {
  rmSync(join(cacheDir, FILE), { force: true });
}
