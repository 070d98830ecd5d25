import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, symlinkSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, createTmpRepo, pseudoRandom, runCli, runJson } from '../helpers/tmpRepo.js';

function storeBytes(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else total += statSync(join(d, e.name)).size;
    }
  };
  walk(join(dir, '.trove/cache'));
  return total;
}

test('add of a file writes a versioned pointer, ignores the data and stages both', () => {
  const repo = createTmpRepo();
  try {
    repo.write('models/model.pt', 'weights');
    const r = runJson(repo.dir, ['add', 'models/model.pt']);
    assert.equal(r.code, 0, r.stderr);
    const pointer = readFileSync(join(repo.dir, 'models/model.pt.trove'), 'utf8');
    assert.equal(pointer, 'trove: 1\nkind: file\noid: sha256:2a8e8d5e3a1d1e8e0a2fdd1aa1b64e1d5ca2b8a1f0a0e0a3a6b0b1df4f6c5f5c\nsize: 7\n'.replace(/oid: .*\n/, `oid: ${r.result.artifacts[0].oid}\n`));
    assert.match(r.result.artifacts[0].oid, /^sha256:[0-9a-f]{64}$/);
    assert.equal(readFileSync(join(repo.dir, 'models/.gitignore'), 'utf8'), '/model.pt\n');
    assert.deepEqual(repo.git('diff', '--cached', '--name-only').trim().split('\n').sort(), ['.trove/.gitignore', '.trove/config.yaml', 'models/.gitignore', 'models/model.pt.trove']);
    assert.equal(repo.git('status', '--porcelain', '--ignored', 'models/model.pt').trim(), '!! models/model.pt');
  } finally {
    repo.cleanup();
  }
});

test('add of a directory keeps nested files, empty files, odd names, executable bits and inner symlinks', () => {
  const repo = createTmpRepo();
  try {
    repo.write('data/a/b/c.csv', '1,2\n');
    repo.write('data/empty.txt', '');
    repo.write('data/with space/ünïcødé 名前.txt', 'hi');
    repo.write('data/run.sh', '#!/bin/sh\necho hi\n');
    chmodSync(join(repo.dir, 'data/run.sh'), 0o755);
    symlinkSync('a/b/c.csv', join(repo.dir, 'data/link.csv'));
    const r = runJson(repo.dir, ['add', 'data']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.result.artifacts[0].files, 5);
    const ls = runJson(repo.dir, ['ls', 'data']).result.files as { path: string; mode: string; target?: string; size: number }[];
    assert.deepEqual(ls.map((f) => [f.path, f.mode]), [
      ['data/a/b/c.csv', 'file'],
      ['data/empty.txt', 'file'],
      ['data/link.csv', 'symlink'],
      ['data/run.sh', 'executable'],
      ['data/with space/ünïcødé 名前.txt', 'file'],
    ]);
    assert.equal(ls.find((f) => f.mode === 'symlink')!.target, 'a/b/c.csv');
  } finally {
    repo.cleanup();
  }
});

test('a symlink inside a directory that points outside the repository is refused, never followed', () => {
  const repo = createTmpRepo();
  try {
    repo.write('data/ok.csv', 'x');
    symlinkSync('/etc/passwd', join(repo.dir, 'data/evil'));
    const r = runJson(repo.dir, ['add', 'data']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'UNSAFE_PATH');
    assert.match(r.error.message, /data\/evil/);
    const r2 = runCli(repo.dir, ['add', 'data']);
    assert.match(r2.stderr, /hint:/);
  } finally {
    repo.cleanup();
  }
});

test('re-adding unchanged data reads nothing and writes nothing', () => {
  const repo = createTmpRepo();
  try {
    for (let i = 0; i < 50; i++) repo.write(`data/f${i}.bin`, pseudoRandom(1000 + i, i + 1));
    assert.equal(runJson(repo.dir, ['add', 'data']).result.artifacts[0].hashed, 50);
    const again = runJson(repo.dir, ['add', 'data']).result.artifacts[0];
    assert.equal(again.hashed, 0);
    assert.equal(again.stored, 0);
    assert.equal(again.changed, false);
  } finally {
    repo.cleanup();
  }
});

test('a directory of thousands of files is added, and changing one file stores only that file and a few manifest pages', () => {
  const repo = createTmpRepo();
  try {
    for (let d = 0; d < 30; d++) for (let f = 0; f < 100; f++) repo.write(`data/d${d}/f${f}.txt`, `file ${d}/${f}\n`);
    const first = runJson(repo.dir, ['add', 'data']).result.artifacts[0];
    assert.equal(first.files, 3000);
    repo.write('data/d7/f7.txt', 'changed\n');
    const second = runJson(repo.dir, ['add', 'data']).result.artifacts[0];
    assert.equal(second.hashed, 1);
    assert.ok(second.stored < 64 * 1024, `stored ${second.stored} bytes of metadata for a one-file change`);
  } finally {
    repo.cleanup();
  }
});

test('changing 1 MiB in the middle of a large file, or appending, adds only a few MiB to the store', () => {
  const repo = createTmpRepo();
  try {
    const size = 48 * 1024 * 1024;
    const data = pseudoRandom(size, 7);
    repo.write('big.bin', data);
    assert.equal(runCli(repo.dir, ['add', 'big.bin']).code, 0);
    const base = storeBytes(repo.dir);
    assert.ok(base >= size && base < size * 1.01, `store ${base}`);
    pseudoRandom(1024 * 1024, 99).copy(data, size / 2);
    repo.write('big.bin', data);
    assert.equal(runCli(repo.dir, ['add', 'big.bin']).code, 0);
    const grown = storeBytes(repo.dir) - base;
    assert.ok(grown <= 4 * 1024 * 1024, `in-place edit grew the store by ${grown}`);
    const appended = Buffer.concat([data, pseudoRandom(10 * 1024 * 1024, 5)]);
    repo.write('big.bin', appended);
    const before = storeBytes(repo.dir);
    assert.equal(runCli(repo.dir, ['add', 'big.bin']).code, 0);
    const grown2 = storeBytes(repo.dir) - before;
    assert.ok(grown2 <= 12 * 1024 * 1024, `append of 10 MiB grew the store by ${grown2}`);
  } finally {
    repo.cleanup();
  }
});

test('a path Git already tracks is refused with the command that fixes it', () => {
  const repo = createTmpRepo();
  try {
    repo.write('data.csv', 'x');
    repo.git('add', 'data.csv');
    const r = runCli(repo.dir, ['add', 'data.csv']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tracked by Git/);
    assert.match(r.stderr, /git rm -r --cached data.csv/);
  } finally {
    repo.cleanup();
  }
});

test('adding a missing path, or a path outside the repository, is a clear error', () => {
  const repo = createTmpRepo();
  try {
    const missing = runJson(repo.dir, ['add', 'nope.csv']);
    assert.equal(missing.error.code, 'NOT_FOUND');
    const outside = runJson(repo.dir, ['add', '../../etc/passwd']);
    assert.equal(outside.code, 2);
    assert.equal(outside.error.code, 'USAGE');
    const own = runJson(repo.dir, ['add', '.trove/config.yaml']);
    assert.equal(own.error.code, 'USAGE');
  } finally {
    repo.cleanup();
  }
});

test('a file inside a tracked directory cannot be added on its own', () => {
  const repo = createTmpRepo();
  try {
    repo.write('data/a.csv', 'a');
    runCli(repo.dir, ['add', 'data']);
    const r = runJson(repo.dir, ['add', 'data/a.csv']);
    assert.equal(r.error.code, 'ALREADY_TRACKED');
    assert.match(r.error.hint, /trove add data/);
  } finally {
    repo.cleanup();
  }
});

test('two trove add processes at once both succeed and leave a consistent repository', async () => {
  const repo = createTmpRepo();
  try {
    for (let i = 0; i < 400; i++) {
      repo.write(`a/f${i}.bin`, pseudoRandom(2000, i + 1));
      repo.write(`b/f${i}.bin`, pseudoRandom(2000, i + 1000));
    }
    const run = (p: string) =>
      new Promise<number>((resolve) => {
        const c = spawn(process.execPath, [BIN, '-q', 'add', p], { cwd: repo.dir, stdio: 'ignore' });
        c.on('close', (code) => resolve(code ?? -1));
      });
    const codes = await Promise.all([run('a'), run('b'), run('a')]);
    assert.deepEqual(codes, [0, 0, 0]);
    const st = runJson(repo.dir, ['status']).result;
    assert.equal(st.clean, true);
    assert.deepEqual(st.artifacts.map((a: { path: string }) => a.path), ['a', 'b']);
    assert.equal(runCli(repo.dir, ['fsck']).code, 0);
    assert.match(readFileSync(join(repo.dir, '.gitignore'), 'utf8'), /^\/a\n\/b\n$|^\/b\n\/a\n$/);
  } finally {
    repo.cleanup();
  }
});

test('--no-stage leaves the index alone', () => {
  const repo = createTmpRepo();
  try {
    repo.git('commit', '-qm', 'init');
    repo.write('m.bin', 'x');
    assert.equal(runCli(repo.dir, ['add', '--no-stage', 'm.bin']).code, 0);
    assert.equal(repo.git('diff', '--cached', '--name-only').trim(), '');
  } finally {
    repo.cleanup();
  }
});

