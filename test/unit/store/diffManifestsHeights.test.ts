import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestEntry } from '../../../src/core/manifest.js';
import { createOid } from '../../../src/core/oid.js';
import { ObjectStore } from '../../../src/store/ObjectStore.js';
import { writeManifest } from '../../../src/store/manifestIO.js';
import { diffManifests } from '../../../src/store/diffManifests.js';

const oid = (n: number) => createOid('sha256', n.toString(16).padStart(64, '0'));
const entry = (batch: string, i: number, n = i): ManifestEntry => ({ path: `train/${batch}/${String(i).padStart(4, '0')}.pgm`, mode: 'f', size: 75, oid: oid(n) });

test('diffManifests across trees of different heights returns only what changed, not every entry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-unit-'));
  try {
    const store = new ObjectStore(join(dir, 'store'), { fsync: false });
    const v1 = Array.from({ length: 20 }, (_, i) => entry('batch1', i));
    const added = Array.from({ length: 3000 }, (_, i) => entry('batch2', i, 10_000 + i));
    const v2 = [...v1.slice(0, 19), { ...v1[19]!, oid: oid(99_999) }, ...added];
    const a = writeManifest(store, v1).root;
    const b = writeManifest(store, v2).root;
    const leaf = (o: typeof a) => store.readObject(o, 'x').toString('utf8').split('\n')[0]!;
    assert.notEqual(leaf(a), leaf(b), 'the fixture really has a one-page tree against a taller one');
    const d = diffManifests(store, a, b, 'data');
    assert.deepEqual(d.from.map((e) => e.path), ['train/batch1/0019.pgm'], 'only the changed file on the old side');
    assert.equal(d.to.length, 3001);
    assert.equal(d.to[0]!.path, 'train/batch1/0019.pgm');
    const back = diffManifests(store, b, a, 'data');
    assert.equal(back.from.length, 3001);
    assert.deepEqual(back.to.map((e) => e.path), ['train/batch1/0019.pgm']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
