import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, lstatSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom, runCli, runJson, objectPath } from '../helpers/tmpRepo.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');


test('a deleted model and a deleted directory come back byte-identical, with modes and symlinks', () => {
  const repo = createTmpRepo();
  try {
    repo.write('models/model.pt', pseudoRandom(3 * 1024 * 1024, 3));
    repo.write('data/x/y.csv', 'a,b\n');
    repo.write('data/tool.sh', '#!/bin/sh\n');
    chmodSync(join(repo.dir, 'data/tool.sh'), 0o755);
    symlinkSync('x/y.csv', join(repo.dir, 'data/latest.csv'));
    const before = sha(join(repo.dir, 'models/model.pt'));
    assert.equal(runCli(repo.dir, ['add', 'models/model.pt', 'data']).code, 0);
    repo.git('commit', '-qm', 'v1');
    rmSync(join(repo.dir, 'models/model.pt'));
    rmSync(join(repo.dir, 'data'), { recursive: true });
    const st = runJson(repo.dir, ['status']).result;
    assert.deepEqual(st.artifacts.map((a: { state: string }) => a.state), ['missing', 'missing']);
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sha(join(repo.dir, 'models/model.pt')), before);
    assert.equal(readFileSync(join(repo.dir, 'data/x/y.csv'), 'utf8'), 'a,b\n');
    assert.ok((statSync(join(repo.dir, 'data/tool.sh')).mode & 0o111) !== 0);
    assert.equal(readlinkSync(join(repo.dir, 'data/latest.csv')), 'x/y.csv');
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
  } finally {
    repo.cleanup();
  }
});

test('checkout --rev brings back an older version without moving HEAD, and removes files it did not have', () => {
  const repo = createTmpRepo();
  try {
    repo.write('data/a.csv', 'v1');
    repo.write('model.bin', 'model v1');
    runCli(repo.dir, ['add', 'data', 'model.bin']);
    repo.git('commit', '-qm', 'v1');
    repo.write('data/a.csv', 'v2');
    repo.write('data/b.csv', 'new in v2');
    repo.write('model.bin', 'model v2');
    runCli(repo.dir, ['add', 'data', 'model.bin']);
    repo.git('commit', '-qm', 'v2');
    const head = repo.git('rev-parse', 'HEAD');
    const r = runJson(repo.dir, ['checkout', '--rev', 'HEAD~1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(repo.git('rev-parse', 'HEAD'), head);
    assert.equal(readFileSync(join(repo.dir, 'data/a.csv'), 'utf8'), 'v1');
    assert.equal(existsSync(join(repo.dir, 'data/b.csv')), false);
    assert.equal(readFileSync(join(repo.dir, 'model.bin'), 'utf8'), 'model v1');
    assert.equal(runJson(repo.dir, ['status']).result.clean, true, 'pointers follow the data, so status is clean');
    assert.equal(runJson(repo.dir, ['checkout', '--rev', 'HEAD']).code, 0);
    assert.equal(readFileSync(join(repo.dir, 'data/b.csv'), 'utf8'), 'new in v2');
    assert.equal(repo.git('status', '--porcelain').trim(), '');
  } finally {
    repo.cleanup();
  }
});

test('one file inside a tracked directory can be checked out alone', () => {
  const repo = createTmpRepo();
  try {
    repo.write('data/a.csv', 'a1');
    repo.write('data/b.csv', 'b1');
    runCli(repo.dir, ['add', 'data']);
    repo.git('commit', '-qm', 'v1');
    rmSync(join(repo.dir, 'data/a.csv'));
    rmSync(join(repo.dir, 'data/b.csv'));
    assert.equal(runCli(repo.dir, ['checkout', 'data/a.csv']).code, 0);
    assert.equal(readFileSync(join(repo.dir, 'data/a.csv'), 'utf8'), 'a1');
    assert.equal(existsSync(join(repo.dir, 'data/b.csv')), false);
  } finally {
    repo.cleanup();
  }
});

test('local changes that were not added stop checkout; --force saves them in the store first', () => {
  const repo = createTmpRepo();
  try {
    repo.write('data/a.csv', 'committed');
    runCli(repo.dir, ['add', 'data']);
    repo.git('commit', '-qm', 'v1');
    repo.write('data/a.csv', 'precious unsaved work');
    repo.write('data/new.csv', 'also unsaved');
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'DIRTY');
    assert.deepEqual(r.error.data.paths.sort(), ['data/a.csv', 'data/new.csv']);
    assert.equal(readFileSync(join(repo.dir, 'data/a.csv'), 'utf8'), 'precious unsaved work', 'nothing was touched');
    const f = runJson(repo.dir, ['checkout', '--force']);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(readFileSync(join(repo.dir, 'data/a.csv'), 'utf8'), 'committed');
    assert.equal(existsSync(join(repo.dir, 'data/new.csv')), false);
    const saved = f.result.saved.find((s: { path: string }) => s.path === 'data/a.csv');
    assert.equal(readFileSync(objectPath(repo.dir, saved.oid), 'utf8'), 'precious unsaved work');
  } finally {
    repo.cleanup();
  }
});

test('switching between committed versions never needs --force', () => {
  const repo = createTmpRepo();
  try {
    repo.write('m.bin', 'one');
    runCli(repo.dir, ['add', 'm.bin']);
    repo.git('commit', '-qm', 'v1');
    repo.write('m.bin', 'two');
    runCli(repo.dir, ['add', 'm.bin']);
    repo.git('commit', '-qm', 'v2');
    repo.git('checkout', '-q', 'HEAD~1');
    assert.equal(runCli(repo.dir, ['checkout']).code, 0);
    assert.equal(readFileSync(join(repo.dir, 'm.bin'), 'utf8'), 'one');
  } finally {
    repo.cleanup();
  }
});

test('a corrupt object is detected on checkout, removed from the store, and never written to the work tree', () => {
  const repo = createTmpRepo();
  try {
    repo.write('model.bin', 'good weights');
    const oid = runJson(repo.dir, ['add', 'model.bin']).result.artifacts[0].oid;
    rmSync(join(repo.dir, 'model.bin'));
    const obj = objectPath(repo.dir, oid);
    chmodSync(obj, 0o644);
    writeFileSync(obj, 'evil weights');
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'CORRUPT_OBJECT');
    assert.match(r.error.message, /model\.bin/);
    assert.equal(existsSync(join(repo.dir, 'model.bin')), false);
    assert.equal(existsSync(obj), false, 'the corrupt object was removed so a fetch can heal it');
  } finally {
    repo.cleanup();
  }
});

test('a corrupt chunk of a large file is detected on checkout and nothing partial is left behind', () => {
  const repo = createTmpRepo();
  try {
    repo.write('big.bin', pseudoRandom(5 * 1024 * 1024, 11));
    runCli(repo.dir, ['add', 'big.bin']);
    rmSync(join(repo.dir, 'big.bin'));
    const hex = runJson(repo.dir, ['ls']).result.artifacts[0].oid.slice(7);
    const chunks = readFileSync(join(repo.dir, '.trove/cache/files/sha256', hex.slice(0, 2), hex.slice(2)), 'utf8').split('\n').slice(1, -1);
    const victim = objectPath(repo.dir, chunks[2]!.split(' ')[1]!);
    chmodSync(victim, 0o644);
    const bytes = readFileSync(victim);
    bytes[100]! ^= 0xff; // the file is 5 MiB of chunk bytes
    writeFileSync(victim, bytes);
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.error.code, 'CORRUPT_OBJECT');
    assert.equal(existsSync(join(repo.dir, 'big.bin')), false);
    assert.deepEqual(readdirSync(repo.dir).filter((n) => n.includes('.tmp-')), [], 'no temp file left in the work tree');
  } finally {
    repo.cleanup();
  }
});


test('an object missing from the store names the path and hints at how to get it back', () => {
  const repo = createTmpRepo();
  try {
    repo.write('model.bin', 'weights');
    const oid = runJson(repo.dir, ['add', 'model.bin']).result.artifacts[0].oid;
    rmSync(join(repo.dir, 'model.bin'));
    rmSync(objectPath(repo.dir, oid), { force: true });
    const r = runCli(repo.dir, ['checkout']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: The content of model\.bin .* is not in the local store/);
    assert.match(r.stderr, /hint: Re-add the data/);
    assert.equal(runJson(repo.dir, ['status']).result.artifacts[0].inCache, false);
  } finally {
    repo.cleanup();
  }
});

test('hardlink and symlink link modes place store objects instead of copies', () => {
  const repo = createTmpRepo();
  try {
    repo.write('a.bin', 'aaa');
    repo.write('b.bin', 'bbb');
    const res = runJson(repo.dir, ['add', 'a.bin', 'b.bin']).result;
    rmSync(join(repo.dir, 'a.bin'));
    rmSync(join(repo.dir, 'b.bin'));
    assert.equal(runCli(repo.dir, ['checkout', '--link', 'hardlink', 'a.bin']).code, 0);
    assert.equal(statSync(join(repo.dir, 'a.bin')).ino, statSync(objectPath(repo.dir, res.artifacts[0].oid)).ino);
    assert.equal(runCli(repo.dir, ['checkout', '--link', 'symlink', 'b.bin']).code, 0);
    assert.ok(lstatSync(join(repo.dir, 'b.bin')).isSymbolicLink());
    assert.equal(readFileSync(join(repo.dir, 'b.bin'), 'utf8'), 'bbb');
    assert.equal(runCli(repo.dir, ['checkout', '--link', 'auto', 'a.bin']).code, 0);
  } finally {
    repo.cleanup();
  }
});

test('a checkout of hundreds of files (placed on worker threads) writes every byte and mode, reports a corrupt object by name and removes it, and leaves status clean', () => {
  const repo = createTmpRepo();
  try {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 300; i++) {
      const p = `data/d${i % 7}/f${i}.bin`;
      files[p] = pseudoRandom(100 + i * 37, i + 1);
      repo.write(p, files[p]!);
    }
    chmodSync(join(repo.dir, 'data/d1/f1.bin'), 0o755);
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    rmSync(join(repo.dir, 'data'), { recursive: true, force: true });
    const victimHex = createHash('sha256').update(files['data/d2/f2.bin']!).digest('hex');
    const obj = objectPath(repo.dir, `sha256:${victimHex}`);
    chmodSync(obj, 0o644);
    writeFileSync(obj, 'evil');
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'CORRUPT_OBJECT');
    assert.match(r.error.message, /data\/d2\/f2\.bin/);
    assert.equal(existsSync(join(repo.dir, 'data/d2/f2.bin')), false, 'never written');
    assert.equal(existsSync(obj), false, 'the corrupt object was removed so a fetch can heal it');
    for (const [p, bytes] of Object.entries(files)) {
      if (p === 'data/d2/f2.bin') continue;
      assert.ok(readFileSync(join(repo.dir, p)).equals(bytes), p);
    }
    assert.equal(statSync(join(repo.dir, 'data/d1/f1.bin')).mode & 0o777, 0o755, 'the executable bit came back');
    assert.equal(statSync(join(repo.dir, 'data/d3/f3.bin')).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(join(repo.dir, 'data/d0')).filter((n) => n.includes('.tmp-')), [], 'no temp file left behind');
    // The stat cache learned every placed file: status reads none of them.
    const st = runJson(repo.dir, ['status']).result;
    assert.equal(st.hashed, 0);
  } finally {
    repo.cleanup();
  }
});

/** A CLI run with the stat-family calls under `under` counted (test/helpers/fsCallCounter.ts preloaded). */
function countingFs(cwd: string, args: string[], under: string): { r: ReturnType<typeof runJson<any>>; counts: { lstat: number; stat: number; readdir: number } } {
  const log = join(cwd, '..', `fs-${process.pid}-${Date.now()}.json`);
  const spy = new URL('../helpers/fsCallCounter.js', import.meta.url).href;
  const r = runJson(cwd, args, { NODE_OPTIONS: `--import=${spy}`, TROVE_TEST_FS_UNDER: under, TROVE_TEST_FS_LOG: log });
  const counts = JSON.parse(readFileSync(log, 'utf8'));
  rmSync(log, { force: true });
  return { r, counts };
}

test('a one-file switch between versions of 20,000 files lstats at most 10 paths under data/ (switch mode)', () => {
  const repo = createTmpRepo();
  try {
    for (let i = 0; i < 20_000; i++) repo.write(`data/d${String(i % 100).padStart(3, '0')}/f${i}.bin`, `file ${i}\n`);
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'v1');
    repo.write('data/d023/f123.bin', 'changed\n');
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    repo.git('commit', '-qam', 'v2');
    repo.git('checkout', '-q', 'HEAD~1');
    const { r, counts } = countingFs(repo.dir, ['checkout'], `${repo.dir}/data`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(repo.dir, 'data/d023/f123.bin'), 'utf8'), 'file 123\n');
    assert.equal(r.result.written, 1);
    assert.ok(counts.lstat + counts.stat <= 10, `${JSON.stringify(counts)} stat calls under data/`);
    assert.equal(counts.readdir, 0, 'no directory of data/ listed');
    // And back: the index now names v1, so the switch to v2 is as small.
    repo.git('checkout', '-q', 'main');
    const back = countingFs(repo.dir, ['checkout'], `${repo.dir}/data`);
    assert.equal(back.r.code, 0, back.r.stderr);
    assert.equal(readFileSync(join(repo.dir, 'data/d023/f123.bin'), 'utf8'), 'changed\n');
    assert.ok(back.counts.lstat + back.counts.stat <= 10, `${JSON.stringify(back.counts)} stat calls under data/ switching back`);
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
  } finally {
    repo.cleanup();
  }
});

test('switch mode still stops on a file of the diff with local changes that were not added, and leaves an edit outside the diff alone', () => {
  const repo = createTmpRepo();
  try {
    for (let i = 0; i < 50; i++) repo.write(`data/f${i}.csv`, `v1 ${i}\n`);
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'v1');
    repo.write('data/f7.csv', 'v2 7\n');
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    repo.git('commit', '-qam', 'v2');
    repo.git('checkout', '-q', 'HEAD~1');
    repo.write('data/f7.csv', 'my unsaved edit\n');
    repo.write('data/f9.csv', 'another edit, outside the diff\n');
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'DIRTY');
    assert.deepEqual(r.error.data.paths, ['data/f7.csv'], 'only the file the switch would overwrite');
    assert.equal(readFileSync(join(repo.dir, 'data/f7.csv'), 'utf8'), 'my unsaved edit\n', 'nothing overwritten');
    const forced = runJson(repo.dir, ['checkout', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.result.saved.length, 1);
    assert.equal(readFileSync(join(repo.dir, 'data/f7.csv'), 'utf8'), 'v1 7\n');
    assert.equal(readFileSync(join(repo.dir, 'data/f9.csv'), 'utf8'), 'another edit, outside the diff\n', 'a local edit the switch does not touch stays, as in git checkout');
  } finally {
    repo.cleanup();
  }
});

test('repair mode (the work tree already at the pointer version) restores deleted files, also after a switch', () => {
  const repo = createTmpRepo();
  try {
    for (let i = 0; i < 50; i++) repo.write(`data/f${i}.csv`, `v1 ${i}\n`);
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'v1');
    rmSync(join(repo.dir, 'data/f3.csv'));
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(repo.dir, 'data/f3.csv'), 'utf8'), 'v1 3\n');
    repo.write('data/f7.csv', 'v2 7\n');
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    repo.git('commit', '-qam', 'v2');
    repo.git('checkout', '-q', 'HEAD~1');
    assert.equal(runJson(repo.dir, ['checkout']).code, 0);
    rmSync(join(repo.dir, 'data/f30.csv'));
    const again = runJson(repo.dir, ['checkout']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readFileSync(join(repo.dir, 'data/f30.csv'), 'utf8'), 'v1 30\n');
    assert.equal(readFileSync(join(repo.dir, 'data/f7.csv'), 'utf8'), 'v1 7\n');
  } finally {
    repo.cleanup();
  }
});

test('after trove add of an edit, a switch to a branch that has the old content restores the edited file (add moves the version switch mode trusts)', () => {
  const repo = createTmpRepo();
  try {
    for (let i = 0; i < 20; i++) repo.write(`data/f${i}.csv`, `v1 ${i}\n`);
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'v1');
    repo.git('checkout', '-q', '-b', 'other');
    repo.write('data/f5.csv', 'other 5\n');
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    repo.git('commit', '-qam', 'other: f5');
    repo.git('checkout', '-q', 'main');
    assert.equal(runJson(repo.dir, ['checkout']).code, 0);
    assert.equal(readFileSync(join(repo.dir, 'data/f5.csv'), 'utf8'), 'v1 5\n');
    // The files are at v1 now. An edit added (and committed) must move that, or the next switch would trust v1 for f3.
    repo.write('data/f3.csv', 'main 3\n');
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    repo.git('commit', '-qam', 'main: f3');
    repo.git('checkout', '-q', 'other');
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(repo.dir, 'data/f3.csv'), 'utf8'), 'v1 3\n', 'the edit is undone: the other branch has the old content');
    assert.equal(readFileSync(join(repo.dir, 'data/f5.csv'), 'utf8'), 'other 5\n');
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
  } finally {
    repo.cleanup();
  }
});

test('a directory moved away by trove mv and replaced by another version is compared in full at its old path', () => {
  const repo = createTmpRepo();
  try {
    for (let i = 0; i < 20; i++) repo.write(`data/f${i}.csv`, `v1 ${i}\n`);
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'v1');
    assert.equal(runCli(repo.dir, ['mv', 'data', 'moved']).code, 0);
    repo.git('commit', '-qam', 'moved');
    // Bring data back at v1 from the first commit, with a few stray files in the directory.
    repo.write('data/f0.csv', 'stray\n');
    const r = runJson(repo.dir, ['checkout', '--force', '--rev', 'HEAD~1', 'data']);
    assert.equal(r.code, 0, r.stderr);
    for (let i = 0; i < 20; i++) assert.equal(readFileSync(join(repo.dir, `data/f${i}.csv`), 'utf8'), `v1 ${i}\n`);
  } finally {
    repo.cleanup();
  }
});
