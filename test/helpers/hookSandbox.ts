import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli, runJson, type CliResult } from './tmpRepo.js';
import { troveOnPath } from './troveOnPath.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * An isolated machine for hook tests: its own HOME and global Git config (so
 * `trove install --global` never touches the real one), `trove` on PATH for
 * the hooks, a bare Git origin and a directory for a trove remote.
 */
export interface HookSandbox {
  readonly base: string;
  readonly env: NodeJS.ProcessEnv;
  readonly origin: string;
  /** where a directory trove remote may live (not created) */
  readonly remote: string;
  /** run git; throws with stderr on failure */
  git(cwd: string, ...args: string[]): string;
  /** run git; never throws */
  gitRun(cwd: string, args: string[], env?: NodeJS.ProcessEnv): RunResult;
  trove(cwd: string, ...args: string[]): CliResult;
  troveJson(cwd: string, ...args: string[]): { code: number; result: any; stderr: string; error?: any };
  /** git clone the origin into base/name */
  clone(name: string): string;
  /** a fresh repository (git init) at base/name */
  init(name: string): string;
  write(path: string, data: string | Uint8Array): void;
  read(path: string): Buffer;
  cleanup(): void;
}

export function createHookSandbox(): HookSandbox {
  const base = mkdtempSync(join(tmpdir(), 'trove-hooks-'));
  const home = join(base, 'home');
  mkdirSync(home, { recursive: true });
  const { env } = troveOnPath(base, {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    NO_COLOR: '1',
    // Unreachable remotes fail at once instead of backing off for seconds.
    TROVE_RETRIES: '0',
    TROVE_RETRY_BASE_MS: '1',
  });
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  delete env.GIT_INDEX_FILE;
  const gitRun = (cwd: string, args: string[], extra: NodeJS.ProcessEnv = {}): RunResult => {
    const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...env, ...extra } });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const git = (cwd: string, ...args: string[]): string => {
    const r = gitRun(cwd, args);
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  git(base, 'config', '--global', 'user.email', 'test@example.com');
  git(base, 'config', '--global', 'user.name', 'trove test');
  git(base, 'config', '--global', 'commit.gpgsign', 'false');
  git(base, 'config', '--global', 'init.defaultBranch', 'main');
  git(base, 'config', '--global', 'advice.detachedHead', 'false');
  const origin = join(base, 'origin.git');
  git(base, 'init', '-q', '--bare', '-b', 'main', origin);
  return {
    base,
    env,
    origin,
    remote: join(base, 'remote'),
    git,
    gitRun,
    trove: (cwd, ...args) => runCli(cwd, args, env),
    troveJson: (cwd, ...args) => runJson(cwd, args, env),
    clone(name) {
      git(base, 'clone', '-q', origin, name);
      return join(base, name);
    },
    init(name) {
      git(base, 'init', '-q', '-b', 'main', name);
      return join(base, name);
    },
    write(path, data) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    },
    read: (path) => readFileSync(path),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** A test body run in a fresh sandbox, cleaned up afterwards. */
export function withSandbox(fn: (s: HookSandbox) => void): () => void {
  return () => {
    const s = createHookSandbox();
    try {
      fn(s);
    } finally {
      s.cleanup();
    }
  };
}

/** A trove repository (git init + trove init + trove install) at base/name. */
export function troveRepo(s: HookSandbox, name: string): string {
  const dir = s.init(name);
  assert.equal(s.trove(dir, 'init').code, 0);
  const r = s.trove(dir, 'install');
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

/** Write, trove add and git commit data files (paths under data/ are one directory artifact); returns the commit id. */
export function commitData(s: HookSandbox, dir: string, files: Record<string, Buffer | string>, message: string): string {
  for (const [p, d] of Object.entries(files)) s.write(join(dir, p), d);
  const tops = [...new Set(Object.keys(files).map((p) => (p.startsWith('data/') ? 'data' : p)))];
  const r = s.trove(dir, 'add', ...tops);
  assert.equal(r.code, 0, r.stderr);
  s.git(dir, 'add', '-A');
  s.git(dir, 'commit', '-q', '-m', message);
  return s.git(dir, 'rev-parse', 'HEAD').trim();
}

/** The lines of a Git command's stderr that trove's hooks wrote. */
export function trovePrefixed(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('trove:'));
}
