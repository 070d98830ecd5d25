import { execFile } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ObjectWriteOptions } from './objectWriter.js';

// syncfs(2) for the object writer (objectWriter.ts decides when): Node has no
// binding, so coreutils' `sync -f` is run, found once on PATH by absolute path.

/**
 * From this many objects in one command, one syncfs of the store's file
 * system beats a sync per object. Measured on ext4 (docs/decisions.md):
 * spawning `sync -f` and the whole-file-system sync cost ~5-10 ms plus the
 * dirty data, while per-object fdatasyncs cost ~0.1 ms each plus a journal
 * commit per group; below a few dozen objects the per-file path is as fast
 * and touches nothing else on the disk.
 */
export const FS_SYNC_MIN_OBJECTS = 64;

/**
 * Should a batch of `objects` objects for the store at `storeDir` be made
 * durable with syncfs (ObjectBatch mode `fsWide`) instead of per-object
 * syncs? Linux only (elsewhere `sync -f` does not exist or means sync(2)),
 * and only when a `sync` command is on PATH (or a test injects one).
 */
export function useFsWideSync(objects: number, options: ObjectWriteOptions = {}): boolean {
  if (!(options.fsync ?? true) || objects < FS_SYNC_MIN_OBJECTS) return false;
  if (options.syncFileSystem) return true;
  return process.platform === 'linux' && syncCommand() !== undefined;
}

let syncPathCache: string | null | undefined;

/** Absolute path of coreutils' `sync` on PATH, looked up once (never run by bare name: cwd-relative PATH entries are skipped). */
function syncCommand(): string | undefined {
  if (syncPathCache === undefined) {
    syncPathCache = null;
    for (const d of (process.env.PATH ?? '').split(delimiter)) {
      if (!d.startsWith('/')) continue;
      const candidate = join(d, 'sync');
      try {
        nodeFs.accessSync(candidate, nodeFs.constants.X_OK);
        if (nodeFs.statSync(candidate).isFile()) {
          syncPathCache = candidate;
          break;
        }
      } catch {
        /* not here */
      }
    }
  }
  return syncPathCache ?? undefined;
}

/** syncfs(2) of the file system holding `dir`, through `sync -f` (coreutils >= 8.24; Node has no binding). Rejects if it is missing or fails. */
export function syncFileSystemCommand(dir: string): Promise<void> {
  const cmd = syncCommand();
  if (!cmd) return Promise.reject(Object.assign(new Error('no sync command on PATH'), { code: 'ENOENT' }));
  return new Promise((resolve, reject) => {
    execFile(cmd, ['-f', dir], { timeout: 10 * 60_000 }, (err) => (err ? reject(err) : resolve()));
  });
}

