import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkTreeDirs } from '../../../src/platform/WorkTreeDirs.js';
import { TroveError } from '../../../src/errors/index.js';

function withDirs(fn: (root: string, outside: string) => void): void {
  const base = mkdtempSync(join(tmpdir(), 'trove-dirs-'));
  const root = join(base, 'repo');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  try {
    fn(root, outside);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

const unsafe = (err: unknown): boolean => err instanceof TroveError && err.code === 'UNSAFE_PATH';

test('ensureParent creates missing parent directories as real directories', () => withDirs((root) => {
  const dirs = new WorkTreeDirs(root);
  assert.equal(dirs.ensureParent('a/b/c/file'), join(root, 'a/b/c/file'));
  assert.ok(lstatSync(join(root, 'a/b/c')).isDirectory());
}));

test('ensureParent refuses a symlinked parent directory and creates nothing through it', () => withDirs((root, outside) => {
  symlinkSync(outside, join(root, 'sub'));
  const dirs = new WorkTreeDirs(root);
  assert.throws(() => dirs.ensureParent('sub/deeper/file'), unsafe);
  assert.throws(() => dirs.existingParent('sub/file'), unsafe);
  assert.deepEqual(readdirSync(outside), []);
}));

test('a symlink inside the work tree is refused as a parent too (Git: "beyond a symbolic link")', () => withDirs((root) => {
  mkdirSync(join(root, 'real'));
  symlinkSync('real', join(root, 'alias'));
  assert.throws(() => new WorkTreeDirs(root).ensureParent('alias/file'), unsafe);
}));

test('existingParent creates nothing and answers undefined when a parent is missing or a file', () => withDirs((root) => {
  const dirs = new WorkTreeDirs(root);
  assert.equal(dirs.existingParent('a/b/file'), undefined);
  assert.equal(existsSync(join(root, 'a')), false);
  writeFileSync(join(root, 'f'), 'x');
  assert.equal(dirs.existingParent('f/file'), undefined);
}));

test('a directory replaced by a symlink after it was verified is refused once forgotten', () => withDirs((root, outside) => {
  const dirs = new WorkTreeDirs(root);
  dirs.ensureParent('a/b/file');
  rmSync(join(root, 'a/b'), { recursive: true });
  symlinkSync(outside, join(root, 'a/b'));
  dirs.forget('a/b');
  assert.throws(() => dirs.ensureParent('a/b/file'), unsafe);
  assert.deepEqual(readdirSync(outside), []);
}));

test('nothing is created inside .git or .trove, whatever the case', () => withDirs((root) => {
  for (const p of ['.git/hooks/x', '.GIT/x', '.Trove/x', 'a/.git./x']) assert.throws(() => new WorkTreeDirs(root).ensureParent(p), unsafe, p);
}));
