import { rmSync } from 'node:fs';
import { TroveError } from '../errors/index.js';
import { readFileNoFollow } from '../platform/readFileNoFollow.js';
import { WorkTreeDirs } from '../platform/WorkTreeDirs.js';
import { atomicWrite } from '../util/atomicWrite.js';
import type { Repo } from './Repo.js';

/**
 * Keep `/<name>` in the .gitignore of the data's own directory, as DVC does,
 * so Git never sees the data and the entry moves with the directory.
 * Returns the repository path of the .gitignore when it changed. The
 * directory is verified (WorkTreeDirs) and a .gitignore that is a symlink is
 * refused, never read or written through (Git itself does not follow one).
 */
export async function ensureIgnored(repo: Repo, dataPath: string, dirs = new WorkTreeDirs(repo.root)): Promise<string | undefined> {
  const { dir, line } = split(dataPath);
  const rel = dir ? `${dir}/.gitignore` : '.gitignore';
  const file = dirs.ensureParent(rel, dataPath);
  const text = readOr(file, rel);
  const lines = text.split('\n');
  if (lines.includes(line)) return undefined;
  const prefix = text === '' || text.endsWith('\n') ? text : text + '\n';
  await atomicWrite(file, `${prefix}${line}\n`);
  return rel;
}

/**
 * Remove the entry `ensureIgnored` wrote; a .gitignore left empty is deleted
 * (an empty one would be staged and keep its directory alive after `trove mv`).
 * Returns the .gitignore path when it changed.
 */
export async function removeIgnored(repo: Repo, dataPath: string, dirs = new WorkTreeDirs(repo.root)): Promise<string | undefined> {
  const { dir, line } = split(dataPath);
  const rel = dir ? `${dir}/.gitignore` : '.gitignore';
  const file = dirs.existingParent(rel, dataPath);
  if (file === undefined) return undefined;
  const text = readOr(file, rel);
  if (!text.split('\n').includes(line)) return undefined;
  const rest = text.split('\n').filter((l) => l !== line).join('\n');
  if (rest.trim() === '') rmSync(file, { force: true });
  else await atomicWrite(file, rest);
  return rel;
}

function split(dataPath: string): { dir: string; line: string } {
  const slash = dataPath.lastIndexOf('/');
  const name = dataPath.slice(slash + 1);
  // Escape gitignore metacharacters so a file literally named "a*b" or "#x" is matched exactly.
  const escaped = name.replace(/([\\*?[\]!#])/g, '\\$1').replace(/^ | $/g, (s) => `\\${s}`);
  return { dir: slash < 0 ? '' : dataPath.slice(0, slash), line: `/${escaped}` };
}

function readOr(file: string, rel: string): string {
  try {
    return readFileNoFollow(file)?.toString('utf8') ?? '';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new TroveError('UNSAFE_PATH', `${rel} is a symbolic link; trove never reads or writes a .gitignore through one.`, {
        hint: `Replace it by a regular file (rm ${rel}), then run the command again.`,
        data: { path: rel },
      });
    }
    // Unreadable (a directory, no permission): as before, treat it as empty; the write below reports a real problem.
    return '';
  }
}
