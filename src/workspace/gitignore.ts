import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gitPath } from '../platform/gitPaths.js';
import { TEMP_IGNORE_PATTERN } from '../util/abandonedTemps.js';
import { atomicWrite } from '../util/atomicWrite.js';
import { mkdirp } from '../util/mkdirp.js';
import { absPath, type Repo } from './Repo.js';

/**
 * Keep `/<name>` in the .gitignore of the data's own directory, as DVC does,
 * so Git never sees the data and the entry moves with the directory.
 * Returns the repository path of the .gitignore when it changed.
 */
export async function ensureIgnored(repo: Repo, dataPath: string): Promise<string | undefined> {
  const { dir, line } = split(dataPath);
  const file = join(absPath(repo, dir || '.'), '.gitignore');
  const text = readOr(file);
  const lines = text.split('\n');
  if (lines.includes(line)) return undefined;
  const prefix = text === '' || text.endsWith('\n') ? text : text + '\n';
  await atomicWrite(file, `${prefix}${line}\n`);
  return dir ? `${dir}/.gitignore` : '.gitignore';
}

/** Remove the entry `ensureIgnored` wrote. Returns the .gitignore path when it changed. */
export async function removeIgnored(repo: Repo, dataPath: string): Promise<string | undefined> {
  const { dir, line } = split(dataPath);
  const file = join(absPath(repo, dir || '.'), '.gitignore');
  const text = readOr(file);
  if (!text.split('\n').includes(line)) return undefined;
  await atomicWrite(file, text.split('\n').filter((l) => l !== line).join('\n'));
  return dir ? `${dir}/.gitignore` : '.gitignore';
}

function split(dataPath: string): { dir: string; line: string } {
  const slash = dataPath.lastIndexOf('/');
  const name = dataPath.slice(slash + 1);
  // Escape gitignore metacharacters so a file literally named "a*b" or "#x" is matched exactly.
  const escaped = name.replace(/([\\*?[\]!#])/g, '\\$1').replace(/^ | $/g, (s) => `\\${s}`);
  return { dir: slash < 0 ? '' : dataPath.slice(0, slash), line: `/${escaped}` };
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
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
  const text = readOr(file);
  if (text.split('\n').includes(pattern)) return;
  mkdirp(dirname(file));
  const prefix = text === '' || text.endsWith('\n') ? text : text + '\n';
  await atomicWrite(file, `${prefix}# ${comment}\n${pattern}\n`);
}
