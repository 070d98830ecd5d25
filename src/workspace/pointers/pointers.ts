import { TroveError, fromFsError, isTroveError } from '../../errors/index.js';
import { dataPathFor, isPointerPath, parsePointer, pointerPathFor, serializePointer, type Pointer } from '../../core/pointer.js';
import { checkRepoPath } from '../../core/repoPath.js';
import { catBlobs, listTreeBlobs, resolveRev } from '../../platform/git.js';
import { readFileNoFollow } from '../../platform/readFileNoFollow.js';
import { WorkTreeDirs } from '../../platform/WorkTreeDirs.js';
import { atomicWrite } from '../../util/atomicWrite.js';
import { TROVE_DIR, type Repo } from '../Repo.js';

/** A tracked artifact: the data path and its pointer. */
export interface Artifact {
  /** repository-relative path of the data (file or directory) */
  readonly path: string;
  readonly pointer: Pointer;
}

/**
 * Read the work tree's pointer for data path `path`, or undefined if there is
 * none. A pointer behind a symlinked directory, or one that is itself a
 * symlink, is refused (UNSAFE_PATH), never followed. `dirs` remembers the
 * directories verified so far in this command. Throws BAD_POINTER with a hint
 * that works for this path.
 */
export function readWorkPointer(repo: Repo, path: string, dirs = new WorkTreeDirs(repo.root)): Pointer | undefined {
  const pp = pointerPathFor(path);
  const file = dirs.existingParent(pp);
  if (file === undefined) return undefined;
  const text = readPointerFile(file, pp);
  if (text === undefined) return undefined;
  try {
    return parsePointer(text, pp);
  } catch (err) {
    if (!isTroveError(err, 'BAD_POINTER') || /newer than/.test(err.message)) throw err;
    throw new TroveError('BAD_POINTER', err.message, {
      hint: `Restore it from Git with git checkout -- ${shellWord(pp)}, or record the data as it is now with trove add ${shellWord(path)}.`,
      data: { ...err.data, path },
    });
  }
}
/** Work-tree pointers found invalid by listWorkArtifacts, per opened repository: each is reported once, and never taken for "not tracked". */
const invalid = new WeakMap<Repo, Map<string, TroveError>>();

/** The invalid pointers listWorkArtifacts skipped in this repository (data path → its BAD_POINTER error). */
export function invalidWorkPointers(repo: Repo): ReadonlyMap<string, TroveError> {
  return invalid.get(repo) ?? new Map();
}

function shellWord(p: string): string {
  return /^[A-Za-z0-9._\/@%+=:,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

/** Write the pointer for `path` (through a temp file, in a verified directory); false when it already said exactly this. */
export async function writeWorkPointer(repo: Repo, path: string, pointer: Pointer, dirs = new WorkTreeDirs(repo.root)): Promise<boolean> {
  const pp = pointerPathFor(path);
  const file = dirs.ensureParent(pp);
  const text = serializePointer(pointer);
  if (readPointerFile(file, pp)?.toString('utf8') === text) return false;
  await atomicWrite(file, text);
  return true;
}

function readPointerFile(file: string, pp: string): Buffer | undefined {
  try {
    return readFileNoFollow(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new TroveError('UNSAFE_PATH', `Pointer file ${pp} is a symbolic link; trove never follows one.`, {
        hint: `Replace it by the pointer itself (git show HEAD:${pp} > ${pp}), or remove it; a repository that ships such a link may be hostile.`,
        data: { path: pp },
      });
    }
    throw fromFsError(err, 'reading pointer', pp);
  }
}

/** Pointer files in the work tree that Git tracks or would track (not ignored). */
export async function listWorkPointerPaths(repo: Repo): Promise<string[]> {
  const res = await repo.git.run(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate', '--', '*.trove']);
  const seen = new Set<string>();
  for (const p of res.stdout.toString('utf8').split('\0')) {
    if (p && isPointerPath(p) && !p.startsWith(TROVE_DIR + '/')) seen.add(p);
  }
  return [...seen].sort();
}

/** Artifacts of the work tree, optionally restricted to `paths` (data paths, or directories containing artifacts). */
export async function listWorkArtifacts(repo: Repo, paths?: readonly string[]): Promise<Artifact[]> {
  const out: Artifact[] = [];
  const dirs = new WorkTreeDirs(repo.root);
  for (const pp of await listWorkPointerPaths(repo)) {
    const path = checkRepoPath(dataPathFor(pp), pp);
    if (paths && paths.length > 0 && !paths.some((p) => matches(p, path))) continue;
    let pointer: Pointer | undefined;
    try {
      pointer = readWorkPointer(repo, path, dirs);
    } catch (err) {
      // One edited pointer must not stop the command for every other artifact; named on its own, it is the error.
      // A newer format is not garbage: this trove must not half-work on that repository.
      if (!isTroveError(err, 'BAD_POINTER') || /newer than this trove/.test(err.message) || paths?.some((p) => p === path || p === pointerPathFor(path) || p.startsWith(path + '/'))) throw err;
      const seen = invalid.get(repo) ?? new Map<string, TroveError>();
      invalid.set(repo, seen);
      if (!seen.has(path)) {
        seen.set(path, err);
        repo.reporter.warn(`${err.message} Skipped; ${err.hint}`, { code: err.code, ...err.data });
      }
      continue;
    }
    if (pointer) out.push({ path, pointer });
  }
  if (paths) requireMatches(paths, out, 'in the work tree');
  return out;
}

/** Artifacts as committed at `rev`. */
export async function listRevArtifacts(repo: Repo, rev: string, paths?: readonly string[]): Promise<Artifact[]> {
  const sha = await resolveRev(repo.git, rev);
  const blobs = (await listTreeBlobs(repo.git, sha, isPointerPath)).filter((b) => !b.path.startsWith(TROVE_DIR + '/'));
  const wanted = blobs.filter((b) => !paths || paths.length === 0 || paths.some((p) => matches(p, dataPathFor(b.path))));
  const contents = await catBlobs(repo.git, wanted.map((b) => b.blob));
  const out = wanted.map((b) => {
    const path = checkRepoPath(dataPathFor(b.path), `${rev}:${b.path}`);
    return { path, pointer: parsePointer(contents.get(b.blob) ?? '', `${b.path} at ${rev}`) };
  });
  if (paths) requireMatches(paths, out, `at revision ${rev}`);
  return out;
}

/** Does path `p` select artifact `path`: exactly, as its pointer, as a parent directory, or as a file inside it? */
export function matches(p: string, path: string): boolean {
  return covers(p, path) || p.startsWith(path + '/');
}

/** Does command-line path `p` name artifact `path` (exactly, as its pointer, or as a parent directory)? */
export function covers(p: string, path: string): boolean {
  return p === path || p === pointerPathFor(path) || path.startsWith(p + '/');
}

function requireMatches(paths: readonly string[], found: readonly Artifact[], where: string): void {
  for (const p of paths) {
    if (!found.some((a) => matches(p, a.path))) {
      throw new TroveError('NOT_TRACKED', `${p} is not tracked by trove ${where}.`, { hint: `Track it with trove add ${p}, or list what is tracked with trove ls.`, data: { path: p } });
    }
  }
}

/** The artifact containing repo path `p` (p itself, or a file inside a tracked directory). */
export function findContaining(artifacts: readonly Artifact[], p: string): Artifact | undefined {
  return artifacts.find((a) => p === a.path || p.startsWith(a.path + '/'));
}
