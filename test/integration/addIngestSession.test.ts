import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { add, init, openRepo } from '../../src/index.js';
import { addPaths } from '../../src/workspace/stage/addPaths.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { createOid } from '../../src/core/oid.js';
import { listPacks } from '../../src/store/pack/repack.js';
import { listRetired } from '../../src/store/pack/retire.js';
import { createTmpRepo } from '../helpers/tmpRepo.js';

const TARGET = 16 * 1024;

test('adding more files than one batch makes one ingest session: full packs and one partial', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    await init({ cwd: repo.dir });
    const bodies: string[] = [];
    for (let i = 0; i < 600; i++) {
      const body = `file ${i} `.repeat(20 + (i % 7));
      bodies.push(body);
      repo.write(`data/d${i % 6}/f${String(i).padStart(4, '0')}.txt`, body);
    }
    const opened = await openRepo({ cwd: repo.dir });
    // Small knobs: 16 KiB packs, packing from 10 files, 100 files per ingest call (6 batches).
    const store = new ObjectStore(opened.store.dir, { fsync: false, packTargetBytes: TARGET, packMinObjects: 10 });
    const r = { ...opened, store };
    await addPaths(r, ['data'], { batchFiles: 100 });
    const sizes = listPacks(join(store.dir, 'packs')).map((p) => statSync(p.file).size);
    const partial = sizes.filter((s) => s < TARGET);
    const dataBytes = bodies.reduce((s, b) => s + Buffer.byteLength(b), 0);
    assert.ok(sizes.length >= Math.floor(dataBytes / TARGET), `${sizes.length} packs for ${dataBytes} bytes`);
    // One partial pack of files (a session per batch sealed six), and at most one of manifest pages.
    assert.ok(partial.length <= 2, `packs below the target: ${partial.length} (${sizes.join(', ')})`);
    const check = new ObjectStore(store.dir, { fsync: false });
    for (const b of bodies) assert.ok(check.hasObject(createOid('sha256', createHash('sha256').update(b).digest('hex'))));
  } finally {
    repo.cleanup();
  }
});

test('an add past the auto-pack limit leaves nothing in packs/retired once it exits: its own full packs are not merged', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    await init({ cwd: repo.dir });
    for (let i = 0; i < 600; i++) repo.write(`data/d${i % 6}/f${String(i).padStart(4, '0')}.txt`, `file ${i} `.repeat(20 + (i % 7)));
    const opened = await openRepo({ cwd: repo.dir });
    const store = new ObjectStore(opened.store.dir, { fsync: false, packTargetBytes: TARGET, packMinObjects: 10 });
    // gc.auto_pack_limit 2: the add makes ~8 packs, all full but one partial (and maybe one of pages).
    const r = { ...opened, store, config: { ...opened.config, gc: { ...opened.config.gc, auto_pack_limit: 2 } } };
    await add(r, { paths: ['data'] });
    const packs = listPacks(join(store.dir, 'packs'));
    assert.ok(packs.length > 2, `${packs.length} packs: past the limit`);
    // This process holds a reader lease older than any retirement: a rewrite here would wait in retired/ (1 GiB at 1M files).
    assert.deepEqual(listRetired(store.dir), []);
  } finally {
    repo.cleanup();
  }
});
