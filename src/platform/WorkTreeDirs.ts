import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import { isReservedName } from '../core/repoPath.js';

/**
 * The one place that decides whether trove may write, create, rename or
 * delete at a repository path: every parent directory of the path must be a
 * real directory of the work tree, never a symlink (to outside, or anywhere:
 * Git refuses paths "beyond a symbolic link" too), and never `.git` or
 * `.trove`. This is what keeps a hostile repository (a symlink committed in
 * Git, one left in the work tree, or one a manifest creates) from making
 * trove write outside it, the class of Git's CVE-2021-21300.
 *
 * No check-then-use gap of trove's own making: a directory is created one
 * level at a time, each level below a verified one, and lstat-ed after its
 * mkdir and before anything is written in it; files are then written as a
 * temp file renamed within that verified directory, and rename(2) replaces a
 * symlink at the final name instead of following it. Verified directories
 * are remembered for the life of this object (one command: a checkout of
 * 20,000 files in 200 directories costs 200 mkdir+lstat pairs, not an lstat
 * of every ancestor for every file), and forgotten when trove itself removes
 * a directory or puts a symlink in its place (`forget`). A process racing
 * trove inside the work tree could still swap a directory for a symlink
 * after the check; it needs write access to the work tree, where it can do
 * worse anyway.
 */
export class WorkTreeDirs {
  /** repository paths ('' = the root) known to be real directories */
  private readonly verified = new Set<string>(['']);

  constructor(readonly root: string) {}

  /** Absolute path of `repoPath`, after creating and verifying each of its parent directories. */
  ensureParent(repoPath: string, what = repoPath): string {
    this.ensureDir(parentOf(repoPath), what);
    return this.abs(repoPath);
  }

  /** Create (if needed) and verify directory `dir` and its parents. */
  ensureDir(dir: string, what = dir): void {
    if (this.verified.has(dir)) return;
    this.ensureDir(parentOf(dir), what);
    const abs = this.abs(dir);
    checkName(dir, what);
    try {
      mkdirSync(abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (this.inspect(dir, what) !== 'dir') throw notADirectory(abs);
    this.verified.add(dir);
  }

  /**
   * Absolute path of `repoPath` when each of its parent directories exists
   * as a real directory; undefined when one is missing or is a file (then
   * there is nothing at `repoPath` to read or delete). A symlink among them
   * is an UNSAFE_PATH error. Creates nothing.
   */
  existingParent(repoPath: string, what = repoPath): string | undefined {
    return this.existingDir(parentOf(repoPath), what) ? this.abs(repoPath) : undefined;
  }

  private existingDir(dir: string, what: string): boolean {
    if (this.verified.has(dir)) return true;
    if (!this.existingDir(parentOf(dir), what)) return false;
    checkName(dir, what);
    if (this.inspect(dir, what) !== 'dir') return false;
    this.verified.add(dir);
    return true;
  }

  /**
   * trove removed `repoPath` or put a symlink there: what was verified at or
   * below it no longer holds. Cheap when `repoPath` was never a verified
   * directory (a file): its descendants cannot have been verified either.
   */
  forget(repoPath: string): void {
    if (!this.verified.has(repoPath)) return;
    const prefix = repoPath + '/';
    for (const d of this.verified) if (d === repoPath || d.startsWith(prefix)) this.verified.delete(d);
  }

  abs(repoPath: string): string {
    return repoPath === '' ? this.root : join(this.root, ...repoPath.split('/'));
  }

  /** What is at `dir`: a real directory, nothing or something else; a symlink throws. */
  private inspect(dir: string, what: string): 'dir' | 'missing' | 'other' {
    const abs = this.abs(dir);
    let st;
    try {
      st = lstatSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
      throw err;
    }
    if (st.isSymbolicLink()) throw symlinkedParent(dir, what, abs);
    return st.isDirectory() ? 'dir' : 'other';
  }
}

function parentOf(repoPath: string): string {
  const slash = repoPath.lastIndexOf('/');
  return slash < 0 ? '' : repoPath.slice(0, slash);
}

/** Belt and braces: callers pass checked paths, but nothing may ever be created inside .git or .trove. */
function checkName(dir: string, what: string): void {
  const name = dir.slice(dir.lastIndexOf('/') + 1);
  if (isReservedName(name)) {
    throw new TroveError('UNSAFE_PATH', `Refusing to write ${what}: ${dir} is inside .git or .trove, which trove never writes into for a tracked path.`, {
      hint: 'This repository may be hostile: check the pointer files and manifests that name this path (git log -p).',
      data: { path: what, dir },
    });
  }
}

function symlinkedParent(dir: string, what: string, abs: string): TroveError {
  let target = '';
  try {
    target = readlinkSync(abs);
  } catch {
    /* gone meanwhile: still refused */
  }
  return new TroveError('UNSAFE_PATH', `Refusing to touch ${what}: its parent directory ${dir} is a symbolic link${target ? ` (to ${target})` : ''}, and trove never reads or writes tracked data through one.`, {
    hint: `If ${dir} should hold the data, replace the link by a real directory (rm ${dir} && mkdir ${dir}) and run the command again; a repository that ships such a link may be hostile.`,
    data: { path: what, dir, ...(target ? { target } : {}) },
  });
}

function notADirectory(abs: string): Error {
  return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${abs}'`), { code: 'ENOTDIR', path: abs });
}
