import { mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TroveError, fromFsError } from '../../errors/index.js';
import type { FileEntry } from '../../core/manifest.js';
import type { Reporter } from '../../core/Reporter.js';
import type { ObjectStore } from '../../store/ObjectStore.js';
import { tempPathFor } from '../../util/atomicWrite.js';
import { mapLimit } from '../../util/mapLimit.js';
import { mkdirp } from '../../util/mkdirp.js';
import type { DataVersion } from '../pointers/upstreamArtifact.js';
import { pathExists } from '../../util/pathExists.js';

/** Refuse an existing `dest` (file, directory or symlink) unless `force`: `get` never replaces data it was not told to. */
export function checkOutputFree(dest: string, force: boolean, shown: string): void {
  if (force || !pathExists(dest)) return;
  throw new TroveError('USAGE', `${shown} already exists.`, { hint: 'Choose another name with -o OUT, or pass --force to replace it.', data: { path: shown } });
}

/**
 * Write a version as plain, independent files (copies, never links into the
 * store: they are the user's to edit). The whole file or directory is built
 * under a temp name beside `dest` and renamed into place, so `dest` is never
 * half written; an existing `dest` (with `force`) is swapped out and removed
 * only after the new one is in place.
 */
export async function writeOutput(store: ObjectStore, version: DataVersion, dest: string, options: { force: boolean; shown: string; what: string; reporter: Reporter }): Promise<void> {
  checkOutputFree(dest, options.force, options.shown);
  const tmp = tempPathFor(dest);
  const total = version.entries.reduce((s, e) => s + e.size, 0);
  options.reporter.start('Writing', total, 'bytes');
  try {
    mkdirp(dirname(dest));
    if (version.pointer.kind === 'file') {
      const e = version.entries[0] as FileEntry;
      await store.materialize(e.oid, tmp, { what: options.what, strategy: 'copy', executable: e.mode === 'x' });
      options.reporter.advance(e.size);
    } else {
      mkdirSync(tmp);
      await mapLimit(version.entries, 8, async (e) => {
        const p = join(tmp, ...e.path.split('/'));
        mkdirp(dirname(p));
        if (e.mode === 'l') symlinkSync(e.target, p);
        else await store.materialize(e.oid, p, { what: `${options.what}/${e.path}`, strategy: 'copy', executable: e.mode === 'x' });
        options.reporter.advance(e.size);
      });
    }
    swapIn(tmp, dest);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw fromFsError(err, 'writing', options.shown);
  } finally {
    options.reporter.end();
  }
}

function swapIn(tmp: string, dest: string): void {
  if (!pathExists(dest)) return renameSync(tmp, dest);
  const old = tempPathFor(dest);
  renameSync(dest, old);
  try {
    renameSync(tmp, dest);
  } catch (err) {
    renameSync(old, dest);
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
}
