import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { checkStoreFormat, ensureStoreFormat } from '../../src/store/storeFormat.js';
import { createOid } from '../../src/core/oid.js';
import { isTroveError } from '../../src/errors/index.js';

const oidOf = (b: Uint8Array | string) => createOid('sha256', createHash('sha256').update(b).digest('hex'));

test('a format-1 store (loose objects, FORMAT 1) is read as it is, and its first pack raises it to format 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-format-'));
  try {
    const storeDir = join(dir, 'store');
    // A format-1 store, as an earlier trove wrote it: loose objects only.
    const old = new ObjectStore(storeDir, { fsync: false, packMaxObject: 0 });
    ensureStoreFormat(storeDir);
    const before = ['one', 'two', 'three'].map((s) => old.putBytes(Buffer.from(s)).oid);
    assert.equal(readFileSync(join(storeDir, 'FORMAT'), 'utf8'), 'trove-store 1\n');
    assert.equal(existsSync(join(storeDir, 'packs')), false);
    checkStoreFormat(storeDir, 1);

    const store = new ObjectStore(storeDir, { fsync: false });
    checkStoreFormat(storeDir);
    assert.deepEqual(before.map((o) => store.readObject(o, 'old').toString()), ['one', 'two', 'three']);
    await store.putObjects([Buffer.from('four'), Buffer.from('one')]);
    assert.equal(readFileSync(join(storeDir, 'FORMAT'), 'utf8'), 'trove-store 2\n', 'raised before the pack became visible');
    assert.equal(store.packStats().packed, 1, 'an object present loose is not packed again');
    assert.equal(store.readObject(oidOf('four'), 'new').toString(), 'four');
    assert.deepEqual(before.map((o) => store.readObject(o, 'old').toString()), ['one', 'two', 'three'], 'loose objects keep reading');
    // A trove that knows only format 1 refuses the store instead of taking packed objects for missing.
    assert.throws(() => checkStoreFormat(storeDir, 1), (e) => isTroveError(e, 'NEWER_FORMAT') && /format 2/.test((e as Error).message));
    checkStoreFormat(storeDir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
