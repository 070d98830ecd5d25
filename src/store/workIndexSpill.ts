import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from '../util/isProcessAlive.js';

/** A work index's scratch file of row blocks not yet saved (`RowBlock`s point into it). */
export interface SpillFile {
  readonly path: string;
  readonly fd: number;
  size: number;
}

/** Spill files of this process, removed at exit if save did not (a killed process leaves a `.tmp-<pid>-` file, as a killed fold does). */
const spillFiles = new Set<string>();
let spillExitHook = false;

/** Open a new spill file beside the index `file`; it is removed by dropSpillFile, or at exit. */
export function openSpillFile(file: string): SpillFile {
  mkdirSync(dirname(file), { recursive: true });
  const path = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const spill = { path, fd: openSync(path, 'w+'), size: 0 };
  // a block never spliced (an unchanged run) keeps it until save finds none outstanding, or until exit
  spillFiles.add(path);
  if (!spillExitHook) {
    spillExitHook = true;
    process.on('exit', () => {
      for (const f of spillFiles) rmSync(f, { force: true });
    });
  }
  return spill;
}

export function dropSpillFile(spill: SpillFile): void {
  try {
    closeSync(spill.fd);
  } catch {
    // a scratch descriptor: nothing to lose
  }
  rmSync(spill.path, { force: true });
  spillFiles.delete(spill.path);
}

/**
 * Remove the scratch files a killed process left beside the index `file`
 * (`<file>.tmp-<pid>-<hex>`: spill files and fold temps, up to ~120 MB for
 * a killed 1M-file add): only those whose process is gone, so a live
 * command's spill file is never touched. Returns how many were removed.
 */
export function removeAbandonedSpills(file: string): number {
  const prefix = `${basename(file)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    // no index directory yet: nothing was left in it
    return 0;
  }
  let removed = 0;
  for (const n of names) {
    const m = n.startsWith(prefix) ? /^([1-9][0-9]*)-[0-9a-f]{8}$/.exec(n.slice(prefix.length)) : null;
    if (!m || Number(m[1]) === process.pid || isProcessAlive(Number(m[1]))) continue;
    rmSync(join(dirname(file), n), { force: true });
    removed++;
  }
  return removed;
}
