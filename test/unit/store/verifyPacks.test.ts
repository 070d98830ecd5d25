import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackWriter } from '../../../src/store/pack/PackWriter.js';
import { PackSet } from '../../../src/store/pack/PackSet.js';
import { listPacks } from '../../../src/store/pack/repack.js';
import { listRetired } from '../../../src/store/pack/retire.js';
import { verifyPacks } from '../../../src/store/pack/verifyPacks.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const blob = (i: number): Buffer => Buffer.alloc(100, `object ${i} `);

function storeWithPack(ids: number[]): { store: string; name: string } {
  const store = mkdtempSync(join(tmpdir(), 'trove-verifypacks-'));
  const w = new PackWriter(join(store, 'packs'), { fsync: false });
  for (const i of ids) w.append('o', sha(blob(i)), blob(i));
  return { store, name: w.finish()[0]!.name };
}

test('an intact pack verifies in one read', () => {
  const { store } = storeWithPack([0, 1, 2]);
  try {
    let read = 0;
    const r = verifyPacks(store, { fsync: false, onBytes: (n) => (read += n) });
    assert.deepEqual({ ...r, checked: r.checked }, { checked: 3, bytes: 300, corrupt: [], badPacks: [] });
    assert.equal(read, 300);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('a flipped byte in a pack names the entry and its pack; the pack is rewritten without it and the rest stays readable', () => {
  const { store, name } = storeWithPack([0, 1, 2]);
  try {
    const file = join(store, 'packs', name + '.pack');
    const bytes = readFileSync(file);
    bytes[150] = bytes[150]! ^ 1;
    rmSync(file);
    writeFileSync(file, bytes);
    const r = verifyPacks(store, { fsync: false });
    assert.deepEqual(r.corrupt, [{ kind: 'object', oid: `sha256:${sha(blob(1))}`, pack: name, reason: 'content does not match its id' }]);
    const set = new PackSet(join(store, 'packs'));
    assert.ok(!set.has('o', sha(blob(1))));
    for (const i of [0, 2]) assert.equal(sha(set.read(set.lookup('o', sha(blob(i)))!)), sha(blob(i)));
    assert.ok(!listPacks(join(store, 'packs')).some((p) => p.name === name), 'the damaged pack was retired');
    assert.deepEqual(verifyPacks(store, { fsync: false }).corrupt, [], 'a second fsck is clean');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('a truncated pack index is reported as unreadable and its pack retired', () => {
  const { store, name } = storeWithPack([0, 1, 2]);
  try {
    truncateSync(join(store, 'packs', name + '.tidx'), 500);
    const r = verifyPacks(store, { fsync: false });
    assert.equal(r.badPacks.length, 1);
    assert.equal(r.badPacks[0]!.pack, name);
    assert.match(r.badPacks[0]!.reason, /^index unreadable/);
    assert.deepEqual(listPacks(join(store, 'packs')), []);
    assert.deepEqual(listRetired(store), [name], 'retired: a later gc deletes it once no reader needs it');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});
