import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, runCli, runJson, objectPath } from '../helpers/tmpRepo.js';


test('gc keeps what any branch, tag, stash, index or the work tree refers to, removes the rest, and reports the space', () => {
  const repo = createTmpRepo();
  try {
    repo.write('m.bin', 'tagged version');
    runCli(repo.dir, ['add', 'm.bin']);
    repo.git('commit', '-qm', 'v1');
    repo.git('tag', 'v1');
    repo.write('m.bin', 'branch version');
    runCli(repo.dir, ['add', 'm.bin']);
    repo.git('commit', '-qm', 'v2');
    repo.write('m.bin', 'stashed version');
    runCli(repo.dir, ['add', 'm.bin']);
    repo.git('stash', '-q');
    repo.write('m.bin', 'orphan version');
    runCli(repo.dir, ['add', 'm.bin']); // staged...
    repo.write('m.bin', 'work tree version');
    runCli(repo.dir, ['add', '--no-stage', 'm.bin']); // ...and a newer unstaged pointer
    repo.write('junk.bin', 'never referenced');
    const junk = runJson(repo.dir, ['add', '--no-stage', 'junk.bin']).result.artifacts[0].oid;
    rmSync(join(repo.dir, 'junk.bin.trove'));
    const dry = runJson(repo.dir, ['gc', '--dry-run']).result;
    assert.equal(dry.removed, 1);
    assert.equal(dry.freedBytes, 'never referenced'.length);
    assert.equal(readFileSync(objectPath(repo.dir, junk), 'utf8'), 'never referenced', 'dry run removes nothing');
    const real = runJson(repo.dir, ['gc']).result;
    assert.equal(real.removed, 1);
    assert.throws(() => readFileSync(objectPath(repo.dir, junk)));
    for (const [rev, want] of [['v1', 'tagged version'], ['main', 'branch version'], ['stash@{0}', 'stashed version']]) {
      assert.equal(runCli(repo.dir, ['checkout', '--force', '--rev', rev!]).code, 0, rev);
      assert.equal(readFileSync(join(repo.dir, 'm.bin'), 'utf8'), want);
    }
  } finally {
    repo.cleanup();
  }
});

test('gc keeps every version in the history of a branch, not only its tip', () => {
  const repo = createTmpRepo();
  try {
    for (const v of ['one', 'two', 'three']) {
      repo.write('data/x.csv', v);
      runCli(repo.dir, ['add', 'data']);
      repo.git('commit', '-qm', v);
    }
    assert.equal(runJson(repo.dir, ['gc']).result.removed, 0);
    assert.equal(runCli(repo.dir, ['checkout', '--rev', 'HEAD~2']).code, 0);
    assert.equal(readFileSync(join(repo.dir, 'data/x.csv'), 'utf8'), 'one');
  } finally {
    repo.cleanup();
  }
});

test('gc refuses a shared cache unless told it may', () => {
  const repo = createTmpRepo();
  try {
    repo.write('.trove/config.local.yaml', `core:\n  cache: ${join(repo.dir, 'shared-cache')}\n`);
    const r = runJson(repo.dir, ['gc']);
    assert.equal(r.code, 2);
    assert.match(r.error.hint, /--allow-shared/);
    assert.equal(runJson(repo.dir, ['gc', '--allow-shared']).code, 0);
  } finally {
    repo.cleanup();
  }
});

test('fsck re-hashes everything, removes and reports corrupt objects, and exits 1', () => {
  const repo = createTmpRepo();
  try {
    repo.write('a.bin', 'alpha');
    repo.write('b.bin', 'beta');
    const arts = runJson(repo.dir, ['add', 'a.bin', 'b.bin']).result.artifacts;
    const clean = runJson(repo.dir, ['fsck']);
    assert.equal(clean.code, 0);
    assert.equal(clean.result.corrupt.length, 0);
    const victim = objectPath(repo.dir, arts[1].oid);
    chmodSync(victim, 0o644);
    writeFileSync(victim, 'bet@');
    const bad = runCli(repo.dir, ['--json', 'fsck']);
    assert.equal(bad.code, 1);
    const res = JSON.parse(bad.stdout).result;
    assert.deepEqual(res.corrupt.map((c: { oid: string }) => c.oid), [arts[1].oid]);
    assert.equal(runJson(repo.dir, ['fsck']).code, 0, 'the store healed itself by removing the bad object');
    assert.equal(runJson(repo.dir, ['status', 'b.bin']).result.artifacts[0].inCache, false);
  } finally {
    repo.cleanup();
  }
});
