// fsck listed the whole store before checking it (store.list(): an object per
// entry, packed ones included, and a string per packed entry to dedupe
// across packs: 231 MB at 200,000 files). It now checks packs one at a time,
// loose objects a batch at a time and chunk lists as they are listed. Its
// findings must be the whole listing's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRepo, add, init, verifyStore } from '../../src/index.js';
import { parseOid } from '../../src/core/oid.js';
import { PackWriter } from '../../src/store/pack/PackWriter.js';
import { createTmpRepo, pseudoRandom } from '../helpers/tmpRepo.js';

test('fsck held a listing of the whole store: it never calls store.list(), checks a chunk list packed twice once, and finds what the listing found (a corrupt chunk: removed, its list incomplete; a corrupt loose object: removed)', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    await init({ cwd: repo.dir });
    mkdirSync(join(repo.dir, 'data'));
    for (let f = 0; f < 40; f++) writeFileSync(join(repo.dir, 'data', `f${f}.txt`), `file ${f}`);
    writeFileSync(join(repo.dir, 'big.bin'), pseudoRandom(3 << 20, 7));
    const added = await add(await openRepo({ cwd: repo.dir }), { paths: ['data', 'big.bin'] });
    const s = await openRepo({ cwd: repo.dir });
    const big = parseOid(added.artifacts.find((a) => a.path === 'big.bin')!.oid, 'big.bin');
    // The chunk list only packed, in two packs (the newer also holds a copy of a loose object).
    const list = s.store.entry('chunklist', big)!;
    const listBytes = readFileSync(list.path);
    const copied = [...s.store.listLoose('object')][0]!;
    for (const extra of [[], [copied]]) {
      const w = new PackWriter(join(s.store.dir, 'packs'), { fsync: false });
      w.append('f', big.hex, listBytes);
      for (const e of extra) w.append('o', e.oid.hex, readFileSync(e.path));
      w.finish();
    }
    rmSync(list.path);
    s.store.packs.reload();
    // A corrupt chunk of big.bin, and a corrupt loose object that is no chunk.
    const chunk = s.store.readChunkList(big)![1]!.oid;
    const loose = s.store.putBytes(Buffer.from('a loose object that nothing names')).oid;
    for (const oid of [chunk, loose]) {
      chmodSync(s.store.objectPath(oid), 0o644);
      writeFileSync(s.store.objectPath(oid), 'flipped');
    }
    const whole = s.store.list();
    const checked = whole.filter((e) => !e.location.packed).length + s.store.packs.packs().reduce((n, p) => n + p.count, 0);
    assert.equal(whole.filter((e) => e.kind === 'chunklist').length, 1, 'the whole listing names the chunk list once');
    (s.store as unknown as { list: () => unknown }).list = () => {
      throw new Error('fsck listed the whole store');
    };

    const r = await verifyStore(s);
    assert.equal(r.checked, checked, 'every loose entry and every entry of every pack');
    assert.deepEqual(r.corrupt.map((c) => c.oid).sort(), [chunk, loose].map((o) => `sha256:${o.hex}`).sort());
    assert.deepEqual(r.incomplete.map((c) => c.oid), [`sha256:${big.hex}`], 'the list is checked once, though packed twice; its chunk is gone, the list is kept');
    assert.deepEqual(r.badPacks, []);
    assert.equal(s.store.hasObject(loose), false);
    assert.deepEqual((await verifyStore(await openRepo({ cwd: repo.dir }))).corrupt, [], 'the store healed itself');
  } finally {
    repo.cleanup();
  }
});
