// One test per bug found in review, named after the failure it prevents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom, runCli, runJson, objectPath } from '../helpers/tmpRepo.js';


test('a symlink to elsewhere in the repository, accepted by add, is also accepted by status, ls and checkout', () => {
  const repo = createTmpRepo();
  try {
    repo.write('README', 'read me');
    repo.write('data/a.csv', 'a');
    symlinkSync('../README', join(repo.dir, 'data/readme'));
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
    assert.equal(runJson(repo.dir, ['ls', 'data']).code, 0);
    rmSync(join(repo.dir, 'data'), { recursive: true });
    assert.equal(runCli(repo.dir, ['checkout']).code, 0);
    assert.equal(readFileSync(join(repo.dir, 'data/readme'), 'utf8'), 'read me');
  } finally {
    repo.cleanup();
  }
});

test('gc deletes nothing when a live directory version cannot be read completely', () => {
  const repo = createTmpRepo();
  try {
    for (let i = 0; i < 600; i++) repo.write(`data/f${String(i).padStart(4, '0')}.csv`, `row ${i}`);
    const root = runJson(repo.dir, ['add', 'data']).result.artifacts[0].oid;
    repo.git('commit', '-qm', 'v1');
    // Remove one leaf page (not the root): what sits below it can no longer be known.
    const rootText = readFileSync(objectPath(repo.dir, root), 'utf8');
    assert.match(rootText, /^trove-manifest 1 node\n/, '600 entries make a multi-page tree');
    const leaf = JSON.parse(rootText.split('\n')[1]!)[3];
    rmSync(objectPath(repo.dir, leaf));
    repo.write('junk.bin', 'junk');
    runCli(repo.dir, ['add', '--no-stage', 'junk.bin']);
    rmSync(join(repo.dir, 'junk.bin.trove'));
    const before = runJson(repo.dir, ['fsck']).result.checked;
    const r = runJson(repo.dir, ['gc']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'BAD_MANIFEST');
    assert.match(r.error.message, /deleting anything/);
    assert.equal(runJson(repo.dir, ['fsck']).result.checked, before, 'not one object was removed');
  } finally {
    repo.cleanup();
  }
});

test('gc deletes nothing when a pointer in history cannot be parsed (e.g. from a newer trove)', () => {
  const repo = createTmpRepo();
  try {
    repo.write('m.bin', 'model');
    const oid = runJson(repo.dir, ['add', 'm.bin']).result.artifacts[0].oid;
    repo.git('commit', '-qm', 'v1');
    repo.write('future.trove', `trove: 2\nkind: file\noid: ${oid}\nsize: 5\n`);
    repo.git('add', 'future.trove');
    repo.git('commit', '-qm', 'from the future');
    const r = runJson(repo.dir, ['gc']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'BAD_POINTER');
    assert.ok(existsSync(objectPath(repo.dir, oid)));
  } finally {
    repo.cleanup();
  }
});

test('gc keeps the data of a commit dropped by git reset --hard while the reflog still has it', () => {
  const repo = createTmpRepo();
  try {
    repo.write('m.bin', 'v1');
    runCli(repo.dir, ['add', 'm.bin']);
    repo.git('commit', '-qm', 'v1');
    repo.write('m.bin', 'v2 (to be reset away)');
    const v2 = runJson(repo.dir, ['add', 'm.bin']).result.artifacts[0].oid;
    repo.git('commit', '-qm', 'v2');
    repo.git('reset', '-q', '--hard', 'HEAD~1');
    assert.equal(runCli(repo.dir, ['checkout', '--force']).code, 0);
    assert.equal(runJson(repo.dir, ['gc']).result.removed, 0);
    assert.ok(existsSync(objectPath(repo.dir, v2)));
  } finally {
    repo.cleanup();
  }
});

test('a chunk list of a newer format is a clear NEWER_FORMAT error, and fsck does not delete it', () => {
  const repo = createTmpRepo();
  try {
    repo.write('big.bin', pseudoRandom(3 * 1024 * 1024, 8));
    const oid = runJson(repo.dir, ['add', 'big.bin']).result.artifacts[0].oid;
    const list = objectPath(repo.dir, oid, 'files');
    chmodSync(list, 0o644);
    writeFileSync(list, readFileSync(list, 'utf8').replace('trove-chunks 1', 'trove-chunks 2'));
    rmSync(join(repo.dir, 'big.bin'));
    const r = runJson(repo.dir, ['checkout']);
    assert.equal(r.error.code, 'NEWER_FORMAT');
    assert.match(r.error.hint, /Upgrade trove/);
    runCli(repo.dir, ['fsck']);
    assert.ok(existsSync(list), 'fsck kept it');
  } finally {
    repo.cleanup();
  }
});

test('an executable checked out with --link hardlink keeps its mode without changing the store object, and status is clean', () => {
  const repo = createTmpRepo();
  try {
    repo.write('d/run.sh', '#!/bin/sh\n');
    chmodSync(join(repo.dir, 'd/run.sh'), 0o755);
    repo.write('d/plain.txt', 'p');
    runCli(repo.dir, ['add', 'd']);
    rmSync(join(repo.dir, 'd'), { recursive: true });
    assert.equal(runCli(repo.dir, ['checkout', '--link', 'hardlink']).code, 0);
    assert.ok((lstatSync(join(repo.dir, 'd/run.sh')).mode & 0o111) !== 0);
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
  } finally {
    repo.cleanup();
  }
});

test('--link symlink: files become links into the store that status, add and checkout understand', () => {
  const repo = createTmpRepo();
  try {
    repo.write('m.bin', 'model');
    repo.write('d/a.csv', 'a');
    repo.write('d/b.csv', 'b');
    runCli(repo.dir, ['add', 'm.bin', 'd']);
    repo.git('commit', '-qm', 'v1');
    rmSync(join(repo.dir, 'm.bin'));
    rmSync(join(repo.dir, 'd'), { recursive: true });
    assert.equal(runCli(repo.dir, ['checkout', '--link', 'symlink']).code, 0);
    assert.ok(lstatSync(join(repo.dir, 'd/a.csv')).isSymbolicLink());
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
    const again = runJson(repo.dir, ['add', 'm.bin', 'd']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.result.artifacts.map((a: { changed: boolean }) => a.changed), [false, false]);
    assert.equal(runCli(repo.dir, ['checkout', '--link', 'copy', '--rev', 'HEAD']).code, 0);
  } finally {
    repo.cleanup();
  }
});

test('with --json, a command-line parse error is one JSON object on stderr', () => {
  const repo = createTmpRepo();
  try {
    const r = runJson(repo.dir, ['add', '--bogus']);
    assert.equal(r.code, 2);
    assert.equal(r.error.code, 'USAGE');
    assert.equal(r.stderr.trim().split('\n').length, 1);
  } finally {
    repo.cleanup();
  }
});

test('rm --no-stage and mv --no-stage leave the index alone', () => {
  const repo = createTmpRepo();
  try {
    repo.write('a.bin', 'a');
    repo.write('b.bin', 'b');
    runCli(repo.dir, ['add', 'a.bin', 'b.bin']);
    repo.git('commit', '-qm', 'v1');
    assert.equal(runCli(repo.dir, ['rm', '--no-stage', 'a.bin']).code, 0);
    assert.equal(runCli(repo.dir, ['mv', '--no-stage', 'b.bin', 'c.bin']).code, 0);
    assert.equal(repo.git('diff', '--cached', '--name-only').trim(), '');
  } finally {
    repo.cleanup();
  }
});

test('a non-numeric TROVE_LOCK_TIMEOUT_MS does not make a command wait forever', () => {
  const repo = createTmpRepo();
  try {
    repo.write('a.bin', 'a');
    // Refused at once as a usage error (it used to be ignored silently), never a wait.
    const r = runCli(repo.dir, ['add', 'a.bin'], { TROVE_LOCK_TIMEOUT_MS: 'soon' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /TROVE_LOCK_TIMEOUT_MS/);
  } finally {
    repo.cleanup();
  }
});

test('checking out one file of an artifact that changed between file and directory is refused, not a deletion of the rest', () => {
  const repo = createTmpRepo();
  try {
    repo.write('d/a.csv', 'a');
    repo.write('d/b.csv', 'b');
    runCli(repo.dir, ['add', 'd']);
    repo.git('commit', '-qm', 'v1');
    rmSync(join(repo.dir, 'd'), { recursive: true });
    writeFileSync(join(repo.dir, 'd'), 'now a file');
    const r = runJson(repo.dir, ['checkout', 'd/a.csv']);
    assert.equal(r.error.code, 'USAGE');
    assert.equal(readFileSync(join(repo.dir, 'd'), 'utf8'), 'now a file');
  } finally {
    repo.cleanup();
  }
});

test('diff with more than two revisions is a usage error, not silently truncated', () => {
  const repo = createTmpRepo();
  try {
    repo.git('commit', '-qm', 'x');
    assert.equal(runJson(repo.dir, ['diff', 'HEAD', 'HEAD', 'HEAD']).code, 2);
  } finally {
    repo.cleanup();
  }
});

test('a store written by a newer trove is refused before anything reads or writes it', () => {
  const repo = createTmpRepo();
  try {
    mkdirSync(join(repo.dir, '.trove/cache'), { recursive: true });
    writeFileSync(join(repo.dir, '.trove/cache/FORMAT'), 'trove-store 3\n');
    const r = runJson(repo.dir, ['status']);
    assert.equal(r.error.code, 'NEWER_FORMAT');
  } finally {
    repo.cleanup();
  }
});

test('a pointer whose version is written as 1.0 or 0x1 is refused', () => {
  const repo = createTmpRepo();
  try {
    for (const v of ['1.0', '0x1', '01']) {
      repo.write('m.trove', `trove: ${v}\nkind: file\noid: sha256:${'a'.repeat(64)}\nsize: 1\n`);
      assert.equal(runJson(repo.dir, ['status', 'm']).error.code, 'BAD_POINTER', v);
      assert.deepEqual(runJson(repo.dir, ['status']).result.invalidPointers.map((b: { file: string }) => b.file), ['m.trove'], v);
    }
  } finally {
    repo.cleanup();
  }
});

test('a stale .git/index.lock left by a killed git makes trove add fail with the lock file named and how to remove it, not a bare "File exists"', () => {
  const repo = createTmpRepo();
  try {
    repo.write('model.bin', 'weights');
    writeFileSync(join(repo.dir, '.git/index.lock'), '');
    const r = runJson(repo.dir, ['add', 'model.bin']);
    assert.notEqual(r.code, 0);
    assert.equal(r.error.code, 'GIT');
    assert.match(r.error.hint, /index\.lock/);
    assert.match(r.error.hint, /rm '/);
    // Following the hint completes the add.
    rmSync(join(repo.dir, '.git/index.lock'));
    assert.equal(runCli(repo.dir, ['add', 'model.bin']).code, 0);
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
  } finally {
    repo.cleanup();
  }
});
