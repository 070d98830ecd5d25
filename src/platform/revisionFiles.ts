import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ParamsParsers } from '../core/paramsFile.js';
import type { Git } from './git.js';
import { yamlLib } from './yamlLib.js';

type SmolToml = typeof import('smol-toml');
let toml: SmolToml | undefined;

/**
 * The parsers params files need, loaded on first use (like yamlLib: most
 * commands never read TOML). TOML is smol-toml (docs/decisions.md): TOML 1.0,
 * no dependencies; integers past 2^53 come back as bigint rather than failing.
 */
export function paramsParsers(): ParamsParsers {
  return {
    // `<<:` merge keys: YAML 1.1's, still common in params files that share defaults through anchors.
    yaml: (text) => yamlLib().parse(text, { merge: true }),
    toml: (text) => {
      toml ??= createRequire(import.meta.url)('smol-toml') as SmolToml;
      return toml.parse(text, { integersAsBigInt: 'asNeeded' });
    },
  };
}

/**
 * A file's bytes as committed in `commit` (a full id), or null when the
 * revision has no file at that path (absent, or a directory there). One
 * `git cat-file` per file: these are a handful of small files per command.
 */
export async function readFileAtCommit(git: Git, commit: string, path: string): Promise<Buffer | null> {
  const type = await git.run(['cat-file', '-t', `${commit}:${path}`], { allowFail: true });
  if (type.code !== 0 || type.stdout.toString('utf8').trim() !== 'blob') return null;
  const res = await git.run(['cat-file', 'blob', `${commit}:${path}`]);
  return res.stdout;
}

/** A file's bytes in the work tree, or null when it is absent. Other errors (a directory, no permission) are thrown. */
export async function readWorkTreeFile(root: string, path: string): Promise<Buffer | null> {
  try {
    return await readFile(join(root, path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}
