import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openRepo, add, status, checkout, diff, ls, init, isTroveError, type Reporter } from '../../src/index.js';
import { createTmpRepo } from '../helpers/tmpRepo.js';

test('the library API is the same code path as the CLI: init, add, status, checkout, diff, ls', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    assert.equal((await init({ cwd: repo.dir })).created, true);
    repo.write('data/a.csv', '1');
    repo.write('model.pt', 'w1');
    const events: string[] = [];
    const reporter: Reporter = { start: (t) => void events.push(`start:${t}`), advance() {}, end: () => void events.push('end'), warn: (m) => void events.push(`warn:${m}`) };
    const r = await openRepo({ cwd: repo.dir, reporter });
    const added = await add(r, { paths: ['data', 'model.pt'] });
    assert.deepEqual(added.artifacts.map((a) => a.path), ['data', 'model.pt']);
    assert.ok(events.some((e) => e.startsWith('start:Adding')), 'progress goes to the injected reporter');
    repo.git('commit', '-qm', 'v1');
    rmSync(join(repo.dir, 'model.pt'));
    assert.equal((await status(r)).artifacts.find((a) => a.path === 'model.pt')?.state, 'missing');
    await checkout(r, { paths: ['model.pt'] });
    assert.equal(readFileSync(join(repo.dir, 'model.pt'), 'utf8'), 'w1');
    assert.equal((await diff(r)).artifacts.length, 0);
    assert.equal((await ls(r, { path: 'data' })).files?.[0]?.path, 'data/a.csv');
  } finally {
    repo.cleanup();
  }
});

test('library errors are typed TroveErrors with a code and a hint, never process exits', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    await assert.rejects(openRepo({ cwd: repo.dir }), (err: unknown) => isTroveError(err, 'NOT_INITIALIZED') && typeof err.hint === 'string');
    await init({ cwd: repo.dir });
    const r = await openRepo({ cwd: repo.dir });
    await assert.rejects(add(r, { paths: [] }), (err: unknown) => isTroveError(err, 'USAGE'));
    await assert.rejects(checkout(r, { rev: 'nope' }), (err: unknown) => isTroveError(err, 'NOT_FOUND'));
  } finally {
    repo.cleanup();
  }
});
