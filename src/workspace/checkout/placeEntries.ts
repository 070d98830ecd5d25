import { lstatSync, renameSync, symlinkSync } from 'node:fs';
import { TroveError, fromFsError, isTroveError } from '../../errors/index.js';
import type { FileEntry, ManifestEntry } from '../../core/manifest.js';
import { joinRepoPath } from '../../core/repoPath.js';
import type { WorkTreeDirs } from '../../platform/WorkTreeDirs.js';
import { MATERIALIZE_POOL_MIN_FILES, materializeMany } from '../../store/materializeMany.js';
import type { LinkStrategy } from '../../store/ObjectStore.js';
import { tempPathFor } from '../../util/atomicWrite.js';
import { mapLimit } from '../../util/mapLimit.js';
import { processUmask } from '../../util/processUmask.js';
import type { Repo } from '../Repo.js';

/** The stat numbers a placed file is recorded with (stat cache row, work index row). */
export interface PlacedStat {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Write `writes` (entries of directory `root`, or the file `root` itself for
 * path '') into the work tree: many copies on worker threads, the rest (and
 * whatever the threads leave: chunked, absent or corrupt objects, errors)
 * through ObjectStore.materialize, which reports and repairs. Every write
 * goes through `dirs` (verified parents, never a symlink). `placed` hears of
 * each file written, with its stat; OBJECT_MISSING and CORRUPT_OBJECT go to
 * `problems`, any other failure is thrown. Returns how many entries were
 * written (links included).
 */
export async function placeEntries(repo: Repo, root: string, writes: readonly ManifestEntry[], strategy: LinkStrategy, problems: TroveError[], dirs: WorkTreeDirs, placed: (e: FileEntry, path: string, st: PlacedStat) => void): Promise<number> {
  const pathOf = (e: ManifestEntry): string => (e.path === '' ? root : joinRepoPath(root, e.path));
  let written = 0;
  let rest: readonly ManifestEntry[] = writes;
  if (strategy === 'copy' && writes.length >= MATERIALIZE_POOL_MIN_FILES) {
    // Many copies (a fresh clone's 20,000 files): on worker threads.
    const files = writes.filter((e): e is FileEntry => e.mode !== 'l');
    // The threads write only into directories made and verified here (they create none).
    const items = files.map((e) => {
      try {
        return { oid: e.oid, dest: dirs.ensureParent(pathOf(e)), executable: e.mode === 'x' };
      } catch (err) {
        throw fromFsError(err, 'writing', pathOf(e));
      }
    });
    const stats = await materializeMany(repo.store, items, { umask: processUmask(), onPlaced: (i) => repo.reporter.advance(files[i]!.size) });
    const done = new Set<ManifestEntry>();
    stats.forEach((st, i) => {
      if (!st) return;
      const e = files[i]!;
      placed(e, pathOf(e), st);
      done.add(e);
      written++;
    });
    rest = writes.filter((e) => !done.has(e));
  }
  await mapLimit(rest, 8, async (e) => {
    const p = pathOf(e);
    try {
      // Made (or found) once per directory per checkout: 20,000 files in 200 directories need 200 mkdirs, not 20,000.
      const dest = dirs.ensureParent(p);
      if (e.mode === 'l') {
        const tmp = tempPathFor(dest);
        symlinkSync(e.target, tmp);
        renameSync(tmp, dest);
        // A link now stands where a directory may have been verified: nothing below it is trusted any more.
        dirs.forget(p);
      } else {
        await repo.store.materialize(e.oid, dest, { what: p, strategy, executable: e.mode === 'x' });
        placed(e, p, lstatSync(dest));
      }
      written++;
      repo.reporter.advance(e.size);
    } catch (err) {
      if (isTroveError(err, 'OBJECT_MISSING') || isTroveError(err, 'CORRUPT_OBJECT')) problems.push(err);
      else throw fromFsError(err, 'writing', p);
    }
  });
  return written;
}
