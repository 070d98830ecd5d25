import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestEntry } from '../../../src/core/manifest.js';
import { createOid } from '../../../src/core/oid.js';
import { ObjectStore } from '../../../src/store/ObjectStore.js';
import { readManifest, writeManifest } from '../../../src/store/manifestIO.js';
import { diffManifests } from '../../../src/store/diffManifests.js';
import { compareEntries } from '../../../src/workspace/workState.js';

const oid = (n: number) => createOid('sha256', n.toString(16).padStart(64, '0'));

function tree(): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  for (let d = 0; d < 100; d++) for (let f = 0; f < 200; f++) entries.push({ path: `d${String(d).padStart(3, '0')}/f${String(f).padStart(4, '0')}.bin`, mode: 'f', size: f + 1, oid: oid(d * 1000 + f) });
  return entries;
}

test('diffManifests finds exactly the changes a full comparison finds, reading a fraction of the pages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-unit-'));
  try {
    const store = new ObjectStore(join(dir, 'store'));
    const v1 = tree();
    const v2 = v1.map((e, i) => (i % 2000 === 7 ? { ...e, oid: oid(999_000 + i) } : e)).filter((e) => e.path !== 'd050/f0100.bin');
    v2.push({ path: 'd050/f0100x.bin', mode: 'f', size: 5, oid: oid(1) });
    v2.sort((a, b) => (a.path < b.path ? -1 : 1));
    const a = writeManifest(store, v1).root;
    const b = writeManifest(store, v2).root;
    const full = compareEntries(readManifest(store, a, 'data'), readManifest(store, b, 'data'));
    let reads = 0;
    const spy = new ObjectStore(store.dir);
    const orig = spy.readObject.bind(spy);
    spy.readObject = (o, what) => {
      reads++;
      return orig(o, what);
    };
    const d = diffManifests(spy, a, b, 'data');
    assert.deepEqual(compareEntries(d.from, d.to), full);
    assert.equal(full.modified.length, 10);
    assert.deepEqual(full.added.map((e) => e.path), ['d050/f0100x.bin']);
    assert.deepEqual(full.deleted.map((e) => e.path), ['d050/f0100.bin']);
    const pages = store.list().filter((e) => e.kind === 'object').length;
    assert.ok(reads * 2 < pages, `read ${reads} of ${pages} pages (both versions)`);
    assert.deepEqual(diffManifests(spy, a, a, 'data'), { from: [], to: [] }, 'the same version: nothing read, nothing changed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
