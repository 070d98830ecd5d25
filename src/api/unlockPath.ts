import { copyFileSync, chmodSync, lstatSync, readdirSync, renameSync, rmSync, constants } from 'node:fs';
import { join } from 'node:path';
import { TroveError, fromFsError } from '../errors/index.js';
import { WorkTreeDirs } from '../platform/WorkTreeDirs.js';
import { tempPathFor } from '../util/atomicWrite.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import { toRepoPath, withLock, type Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export interface UnlockOptions {
  /** files (or directories: every file under them) of flexible entities, relative to the cwd */
  readonly paths: readonly string[];
}

export interface UnlockResult {
  /** repository paths made writable */
  readonly unlocked: string[];
  readonly entities: string[];
}

/**
 * Make files of a flexible entity writable again (ml-git's `unlock`): after
 * `trove version` its files are read-only, so an edit is a deliberate step.
 * Each file becomes a private copy first: a file placed as a hard link to
 * the store must not make the stored object writable. Files of strict or
 * mutable entities, or outside any entity, are USAGE errors.
 *
 * @example
 *   await unlockPath(repo, { paths: ['dataset/imgs/mnist/0001.png'] });
 */
export async function unlockPath(repo: Repo, options: UnlockOptions): Promise<UnlockResult> {
  checkOptions('unlockPath', repo, options, { paths: 'string[]' });
  if (options.paths.length === 0) throw new TroveError('USAGE', 'Name the file to unlock.', { hint: 'trove unlock dataset/mnist/0001.png' });
  return withLock(repo, 'unlock', async () => {
    const snapshot = await loadRegistry(repo);
    const dirs = new WorkTreeDirs(repo.root);
    const unlocked: string[] = [];
    const entities = new Set<string>();
    for (const input of options.paths) {
      const path = toRepoPath(repo, input);
      const entity = [...snapshot.entities.values()].find((e) => path === e.record.path || path.startsWith(e.record.path + '/'));
      if (!entity) throw new TroveError('USAGE', `${path} is not inside a registry entity's data.`, { hint: 'trove registry lists the entities and their paths.', data: { path } });
      if (entity.record.mutability !== 'flexible') {
        throw new TroveError('USAGE', `${entity.record.name} is ${entity.record.mutability}; only files of flexible entities are locked and unlocked.`, { hint: entity.record.mutability === 'mutable' ? 'Edit the file directly.' : 'A strict entity keeps its files as they were; put changed data in a new entity.', data: { path, entity: entity.record.name, mutability: entity.record.mutability } });
      }
      const abs = dirs.existingParent(path);
      let st;
      try {
        st = abs === undefined ? undefined : lstatSync(abs);
      } catch {
        // nothing (we can stat) there: treated as absent; unlocking reports its own errors
        st = undefined;
      }
      if (!abs || !st) throw new TroveError('NOT_FOUND', `${path} does not exist.`, { hint: `Bring the data back first: trove checkout ${entity.record.name}`, data: { path } });
      const files = st.isDirectory() ? walkFiles(abs, path) : st.isFile() ? [{ abs, path }] : [];
      for (const f of files) {
        unlockFile(f.abs, f.path);
        unlocked.push(f.path);
      }
      entities.add(entity.record.name);
    }
    return { unlocked, entities: [...entities].sort() };
  });
}

function walkFiles(abs: string, path: string): { abs: string; path: string }[] {
  const out: { abs: string; path: string }[] = [];
  for (const name of readdirSync(abs).sort()) {
    const st = lstatSync(join(abs, name));
    if (st.isDirectory()) out.push(...walkFiles(join(abs, name), `${path}/${name}`));
    else if (st.isFile()) out.push({ abs: join(abs, name), path: `${path}/${name}` });
  }
  return out;
}

/** A private, writable copy in place of the file (temp + rename in the same directory). */
function unlockFile(abs: string, path: string): void {
  const st = lstatSync(abs);
  const mode = (st.mode & 0o777) | 0o200;
  const tmp = tempPathFor(abs);
  try {
    copyFileSync(abs, tmp, constants.COPYFILE_EXCL);
    chmodSync(tmp, mode);
    renameSync(tmp, abs);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw fromFsError(err, 'unlocking', path);
  }
}
