import { rmSync } from 'node:fs';
import { TroveError } from '../../errors/index.js';
import { readFileNoFollow } from '../../platform/readFileNoFollow.js';
import { WorkTreeDirs } from '../../platform/WorkTreeDirs.js';
import { atomicWrite } from '../../util/atomicWrite.js';
import type { Repo } from '../Repo.js';
import { dirname } from 'node:path';
import { gitPath } from '../../platform/gitPaths.js';
import { TEMP_IGNORE_PATTERN } from '../../util/abandonedTemps.js';
import { mkdirp } from '../../util/mkdirp.js';

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

/**
 * Make Git ignore trove's temp files (`.<name>.tmp-<pid>-…`, see
 * util/abandonedTemps) in this clone, so a checkout killed while writing a
 * large file beside its pointer never leaves something `git add -A` would
 * commit. .git/info/exclude, not a committed .gitignore: temps belong to one
 * clone, and older repositories are covered without a commit.
 */
export function ensureTempsIgnored(repo: Repo): Promise<void> {
  return ensureExcluded(repo, TEMP_IGNORE_PATTERN, "trove's temp files (a killed checkout's leftovers; removed by the next run)");
}

/** Add `pattern` (with a comment line) to this clone's .git/info/exclude unless it is there. */
export async function ensureExcluded(repo: Repo, pattern: string, comment: string): Promise<void> {
  const file = await gitPath(repo.git, 'info/exclude');
  const text = readOr(file, 'info/exclude');
  if (text.split('\n').includes(pattern)) return;
  mkdirp(dirname(file));
  const prefix = text === '' || text.endsWith('\n') ? text : text + '\n';
  await atomicWrite(file, `${prefix}# ${comment}\n${pattern}\n`);
}
