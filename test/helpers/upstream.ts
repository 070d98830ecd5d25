/** Fixtures for get / import / update: another team's repository with a directory remote. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom, runCli, runJson, type TmpRepo } from './tmpRepo.js';

/**
 * An "upstream" repository with a directory remote, as another team would
 * have it: data added, committed and pushed.
 */
export interface Upstream {
  readonly repo: TmpRepo;
  readonly remote: string;
  /** trove add + git commit (+ trove push unless told not to); returns the commit id */
  commit(files: Record<string, Buffer | string>, message: string, options?: { push?: boolean; add?: string[] }): string;
  cleanup(): void;
}

export function createUpstream(options: { remote?: boolean } = {}): Upstream {
  const repo = createTmpRepo();
  const remote = mkdtempSync(join(tmpdir(), 'trove-up-remote-'));
  if (options.remote !== false) assert.equal(runCli(repo.dir, ['remote', 'add', '-d', 'store', remote]).code, 0);
  return {
    repo,
    remote,
    commit(files, message, o = {}) {
      for (const [p, d] of Object.entries(files)) repo.write(p, d);
      const add = o.add ?? [...new Set(Object.keys(files).map((p) => (p.startsWith('data/images/') ? 'data/images' : p)))];
      const r = runCli(repo.dir, ['add', ...add]);
      assert.equal(r.code, 0, r.stderr);
      repo.git('add', '-A');
      repo.git('commit', '-q', '-m', message);
      if (o.push !== false && options.remote !== false) {
        const p = runCli(repo.dir, ['push']);
        assert.equal(p.code, 0, p.stderr);
      }
      return repo.git('rev-parse', 'HEAD').trim();
    },
    cleanup() {
      repo.cleanup();
      rmSync(remote, { recursive: true, force: true });
    },
  };
}

/** A standard upstream: a file, a tracked directory with a sub-folder, v1 tagged, then v2 on main. */
export function seededUpstream(): { up: Upstream; v1: string; v2: string; x1: Buffer; x2: Buffer } {
  const up = createUpstream();
  const x1 = pseudoRandom(300_000, 11);
  const x2 = pseudoRandom(310_000, 12);
  const v1 = up.commit(
    {
      'data/x.bin': x1,
      'data/images/a.bin': pseudoRandom(20_000, 1),
      'data/images/b.bin': pseudoRandom(21_000, 2),
      'data/images/sub/c.bin': pseudoRandom(22_000, 3),
      'data/images/sub/d.bin': pseudoRandom(23_000, 4),
    },
    'data v1',
  );
  up.repo.git('tag', 'v1');
  const v2 = up.commit({ 'data/x.bin': x2 }, 'data v2');
  return { up, v1, v2, x1, x2 };
}

export function inTmp(fn: (dir: string) => void): () => void {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-get-cwd-'));
    try {
      fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** A failure is one JSON error with a stable code, a one-sentence message and a hint; in text mode `error:` and `hint:` lines. */
export function assertFails(cwd: string, args: string[], code: string, exit: number): any {
  const r = runJson(cwd, args);
  assert.equal(r.code, exit, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.error?.code, code, r.stderr);
  assert.match(r.error.message, /^[^\n]+\.$/, 'one sentence');
  assert.ok(r.error.hint && r.error.hint.length > 10, 'a hint');
  const text = runCli(cwd, args);
  assert.equal(text.code, exit);
  assert.match(text.stderr, /^error: .+\nhint: .+\n$/);
  return r.error;
}
