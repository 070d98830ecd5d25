import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

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
