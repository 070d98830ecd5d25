import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unpackStore } from './unpackStore.js';
export { unpackStore };
import { fileURLToPath } from 'node:url';

/** Path of the shipped CLI, package.json's "bin" (scripts/build-cli.mjs bundles it; tests run from dist/test/...). */
export const BIN = fileURLToPath(new URL('../../cli/trove.cjs', import.meta.url));

export interface TmpRepo {
  readonly dir: string;
  git(...args: string[]): string;
  write(path: string, data: string | Uint8Array): void;
  cleanup(): void;
}

/** A fresh Git repository in a temp dir, with an identity so commits work anywhere. */
export function createTmpRepo(options: { init?: boolean } = {}): TmpRepo {
  const dir = mkdtempSync(join(tmpdir(), 'trove-test-'));
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: '', GIT_COMMITTER_DATE: '' } });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'trove test');
  git('config', 'commit.gpgsign', 'false');
  const repo: TmpRepo = {
    dir,
    git,
    write(path, data) {
      const abs = join(dir, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, data);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (options.init !== false) {
    const r = runCli(dir, ['init']);
    if (r.code !== 0) throw new Error(`trove init failed: ${r.stderr}`);
  }
  return repo;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawn the built CLI; never throws on a non-zero exit. */
export function runCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Spawn with --json and parse stdout; asserts the envelope. */
export function runJson<T = any>(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): { code: number; result: T; stderr: string; error?: any } {
  const r = runCli(cwd, ['--json', ...args], env);
  if (r.code === 0) {
    const env1 = JSON.parse(r.stdout);
    if (env1.version !== 1 || env1.ok !== true) throw new Error(`bad envelope: ${r.stdout}`);
    return { code: 0, result: env1.result as T, stderr: r.stderr };
  }
  const lastLine = r.stderr.trim().split('\n').pop() ?? '';
  let error: any;
  try {
    error = JSON.parse(lastLine).error;
  } catch {
    error = undefined;
  }
  return { code: r.code, result: undefined as T, stderr: r.stderr, error };
}

/** Deterministic pseudo-random bytes (xorshift32), so tests are repeatable. */
export function pseudoRandom(size: number, seed = 1): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    if ((i & 3) === 0) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
    }
    buf[i] = (x >>> ((i & 3) * 8)) & 0xff;
  }
  return buf;
}


/**
 * Where the default store keeps an object (or, with sub 'files', a chunk
 * list) loose. Tests that reach into the store's files are about loose
 * objects: the store is unpacked first (unpackStore), so the path names the
 * only copy.
 */
export function objectPath(repoDir: string, oid: string, sub: 'objects' | 'files' = 'objects'): string {
  unpackStore(join(repoDir, '.trove/cache'));
  const hex = oid.replace('sha256:', '');
  return join(repoDir, `.trove/cache/${sub}/sha256`, hex.slice(0, 2), hex.slice(2));
}
