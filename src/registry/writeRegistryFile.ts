import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import { atomicWrite } from '../util/atomicWrite.js';
import { REGISTRY_DIR } from '../core/registryTypes.js';

/**
 * Write a file under .trove/registry/ (a declaration, a version record, a
 * stage file) through a temp file and rename. Each directory on the way is
 * created if missing and must be a real directory: a repository that ships
 * `.trove/registry -> elsewhere` is refused (UNSAFE_PATH), never written
 * through. `path` is repository-relative and starts with .trove/registry/.
 */
export async function writeRegistryFile(root: string, path: string, text: string): Promise<void> {
  if (!path.startsWith(REGISTRY_DIR + '/') || path.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new TroveError('INTERNAL', `Not a registry file path: ${path}.`);
  }
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = join(root, ...parts.slice(0, i));
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const st = lstatSync(dir);
    if (st.isSymbolicLink() || !st.isDirectory()) {
      const rel = parts.slice(0, i).join('/');
      throw new TroveError('UNSAFE_PATH', `${rel} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; trove writes the registry only into real directories of the repository.`, {
        hint: `Replace it by a directory; a repository that ships such a link may be hostile.`,
        data: { path: rel },
      });
    }
  }
  await atomicWrite(join(root, ...parts), text);
}
