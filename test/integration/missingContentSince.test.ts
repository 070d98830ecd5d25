import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { add, init, openRepo } from '../../src/index.js';
import { parsePointer } from '../../src/core/pointer.js';
import { readManifest } from '../../src/store/manifestIO.js';
import { missingContentSince } from '../../src/workspace/scan/changedSince.js';
import { createTmpRepo } from '../helpers/tmpRepo.js';

test('the restore hook finds a new directory version complete from its complete base and the files that differ, without checking every file', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    await init({ cwd: repo.dir });
    for (let i = 0; i < 3000; i++) repo.write(`data/f${i}.txt`, `file ${i}\n`);
    const r = await openRepo({ cwd: repo.dir });
    await add(r, { paths: ['data'] });
    const v1 = parsePointer(readFileSync(join(repo.dir, 'data.trove'), 'utf8'), 'data.trove');
    repo.write('data/f7.txt', 'changed\n');
    await add(r, { paths: ['data'] });
    const v2 = parsePointer(readFileSync(join(repo.dir, 'data.trove'), 'utf8'), 'data.trove');
    const fresh = await openRepo({ cwd: repo.dir });
    rmSync(join(fresh.store.dir, 'complete', v2.oid.hex)); // as after a fetch: v2 not known complete, v1 is
    let asked = 0;
    const has = fresh.store.hasFiles.bind(fresh.store);
    fresh.store.hasFiles = (oids) => {
      asked += oids.length;
      return has(oids);
    };
    const artifact = { path: 'data', pointer: v2 };
    assert.deepEqual(missingContentSince(fresh, [artifact], [{ path: 'data', pointer: v1 }]), []);
    assert.equal(asked, 1, 'only the changed file is looked up');
    assert.equal(fresh.store.isComplete(v2.oid), true, 'and v2 is marked complete');
    // The changed file's content gone: v2 is not complete (and nothing is marked).
    rmSync(join(fresh.store.dir, 'complete', v2.oid.hex));
    const f7 = readManifest(fresh.store, v2.oid, 'data').find((e) => e.path === 'f7.txt');
    assert.ok(f7 && f7.mode !== 'l');
    rmSync(fresh.store.objectPath(f7.oid));
    const again = await openRepo({ cwd: repo.dir });
    assert.deepEqual(missingContentSince(again, [artifact], [{ path: 'data', pointer: v1 }]).map((a) => a.path), ['data']);
    assert.equal(again.store.isComplete(v2.oid), false);
  } finally {
    repo.cleanup();
  }
});
