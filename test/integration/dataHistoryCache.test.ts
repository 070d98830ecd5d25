import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataHistoryCache, dataHistory, openRepo } from '../../src/index.js';
import { createTmpRepo, pseudoRandom, runCli } from '../helpers/tmpRepo.js';

test('dataHistory with a cache: a new commit continues the kept walk, a rewritten history starts over, and both equal an uncached walk', async () => {
  const repo = createTmpRepo();
  try {
    const commit = (msg: string): void => {
      assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
      repo.git('add', '-A');
      repo.git('commit', '-qm', msg);
    };
    repo.write('data/a.bin', pseudoRandom(1000, 1));
    commit('v1');
    repo.write('data/b.bin', pseudoRandom(2000, 2));
    commit('v2');
    const r = await openRepo({ cwd: repo.dir });
    const cache = new DataHistoryCache();
    const costs = async (cached: boolean): Promise<unknown> => (await dataHistory(r, { path: 'data', ...(cached ? { cache } : {}) })).versions.map((v) => [v.subject, v.bytesNew, v.filesNew]);
    assert.deepEqual(await costs(true), [['v2', 2000, 1], ['v1', 1000, 1]]);
    // v3 brings back nothing new but one file; the kept walk is continued.
    repo.write('data/c.bin', pseudoRandom(3000, 3));
    repo.write('data/a2.bin', pseudoRandom(1000, 1));
    commit('v3');
    assert.deepEqual(await costs(true), [['v3', 3000, 1], ['v2', 2000, 1], ['v1', 1000, 1]]);
    assert.deepEqual(await costs(true), await costs(false));
    // Rewrite: back to v1, then another v2 whose new file is b.bin's content (new again on this history).
    repo.git('reset', '-q', '--hard', 'HEAD~2');
    assert.equal(runCli(repo.dir, ['checkout']).code, 0);
    repo.write('data/d.bin', pseudoRandom(2000, 2));
    commit('v2b');
    assert.deepEqual(await costs(true), [['v2b', 2000, 1], ['v1', 1000, 1]]);
    assert.deepEqual(await costs(true), await costs(false));
  } finally {
    repo.cleanup();
  }
});
