import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';

/**
 * Read a file that must not be a symlink (a pointer, a .gitignore trove
 * edits): its contents, undefined when it is absent, or an error with code
 * 'ELOOP' when it is a symlink, which is never followed (a committed link
 * `data.trove -> ~/.ssh/id_rsa` must not be read, nor a link in front of a
 * .gitignore copied into the repository). O_NOFOLLOW makes open(2) itself
 * refuse the link, so there is no gap between a check and the read; where
 * the platform lacks it (Windows), lstat first.
 */
export function readFileNoFollow(abs: string): Buffer | undefined {
  let fd: number;
  try {
    if (constants.O_NOFOLLOW === undefined && lstatSync(abs).isSymbolicLink()) throw Object.assign(new Error(`ELOOP: symbolic link, open '${abs}'`), { code: 'ELOOP', path: abs });
    fd = openSync(abs, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    // BSDs answer EMLINK where Linux and macOS answer ELOOP.
    if (code === 'EMLINK') throw Object.assign(err as Error, { code: 'ELOOP' });
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`EISDIR: not a regular file, read '${abs}'`), { code: 'EISDIR', path: abs });
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
