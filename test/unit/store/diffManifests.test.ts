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
import { diffEntries } from '../../../src/workspace/scan/workState.js';

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
    const full = diffEntries(readManifest(store, a, 'data'), readManifest(store, b, 'data'));
    let reads = 0;
    const spy = new ObjectStore(store.dir);
    const orig = spy.readObject.bind(spy);
    spy.readObject = (o, what) => {
      reads++;
      return orig(o, what);
    };
    const d = diffManifests(spy, a, b, 'data');
    assert.deepEqual(diffEntries(d.from, d.to), full);
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

test('diffManifests matches a full comparison when changes touch every page (random edits, adds, deletes, longer and shorter lines, non-ASCII paths)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-unit-'));
  try {
    const store = new ObjectStore(join(dir, 'store'));
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const sortByPath = (es: ManifestEntry[]): ManifestEntry[] => es.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
    for (let round = 0; round < 6; round++) {
      const base = tree().map((e, i) => (i % 97 === 5 ? { ...e, path: e.path.replace('.bin', `-é${i}.bin`) } : e));
      const v1 = sortByPath(base);
      const v2: ManifestEntry[] = [];
      for (const e of v1) {
        const r = rnd(1000);
        if (r < 5) continue; // deleted
        if (e.mode === 'l') v2.push(e);
        else if (r < 15) v2.push({ ...e, size: e.size * 1000 + 7, oid: oid(500_000 + rnd(100_000)) }); // longer line
        else if (r < 20) v2.push({ ...e, mode: 'x' });
        else v2.push(e);
        if (r >= 990) v2.push({ path: `${e.path}.new${round}`, mode: 'f', size: 1, oid: oid(2) }); // added next to it
      }
      sortByPath(v2);
      const a = writeManifest(store, v1).root;
      const b = writeManifest(store, v2).root;
      const full = diffEntries(readManifest(store, a, 'data'), readManifest(store, b, 'data'));
      const d = diffManifests(store, a, b, 'data');
      assert.deepEqual(diffEntries(d.from, d.to), full, `round ${round}`);
      assert.ok(full.modified.length > 50 && full.deleted.length > 20 && full.added.length > 5, `round ${round} exercised every kind of change`);
      // The reverse direction too.
      assert.deepEqual(diffEntries(diffManifests(store, b, a, 'data').from, diffManifests(store, b, a, 'data').to), diffEntries(readManifest(store, b, 'data'), readManifest(store, a, 'data')));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
