import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite } from '../util/atomicWrite.js';
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

/**
 * Remove the entry `ensureIgnored` wrote; a .gitignore left empty is deleted
 * (an empty one would be staged and keep its directory alive after `trove mv`).
 * Returns the .gitignore path when it changed.
 */
export async function removeIgnored(repo: Repo, dataPath: string): Promise<string | undefined> {
  const { dir, line } = split(dataPath);
  const file = join(absPath(repo, dir || '.'), '.gitignore');
  const text = readOr(file);
  if (!text.split('\n').includes(line)) return undefined;
  const rest = text.split('\n').filter((l) => l !== line).join('\n');
  if (rest.trim() === '') rmSync(file, { force: true });
  else await atomicWrite(file, rest);
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
