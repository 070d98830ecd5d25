import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom } from '../helpers/tmpRepo.js';
import { initExperiment } from '../../src/api/initExperiment.js';
import { listRuns, readRun } from '../../src/experiments/readRuns.js';
import { openRepo } from '../../src/workspace/Repo.js';

function storeBytes(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else total += st.size;
    }
  };
  walk(join(dir, '.trove/cache'));
  return total;
}

test('checkpoints share unchanged bytes: 10 checkpoints of a 4 MiB model whose head changes cost little more than one', async () => {
  const repo = createTmpRepo();
  try {
    repo.write('.gitignore', '*.pth\n');
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'init');
    const exp = await initExperiment({ cwd: repo.dir }, { params: {}, remote: null });
    const backbone = pseudoRandom(4 * 1024 * 1024, 11);
    const before = storeBytes(repo.dir);
    for (let step = 1; step <= 10; step++) {
      repo.write('model.pth', Buffer.concat([backbone, pseudoRandom(16 * 1024, 1000 + step)]));
      await exp.checkpoint({ path: 'model.pth', step, metrics: { loss: 1 / step } });
    }
    await exp.stop();
    const grown = storeBytes(repo.dir) - before;
    assert.ok(grown < 1.5 * backbone.length, `store grew ${grown} bytes for 10 checkpoints of ${backbone.length} bytes`);
  } finally {
    repo.cleanup();
  }
});

test('the ref moves in batches, not once per checkpoint, and the run history is a chain of commits', async () => {
  const repo = createTmpRepo();
  try {
    repo.git('commit', '-qm', 'init');
    const exp = await initExperiment({ cwd: repo.dir }, { params: { lr: 1 }, remote: null });
    for (let step = 0; step < 300; step++) await exp.checkpoint({ step, metrics: { loss: step } });
    // while live, readers fold the journal: every checkpoint is visible before the ref has them all
    const r = await openRepo({ cwd: repo.dir });
    assert.equal((await readRun(r, exp.id)).checkpoints.length, 300);
    assert.equal((await listRuns(r)).runs[0]!.checkpoints, 300);
    await exp.stop();
    const commits = Number(repo.git('rev-list', '--count', `refs/trove/experiments/${exp.id}`).trim());
    assert.ok(commits >= 2 && commits < 300, `${commits} commits for 300 checkpoints`);
    assert.equal((await readRun(r, exp.id)).checkpoints.length, 300);
    assert.equal((await readRun(r, exp.id)).journal, false, 'journal removed at stop');
  } finally {
    repo.cleanup();
  }
});
