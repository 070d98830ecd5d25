import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, runCli, runJson, unpackStore } from '../helpers/tmpRepo.js';

function twoVersions() {
  const repo = createTmpRepo();
  repo.write('data/keep.csv', 'same');
  repo.write('data/change.csv', 'old');
  repo.write('data/drop.csv', 'bye');
  repo.write('model.bin', 'm1');
  runCli(repo.dir, ['add', 'data', 'model.bin']);
  repo.git('commit', '-qm', 'v1');
  repo.write('data/change.csv', 'newer!');
  repo.write('data/sub/added.csv', 'hello');
  rmSync(join(repo.dir, 'data/drop.csv'));
  return repo;
}

test('status lists added, modified and deleted files of a directory, and reads no unchanged file', () => {
  const repo = twoVersions();
  try {
    const r = runJson(repo.dir, ['status']).result;
    const data = r.artifacts.find((a: { path: string }) => a.path === 'data');
    assert.equal(data.state, 'modified');
    assert.deepEqual(data.changes.added, [{ path: 'sub/added.csv', size: 5 }]);
    assert.deepEqual(data.changes.modified, [{ path: 'change.csv', oldSize: 3, newSize: 6 }]);
    assert.deepEqual(data.changes.deleted, [{ path: 'drop.csv', size: 3 }]);
    assert.equal(r.artifacts.find((a: { path: string }) => a.path === 'model.bin').state, 'unchanged');
    // Second run: only the files whose stat changed since the last read are read again (none now).
    assert.equal(runJson(repo.dir, ['status']).result.hashed, 0);
    const text = runCli(repo.dir, ['status']);
    assert.match(text.stdout, /modified {2}data\/\n {4}added: {4}data\/sub\/added\.csv/);
    assert.equal(runCli(repo.dir, ['status', '--exit-code']).code, 1);
  } finally {
    repo.cleanup();
  }
});

test('a stale stat-cache entry is a miss, never an error: touching a file re-reads it and finds it unchanged', () => {
  const repo = twoVersions();
  try {
    utimesSync(join(repo.dir, 'model.bin'), new Date(), new Date(Date.now() + 5000));
    const r = runJson(repo.dir, ['status', 'model.bin']).result;
    assert.equal(r.hashed, 1);
    assert.equal(r.artifacts[0].state, 'unchanged');
    writeFileSync(join(repo.dir, '.trove/tmp/statcache.json'), '{not json');
    assert.equal(runJson(repo.dir, ['status', 'model.bin']).result.artifacts[0].state, 'unchanged');
  } finally {
    repo.cleanup();
  }
});

test('diff between two revisions shows file-level changes with sizes', () => {
  const repo = twoVersions();
  try {
    runCli(repo.dir, ['add', 'data']);
    repo.git('commit', '-qm', 'v2');
    const r = runJson(repo.dir, ['diff', 'HEAD~1', 'HEAD']).result;
    assert.equal(r.artifacts.length, 1);
    const d = r.artifacts[0];
    assert.equal(d.path, 'data');
    assert.equal(d.change, 'modified');
    assert.deepEqual(d.files.added, [{ path: 'sub/added.csv', size: 5 }]);
    assert.deepEqual(d.files.deleted, [{ path: 'drop.csv', size: 3 }]);
    assert.deepEqual(d.files.modified, [{ path: 'change.csv', oldSize: 3, newSize: 6 }]);
    assert.equal(runJson(repo.dir, ['diff']).result.artifacts.length, 0, 'work tree matches HEAD');
    const text = runCli(repo.dir, ['diff', 'HEAD~1']).stdout;
    assert.match(text, /\+ data\/sub\/added\.csv \(5 B\)/);
  } finally {
    repo.cleanup();
  }
});

test('diff against the work tree sees uncommitted data changes and added or removed artifacts', () => {
  const repo = twoVersions();
  try {
    repo.write('new.bin', 'n');
    runCli(repo.dir, ['add', 'new.bin']);
    const r = runJson(repo.dir, ['diff']).result;
    assert.deepEqual(r.artifacts.map((a: { path: string; change: string }) => [a.path, a.change]), [['data', 'modified'], ['new.bin', 'added']]);
  } finally {
    repo.cleanup();
  }
});

test('ls lists artifacts and the files of a directory at any revision', () => {
  const repo = twoVersions();
  try {
    const arts = runJson(repo.dir, ['ls']).result.artifacts;
    assert.deepEqual(arts.map((a: { path: string; kind: string }) => [a.path, a.kind]), [['data', 'dir'], ['model.bin', 'file']]);
    runCli(repo.dir, ['add', 'data']);
    repo.git('commit', '-qm', 'v2');
    const old = runJson(repo.dir, ['ls', '--rev', 'HEAD~1', 'data']).result.files;
    assert.deepEqual(old.map((f: { path: string }) => f.path), ['data/change.csv', 'data/drop.csv', 'data/keep.csv']);
    assert.equal(runJson(repo.dir, ['ls', 'nothing-here']).error.code, 'NOT_TRACKED');
  } finally {
    repo.cleanup();
  }
});

test('mv moves data, pointer and .gitignore entries together', () => {
  const repo = twoVersions();
  try {
    runCli(repo.dir, ['add', 'data']);
    repo.git('commit', '-qm', 'v2');
    const r = runJson(repo.dir, ['mv', 'data', 'datasets/iris']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(repo.dir, 'datasets/iris/keep.csv'), 'utf8'), 'same');
    assert.equal(readFileSync(join(repo.dir, 'datasets/.gitignore'), 'utf8'), '/iris\n');
    assert.doesNotMatch(readFileSync(join(repo.dir, '.gitignore'), 'utf8'), /^\/data$/m);
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
    const staged = repo.git('status', '--porcelain').trim().split('\n').sort();
    assert.ok(staged.includes('R  data.trove -> datasets/iris.trove'), staged.join('|'));
    assert.equal(runJson(repo.dir, ['mv', 'model.bin', 'datasets/iris/m.bin']).error.code, 'USAGE');
  } finally {
    repo.cleanup();
  }
});

test('rm stops tracking and keeps the data; rm --delete refuses to drop content the store lacks', () => {
  const repo = twoVersions();
  try {
    assert.equal(runJson(repo.dir, ['rm', 'model.bin']).code, 0);
    assert.equal(readFileSync(join(repo.dir, 'model.bin'), 'utf8'), 'm1');
    assert.doesNotMatch(readFileSync(join(repo.dir, '.gitignore'), 'utf8'), /model\.bin/);
    const refused = runJson(repo.dir, ['rm', '--delete', 'data']);
    assert.equal(refused.error.code, 'DIRTY');
    assert.equal(readFileSync(join(repo.dir, 'data/change.csv'), 'utf8'), 'newer!');
    runCli(repo.dir, ['add', 'data']);
    assert.equal(runJson(repo.dir, ['rm', '--delete', 'data']).code, 0);
    assert.deepEqual(runJson(repo.dir, ['ls']).result.artifacts, []);
  } finally {
    repo.cleanup();
  }
});

test('diff REV REV -- PATH limits the diff to PATH, reading the paths main() was given rather than process.argv', () => {
  const repo = twoVersions();
  try {
    repo.write('model.bin', 'm2');
    runCli(repo.dir, ['add', 'data', 'model.bin']);
    repo.git('commit', '-qm', 'v2');
    const all = runJson(repo.dir, ['diff', 'HEAD~1', 'HEAD']).result.artifacts.map((a: { path: string }) => a.path);
    assert.deepEqual(all, ['data', 'model.bin']);
    const one = runJson(repo.dir, ['diff', 'HEAD~1', 'HEAD', '--', 'model.bin']).result.artifacts.map((a: { path: string }) => a.path);
    assert.deepEqual(one, ['model.bin']);
  } finally {
    repo.cleanup();
  }
});

test('counts are pluralised in text output ("1 file", not "1 files")', () => {
  const repo = createTmpRepo();
  try {
    repo.write('d/only.csv', 'x');
    assert.match(runCli(repo.dir, ['add', 'd']).stdout, /\(1 file, 1 B/);
  } finally {
    repo.cleanup();
  }
});

test('the remembered directory scan never hides a change: an edit after a fast no-change status is seen', () => {
  const repo = createTmpRepo();
  try {
    for (let i = 0; i < 50; i++) repo.write(`d/f${i}.csv`, `row ${i}`);
    runCli(repo.dir, ['add', 'd']);
    const past = new Date(Date.now() - 60_000);
    for (let i = 0; i < 50; i++) utimesSync(join(repo.dir, `d/f${i}.csv`), past, past);
    runCli(repo.dir, ['add', 'd']); // records the scan signature, now that no mtime is racy
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
    repo.write('d/f7.csv', 'ROW 7');
    const r = runJson(repo.dir, ['status']).result.artifacts[0];
    assert.equal(r.state, 'modified');
    assert.deepEqual(r.changes.modified.map((m: { path: string }) => m.path), ['f7.csv']);
  } finally {
    repo.cleanup();
  }
});

test('a directory version remembered as complete in the store is reported incomplete again once fsck removes one of its objects', () => {
  const repo = createTmpRepo();
  try {
    repo.write('d/a.csv', 'alpha');
    repo.write('d/b.csv', 'beta');
    runCli(repo.dir, ['add', 'd']);
    assert.equal(runJson(repo.dir, ['status']).result.artifacts[0].inCache, true);
    const b = runJson(repo.dir, ['ls', 'd']).result.files[1].oid.slice(7);
    unpackStore(join(repo.dir, '.trove/cache'));
    const obj = join(repo.dir, '.trove/cache/objects/sha256', b.slice(0, 2), b.slice(2));
    chmodSync(obj, 0o644);
    writeFileSync(obj, 'bet@');
    assert.equal(runCli(repo.dir, ['fsck']).code, 1);
    assert.equal(runJson(repo.dir, ['status']).result.artifacts[0].inCache, false);
  } finally {
    repo.cleanup();
  }
});
