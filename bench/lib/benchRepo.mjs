// The shell the row scripts (experiments.mjs, registry.mjs, ui.mjs) build their
// repositories with: git and trove run synchronously in a fixed environment,
// failing loudly.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { TROVE_BIN } from './tools.mjs';

/**
 * `sh(cwd, cmd, args, input?)` runs a command with `env` and returns its stdout
 * (a string; `input`, a string or Buffer, goes to its stdin), throwing on a
 * non-zero exit; `trove(cwd, ...args)` runs TROVE_BIN; `newRepo(work, name,
 * { gitignore })` makes `work/name` a git repository on main with `trove init`
 * committed (and a .gitignore of `gitignore`, when given).
 */
export function makeShell(env) {
  function sh(cwd, cmd, args, input) {
    const r = spawnSync(cmd, args, { cwd, env, input, encoding: input === undefined || typeof input === 'string' ? 'utf8' : undefined, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${r.stderr || r.error?.message}`);
    return typeof r.stdout === 'string' ? r.stdout : String(r.stdout ?? '');
  }
  const trove = (cwd, ...args) => sh(cwd, process.execPath, [TROVE_BIN, ...args]);
  function newRepo(work, name, { gitignore } = {}) {
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    sh(dir, 'git', ['init', '-q', '-b', 'main']);
    trove(dir, 'init');
    if (gitignore !== undefined) {
      fs.writeFileSync(path.join(dir, '.gitignore'), gitignore);
      sh(dir, 'git', ['add', '-A']);
    }
    sh(dir, 'git', ['commit', '-qm', 'trove init']);
    return dir;
  }
  return { sh, trove, newRepo };
}
