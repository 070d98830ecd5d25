// gc listed the whole store into memory (an object per entry: gc -n at
// 1,000,000 objects peaked at 780 MB). It now streams packed entries pack by
// pack, counted distinct in sets of 32-byte ids, and loose entries a fan-out
// directory at a time. Its answers must be the whole listing's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRepo, add, init, collectGarbage } from '../../src/index.js';
import { saveCaches } from '../../src/workspace/Repo.js';
import { PackWriter } from '../../src/store/pack/PackWriter.js';
import { createHash } from 'node:crypto';
import { createTmpRepo } from '../helpers/tmpRepo.js';

test('gc held a listing of the whole store: it never calls store.list(), and kept/removed equal what the whole listing gives (an entry in two packs, one loose and packed, dead loose objects)', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    await init({ cwd: repo.dir });
    mkdirSync(join(repo.dir, 'data'));
    for (let f = 0; f < 300; f++) writeFileSync(join(repo.dir, 'data', `f${f}.txt`), `file ${f}`);
    const r = await openRepo({ cwd: repo.dir });
    await add(r, { paths: ['data'] });
    saveCaches(r);
    repo.git('commit', '-qm', 'v1');
    const s = await openRepo({ cwd: repo.dir });
    // The same live object in a second pack, and a dead one packed; a dead loose object; a live object also loose.
    const bytes = Buffer.from('file 7');
    const hex = createHash('sha256').update(bytes).digest('hex');
    const w = new PackWriter(join(s.store.dir, 'packs'), { fsync: false });
    w.append('o', hex, bytes);
    const dead = Buffer.from('packed but referenced by nothing');
    w.append('o', createHash('sha256').update(dead).digest('hex'), dead);
    w.finish();
    s.store.packs.reload();
    const deadLoose = s.store.putBytes(Buffer.from('loose and referenced by nothing, at all'));
    const whole = s.store.list();
    const looseDead = whole.filter((e) => !e.location.packed && e.oid.hex === deadLoose.oid.hex).length;
    assert.equal(looseDead, 1);
    const distinct = whole.length;
    const storeAny = s.store as unknown as { list: () => unknown };
    storeAny.list = () => {
      throw new Error('gc listed the whole store');
    };
    const dry = await collectGarbage(s, { dryRun: true });
    // Dead: the loose one (removed one by one) and the packed one (its pack is rewritten).
    assert.equal(dry.removed, 2);
    assert.equal(dry.kept, distinct - dry.removed);
    const real = await collectGarbage(await openRepo({ cwd: repo.dir }), {});
    assert.equal(real.removed, 2);
    assert.equal(real.kept, dry.kept);
  } finally {
    repo.cleanup();
  }
});
