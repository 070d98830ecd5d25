import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTmpRepo, runCli, runJson } from '../helpers/tmpRepo.js';

test('init outside a Git work tree fails with exit 10 and a hint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-nogit-'));
  const r = runCli(dir, ['init']);
  assert.equal(r.code, 10);
  assert.match(r.stderr, /not inside a Git work tree/);
  assert.match(r.stderr, /hint: Run git init/);
  assert.equal(r.stdout, '');
});

test('init creates a readable committed config, ignores cache and tmp, stages its files, and is idempotent', () => {
  const repo = createTmpRepo({ init: false });
  try {
    const first = runJson(repo.dir, ['init']);
    assert.equal(first.result.created, true);
    const config = readFileSync(join(repo.dir, '.trove/config.yaml'), 'utf8');
    assert.match(config, /^version: 1$/m);
    assert.match(config, /cache: cache/);
    assert.match(readFileSync(join(repo.dir, '.trove/.gitignore'), 'utf8'), /\/cache\/\n\/tmp\//);
    assert.deepEqual(repo.git('diff', '--cached', '--name-only').trim().split('\n').sort(), ['.trove/.gitignore', '.trove/config.yaml']);
    assert.equal(runJson(repo.dir, ['init']).result.created, false);
    assert.ok(existsSync(join(repo.dir, '.trove/cache')));
  } finally {
    repo.cleanup();
  }
});

const commands: string[][] = [['add', 'x'], ['status'], ['checkout'], ['diff'], ['ls'], ['mv', 'a', 'b'], ['rm', 'a'], ['gc'], ['fsck']];
for (const args of commands) {
  test(`${args[0]} before trove init gives a hint and exit 10, not a stack trace`, () => {
    const repo = createTmpRepo({ init: false });
    try {
      const r = runCli(repo.dir, args);
      assert.equal(r.code, 10, r.stderr);
      assert.match(r.stderr, /hint: Run trove init/);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
    } finally {
      repo.cleanup();
    }
  });
  test(`${args[0]} outside a Git repository gives a hint and exit 10`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-nogit-'));
    const r = runCli(dir, args);
    assert.equal(r.code, 10, r.stderr);
    assert.match(r.stderr, /hint:/);
  });
}

test('--json errors are one JSON object on stderr with code and hint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-nogit-'));
  const r = runJson(dir, ['status']);
  assert.equal(r.code, 10);
  assert.equal(r.error.code, 'NOT_A_GIT_REPO');
  assert.ok(r.error.hint);
});

test('unknown options are usage errors with exit 2', () => {
  const repo = createTmpRepo();
  try {
    const r = runCli(repo.dir, ['add', '--no-such-flag', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option/);
  } finally {
    repo.cleanup();
  }
});

test('every command has help text with examples', () => {
  for (const c of ['init', 'add', 'status', 'checkout', 'diff', 'ls', 'mv', 'rm', 'gc', 'fsck']) {
    const r = runCli(tmpdir(), [c, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:\n {2}\$ trove /, c);
  }
});
