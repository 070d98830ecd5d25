import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverWorkTree } from '../../src/platform/discoverWorkTree.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const CLEAN_ENV = {};

function sandbox(fn: (dir: string) => void): () => void {
  return () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'trove-discover-')));
    try {
      fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('discoverWorkTree gives the same work tree as git rev-parse --show-toplevel: root, a subdirectory, a symlinked cwd, a nested repository', sandbox((dir) => {
  const outer = join(dir, 'outer');
  mkdirSync(join(outer, 'a', 'b'), { recursive: true });
  git(outer, 'init', '-q');
  const inner = join(outer, 'a', 'inner');
  mkdirSync(join(inner, 'deep'), { recursive: true });
  git(inner, 'init', '-q');
  symlinkSync(join(outer, 'a'), join(dir, 'link'));
  for (const cwd of [outer, join(outer, 'a', 'b'), join(dir, 'link', 'b'), join(inner, 'deep'), join(dir, 'link', 'inner')]) {
    assert.equal(discoverWorkTree(cwd, CLEAN_ENV), git(cwd, 'rev-parse', '--show-toplevel'), cwd);
  }
}));

test('discoverWorkTree leaves to Git what only Git can answer: a worktree\'s .git file, core.worktree, a bare repository, a cwd inside .git, discovery variables', sandbox((dir) => {
  const main = join(dir, 'main');
  mkdirSync(main);
  git(main, 'init', '-q');
  git(main, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '--no-verify', '-m', 'c');
  git(main, 'worktree', 'add', '-q', join(dir, 'wt'));
  assert.equal(discoverWorkTree(join(dir, 'wt'), CLEAN_ENV), undefined, 'a .git file');
  assert.equal(discoverWorkTree(join(main, '.git'), CLEAN_ENV), undefined, 'inside .git');
  assert.equal(discoverWorkTree(join(main, '.git', 'refs'), CLEAN_ENV), undefined, 'deeper inside .git');
  assert.equal(discoverWorkTree(main, { GIT_DIR: join(main, '.git') }), undefined, 'GIT_DIR');
  assert.equal(discoverWorkTree(main, { GIT_CEILING_DIRECTORIES: dir }), undefined, 'GIT_CEILING_DIRECTORIES');
  const moved = join(dir, 'moved');
  mkdirSync(moved);
  git(moved, 'init', '-q');
  appendFileSync(join(moved, '.git', 'config'), `\tworktree = ${main}\n`);
  assert.equal(discoverWorkTree(moved, CLEAN_ENV), undefined, 'core.worktree');
  const bare = join(dir, 'bare');
  mkdirSync(join(bare, '.git'), { recursive: true });
  git(join(bare, '.git'), 'init', '-q', '--bare');
  assert.equal(discoverWorkTree(bare, CLEAN_ENV), undefined, 'bare');
  const plain = join(dir, 'plain');
  mkdirSync(plain);
  assert.notEqual(discoverWorkTree(plain, CLEAN_ENV), plain, 'a directory that is no repository is never its own work tree');
}));

test('discoverWorkTree does not vouch for a repository owned by another user (Git may refuse it for dubious ownership)', { skip: process.getuid?.() !== 0 && 'needs root to chown the repository to another uid' }, sandbox((dir) => {
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q');
  assert.equal(discoverWorkTree(repo, CLEAN_ENV), repo);
  chownSync(repo, 12345, 12345);
  assert.equal(discoverWorkTree(repo, CLEAN_ENV), undefined);
}));
