import { TroveError } from '../errors/index.js';

/**
 * Repository-relative paths are POSIX, normalised, never absolute, never with
 * `..`, `.` or empty components and never with NUL. Every path that comes from
 * a pointer, a manifest or the command line goes through here before it touches
 * the disk, so a hostile pointer cannot write outside the repository.
 */
export function checkRepoPath(path: string, source: string): string {
  const fail = (why: string): never => {
    throw new TroveError('UNSAFE_PATH', `Unsafe path "${printable(path)}" in ${source}: ${why}.`, {
      hint: 'Paths must be relative to the repository, without "..", "." or empty parts.',
      data: { path: printable(path), source },
    });
  };
  if (path.length === 0) fail('it is empty');
  if (path.includes('\0')) fail('it contains a NUL byte');
  if (path.includes('\\')) fail('it contains a backslash');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) fail('it is absolute');
  for (const part of path.split('/')) {
    if (part === '') fail('it has an empty component');
    if (part === '.' || part === '..') fail(`it has a "${part}" component`);
  }
  if (path.split('/').includes('.git')) fail('it points into .git');
  return path;
}

function printable(path: string): string {
  return path.replace(/\0/g, '\\0').slice(0, 200);
}

/** Join repo-relative POSIX parts (both already checked). */
export function joinRepoPath(dir: string, name: string): string {
  return dir === '' || dir === '.' ? name : `${dir}/${name}`;
}

/**
 * Is a symlink with `target`, living at repo path `linkPath`, contained in the
 * repository? Absolute targets and targets that climb above the root are not.
 */
export function isContainedLinkTarget(linkPath: string, target: string): boolean {
  if (target.length === 0 || target.includes('\0') || target.startsWith('/')) return false;
  const parts = linkPath.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return false;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return !parts.includes('.git');
}
