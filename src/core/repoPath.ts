import { TroveError } from '../errors/index.js';

/**
 * Repository-relative paths are POSIX, normalised, never absolute, never with
 * `..`, `.` or empty components and never with NUL. Every path that comes from
 * a pointer, a manifest or the command line goes through here before it touches
 * the disk, so a hostile pointer cannot write outside the repository. No
 * component may name `.git` or `.trove` (see isReservedName), at any depth.
 */
export function checkRepoPath(path: string, source: string): string {
  const fail = (why: string): never => {
    throw new TroveError('UNSAFE_PATH', `Unsafe path "${printable(path)}" in ${source}: ${why}.`, {
      hint: 'Paths must be relative to the repository, without "..", "." or empty parts, and never inside .git or .trove.',
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
    const reserved = reservedName(part);
    if (reserved) fail(`it names ${reserved}${part === reserved ? '' : ` (as "${printable(part)}")`}, which ${reserved === '.git' ? 'Git' : 'trove'} manages itself`);
  }
  return path;
}

/**
 * Unicode code points HFS+ ignores when it compares names, so ".g\u200cit" is
 * ".git" there (Git's is_hfs_dotgit, CVE-2014-9390).
 */
const HFS_IGNORABLE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/**
 * Which of `.git` and `.trove` a path component names on some file system,
 * or undefined. Compared as Git's verify_path does (is_hfs_dotgit,
 * is_ntfs_dotgit): ASCII case-insensitively (macOS and Windows), ignoring
 * HFS+'s ignorable code points, trailing dots and spaces and an NTFS stream
 * suffix (".git.", ".git ", ".git::$INDEX_ALLOCATION" are ".git" on NTFS),
 * and the 8.3 short names "git~1" and "trove~1".
 */
export function reservedName(part: string): '.git' | '.trove' | undefined {
  let name = part.replace(HFS_IGNORABLE, '').toLowerCase();
  const colon = name.indexOf(':');
  if (colon >= 0) name = name.slice(0, colon);
  name = name.replace(/[. ]+$/, '');
  if (name === '.git' || name === 'git~1') return '.git';
  if (name === '.trove' || name === 'trove~1') return '.trove';
  return undefined;
}

export function isReservedName(part: string): boolean {
  return reservedName(part) !== undefined;
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
 * repository? The rule (docs/formats.md, "Symlinks"): the target is relative,
 * its `..` parts all come first, it climbs no higher than the repository root,
 * and no part of it names `.git` or `.trove`.
 *
 * Why `..` only at the start: a `..` climbs physically from wherever the
 * previous part led, so after a part that is itself a symlink (`l -> ..`
 * then `esc -> l/..`) it climbs from the link's target, not from where the
 * text says: resolved as text `esc` stays inside, on disk it leaves. Leading
 * `..` parts climb only through the link's own parent directories, which
 * checkout creates as real directories (see WorkTreeDirs), so the text and
 * the disk agree; the parts after them only descend.
 */
export function isContainedLinkTarget(linkPath: string, target: string): boolean {
  if (target.length === 0 || target.includes('\0') || target.includes('\\') || target.startsWith('/') || /^[A-Za-z]:/.test(target)) return false;
  const parts = linkPath.split('/').slice(0, -1);
  let descended = false;
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (descended || parts.length === 0) return false;
      parts.pop();
    } else {
      descended = true;
      parts.push(part);
    }
  }
  return !parts.some(isReservedName);
}
