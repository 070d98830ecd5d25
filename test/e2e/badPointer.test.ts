import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';

/** Three artifacts committed, then imgs.trove edited into garbage. */
function withGarbagePointer(fn: (repo: TmpRepo) => void) {
  return () => {
    const repo = createTmpRepo();
    try {
      repo.write('a.bin', pseudoRandom(5000, 1));
      repo.write('models/m.bin', pseudoRandom(7000, 2));
      for (let i = 0; i < 5; i++) repo.write(`imgs/f${i}.bin`, pseudoRandom(1000 + i, i + 3));
      assert.equal(runCli(repo.dir, ['add', 'a.bin', 'models/m.bin', 'imgs']).code, 0);
      repo.git('commit', '-q', '-m', 'v1');
      writeFileSync(join(repo.dir, 'imgs.trove'), 'trove: 1\nkind: dir\nthis is not a pointer\n');
      fn(repo);
    } finally {
      repo.cleanup();
    }
  };
}

test('one garbage pointer does not make status, ls, diff and checkout fail for every other artifact', withGarbagePointer((repo) => {
  const st = runJson(repo.dir, ['status']);
  assert.equal(st.code, 0, st.stderr);
  assert.deepEqual(st.result.artifacts.map((a: { path: string }) => a.path).sort(), ['a.bin', 'models/m.bin']);
  assert.equal(st.result.clean, false);
  assert.equal(st.result.invalidPointers.length, 1);
  assert.equal(st.result.invalidPointers[0].file, 'imgs.trove');
  assert.equal(st.result.invalidPointers[0].line, 3);
  const text = runCli(repo.dir, ['status']);
  assert.equal(text.code, 0);
  assert.equal(text.stderr.split('imgs.trove is invalid').length - 1, 1, `reported once: ${text.stderr}`);
  assert.match(text.stderr, /line 3/);
  assert.match(text.stderr, /git checkout -- imgs\.trove/);
  const ls = runCli(repo.dir, ['ls']);
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /models\/m\.bin/);
  assert.equal(runCli(repo.dir, ['diff']).code, 0);
  rmSync(join(repo.dir, 'a.bin'));
  const co = runCli(repo.dir, ['checkout']);
  assert.equal(co.code, 0, co.stderr);
  assert.ok(repo.git('ls-files', '-o', '--exclude-standard') === '', 'nothing untracked appeared');
  assert.equal(runJson(repo.dir, ['status', 'a.bin']).result.clean, true, 'a.bin was restored');
  // Named on its own, the bad pointer is the error, with the same working hint.
  const named = runJson(repo.dir, ['status', 'imgs']);
  assert.equal(named.error.code, 'BAD_POINTER');
}));

test('the pre-commit hook stops a commit of a garbage pointer and still checks the others', withGarbagePointer((repo) => {
  const hook = runCli(repo.dir, ['hook', 'pre-commit']);
  assert.equal(hook.code, 1, hook.stderr);
  assert.match(hook.stderr, /imgs\.trove is invalid: line 3/);
  assert.match(hook.stderr, /git checkout -- imgs\.trove/);
}));

test('the hints for a garbage pointer work: git checkout restores it, and trove add re-adds the data', withGarbagePointer((repo) => {
  const hint = runJson(repo.dir, ['status', 'imgs']).error.hint as string;
  assert.match(hint, /git checkout -- imgs\.trove/);
  assert.match(hint, /trove add imgs/);
  const add = runJson(repo.dir, ['add', 'imgs']);
  assert.equal(add.code, 0, add.stderr);
  assert.equal(runJson(repo.dir, ['status']).result.clean, true);
  writeFileSync(join(repo.dir, 'imgs.trove'), 'garbage');
  repo.git('checkout', '--', 'imgs.trove');
  assert.equal(runJson(repo.dir, ['status']).result.clean, true);
}));
