import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, runCli, runJson } from '../helpers/tmpRepo.js';

test('a mistyped TROVE_FSYNC stops trove add with exit 2 and a hint, before anything is stored', () => {
  const repo = createTmpRepo();
  try {
    repo.write('model.bin', 'weights');
    const r = runCli(repo.dir, ['add', 'model.bin'], { TROVE_FSYNC: 'maybe' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /TROVE_FSYNC=0/);
    assert.equal(existsSync(join(repo.dir, 'model.bin.trove')), false);
  } finally {
    repo.cleanup();
  }
});

test('trove add with TROVE_FSYNC=0 (scratch work) still stores the data, and checkout restores it', () => {
  const repo = createTmpRepo();
  try {
    repo.write('data/a.txt', 'alpha');
    repo.write('data/b.txt', 'beta');
    const add = runJson(repo.dir, ['add', 'data'], { TROVE_FSYNC: '0' });
    assert.equal(add.code, 0, add.stderr);
    const objects = join(repo.dir, '.trove/cache/objects/sha256');
    assert.ok(readdirSync(objects).length > 0);
    rmSync(join(repo.dir, 'data'), { recursive: true, force: true });
    const co = runCli(repo.dir, ['checkout', 'data'], { TROVE_FSYNC: '0' });
    assert.equal(co.code, 0, co.stderr);
    assert.equal(readFileSync(join(repo.dir, 'data/b.txt'), 'utf8'), 'beta');
  } finally {
    repo.cleanup();
  }
});
