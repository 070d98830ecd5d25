import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';

/** m.bin committed at v1, then edited in place (never added) and overwritten by checkout --force. */
function withOverwrittenCopy(fn: (repo: TmpRepo, mine: Buffer) => void) {
  return () => {
    const repo = createTmpRepo();
    try {
      repo.write('m.bin', pseudoRandom(3000, 1));
      assert.equal(runCli(repo.dir, ['add', 'm.bin']).code, 0);
      repo.git('commit', '-q', '-m', 'v1');
      const mine = pseudoRandom(2_500_000, 2); // chunked: gc must keep its chunks too
      repo.write('m.bin', mine);
      const co = runCli(repo.dir, ['checkout', '--force', 'm.bin']);
      assert.equal(co.code, 0, co.stderr);
      assert.match(co.stderr, /saved copy 1/);
      assert.match(co.stderr, /trove saved restore 1/);
      assert.match(co.stderr, /30 days/);
      fn(repo, mine);
    } finally {
      repo.cleanup();
    }
  };
}

test('the copy checkout --force says it saved can be listed and restored, and gc keeps it', withOverwrittenCopy((repo, mine) => {
  const list = runJson(repo.dir, ['saved']);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(list.result.saved.length, 1);
  const s = list.result.saved[0];
  assert.deepEqual([s.id, s.path, s.size, s.available], ['1', 'm.bin', mine.length, true]);
  assert.match(s.oid, /^sha256:[0-9a-f]{64}$/);
  assert.equal(JSON.parse(readFileSync(join(repo.dir, '.trove/saved.json'), 'utf8')).version, 1);
  assert.equal(repo.git('status', '--porcelain'), '', 'the record is not something to commit');
  const gc = runJson(repo.dir, ['gc']);
  assert.equal(gc.code, 0, gc.stderr);
  assert.equal(gc.result.savedKept, 1);
  const back = runJson(repo.dir, ['saved', 'restore', '1', '-o', 'mine.bin']);
  assert.equal(back.code, 0, back.stderr);
  assert.ok(readFileSync(join(repo.dir, 'mine.bin')).equals(mine), 'restored byte for byte after gc');
  const over = runJson(repo.dir, ['saved', 'restore', '1']);
  assert.equal(over.code, 2, 'refused: m.bin is there');
  assert.match(over.error.hint, /-o|--force/);
  assert.equal(runJson(repo.dir, ['saved', 'restore', '1', '--force']).code, 0);
  assert.ok(readFileSync(join(repo.dir, 'm.bin')).equals(mine));
}));

test('gc lets a saved copy go only after its keep time, and says so when asked for it', withOverwrittenCopy((repo) => {
  assert.equal(runJson(repo.dir, ['gc', '--keep-saved', '0']).code, 0);
  assert.deepEqual(runJson(repo.dir, ['saved']).result.saved, [], 'an expired record is forgotten');
  const r = runJson(repo.dir, ['saved', 'restore', '1']);
  assert.equal(r.error.code, 'NOT_FOUND');
  assert.match(r.error.hint, /trove saved/);
}));
