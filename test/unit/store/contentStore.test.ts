import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ObjectStore } from '../../../src/store/ObjectStore.js';
import { parseStoredKey, storedKey } from '../../../src/store/ContentStore.js';
import { ingestFileSync } from '../../../src/store/ingestSync.js';
import { storeLinkHex } from '../../../src/store/storeLinkHex.js';
import { createOid } from '../../../src/core/oid.js';
import { pseudoRandom } from '../../helpers/tmpRepo.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'trove-unit-'));
}

test('ContentStore: entry(kind, oid) finds objects and chunk lists with their sizes, and remove(kind, oid) deletes exactly that entry', () => {
  const dir = tmp();
  try {
    const store = new ObjectStore(join(dir, 'store'));
    writeFileSync(join(dir, 'big'), pseudoRandom(3 * 1024 * 1024, 4));
    const big = ingestFileSync(join(dir, 'big'), store.dir);
    const small = store.putBytes(Buffer.from('hello'));
    const bigOid = createOid('sha256', big.hex);
    assert.equal(big.chunked, true);
    assert.equal(store.entry('object', small.oid)?.size, 5);
    assert.equal(store.entry('object', bigOid), undefined, 'a chunked file has no whole object');
    const list = store.entry('chunklist', bigOid);
    assert.ok(list && list.size > 0);
    // What list() and entry() say agree, path included (push streams the file at that path).
    assert.deepEqual(store.list().find((e) => e.kind === 'chunklist'), list);
    store.remove('chunklist', bigOid);
    assert.equal(store.entry('chunklist', bigOid), undefined);
    assert.ok(store.hasObject(small.oid), 'removing one entry leaves the others');
    store.remove('object', small.oid);
    assert.equal(store.hasObject(small.oid), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ContentStore: the one-use paths stay inside the store (targetFor, objectPath, symlinkRoot, scratchDir, remoteCacheDir)', () => {
  const dir = tmp();
  try {
    const store = new ObjectStore(join(dir, 'store'));
    const { oid } = store.putBytes(Buffer.from('x'));
    assert.equal(store.targetFor('object', oid), store.objectPath(oid));
    assert.notEqual(store.targetFor('chunklist', oid), store.objectPath(oid), 'chunk lists and objects never share a file');
    assert.equal(storeLinkHex(store.objectPath(oid), store.symlinkRoot()), oid.hex, 'a symlink to objectPath is recognised under symlinkRoot');
    for (const p of [store.targetFor('chunklist', oid), store.scratchDir(), store.remoteCacheDir('s3://bucket/x'), store.symlinkRoot()]) {
      assert.ok(!relative(store.dir, p).startsWith('..'), `${p} is inside the store`);
    }
    assert.notEqual(store.remoteCacheDir('s3://a'), store.remoteCacheDir('s3://b'), 'one cache per remote');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ContentStore: removeStaleTemps also sweeps old entries of the scratch directory (what gc did by hand) and keeps young ones', () => {
  const dir = tmp();
  try {
    const store = new ObjectStore(join(dir, 'store'));
    const old = join(store.scratchDir(), 'probe-old');
    const young = join(store.scratchDir(), 'probe-young');
    mkdirSync(dirname(old), { recursive: true });
    writeFileSync(old, 'p');
    writeFileSync(young, 'p');
    utimesSync(old, new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() - 2 * 3_600_000));
    store.removeStaleTemps(3_600_000);
    assert.equal(existsSync(old), false);
    assert.equal(existsSync(young), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('storedKey names an entry by kind and oid, and parseStoredKey reads it back', () => {
  const oid = createOid('sha256', 'ab'.repeat(32));
  assert.notEqual(storedKey('object', oid), storedKey('chunklist', oid));
  assert.deepEqual(parseStoredKey(storedKey('chunklist', oid)), { kind: 'chunklist', hex: oid.hex });
});
