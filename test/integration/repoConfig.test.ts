import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { add, isTroveError, openRepo, push, remote, remoteStatus } from '../../src/index.js';
import { createTmpRepo } from '../helpers/tmpRepo.js';

test('an opened repository reads its config once: its own remote edits are seen at once, a hand edit at the next open', async () => {
  const repo = createTmpRepo();
  const remoteDir = `${repo.dir}-remote`;
  try {
    repo.write('m.bin', 'weights');
    const r = await openRepo({ cwd: repo.dir });
    await add(r, { paths: ['m.bin'] });
    await assert.rejects(remoteStatus(r), (err: unknown) => isTroveError(err, 'USAGE'), 'no remote yet');
    // trove's own edit re-reads the config into the same repo: push needs no re-open
    await remote.add(r, 'store', remoteDir, { makeDefault: true });
    assert.equal(r.config.remotes.store?.url, remoteDir);
    assert.equal(remote.getDefault(r), 'store');
    assert.ok((await push(r)).objects >= 1);
    await remote.modify(r, 'store', 'jobs', '2');
    assert.equal(r.config.remotes.store?.jobs, 2, 'modify is seen too');
    // an edit by hand is not re-read by every call, only by the next open
    appendFileSync(join(repo.dir, '.trove', 'config.yaml'), `  other:\n    url: ${remoteDir}-other\n`);
    assert.deepEqual(remote.list(r).map((x) => x.name), ['store']);
    assert.deepEqual(remote.list(await openRepo({ cwd: repo.dir })).map((x) => x.name), ['other', 'store']);
    await remote.remove(r, 'store');
    assert.equal(r.config.remotes.store, undefined, 'remove is seen');
    assert.deepEqual(Object.keys(r.config.remotes), ['other'], 'and the re-read after it picks up the hand edit too');
  } finally {
    repo.cleanup();
    rmSync(remoteDir, { recursive: true, force: true });
  }
});
