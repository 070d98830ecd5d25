import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestEntry } from '../../../src/core/manifest.js';
import { createOid, formatOid } from '../../../src/core/oid.js';
import { ObjectStore } from '../../../src/store/ObjectStore.js';
import { forEachManifestEntry, listManifestPages, readManifest, writeManifest } from '../../../src/store/manifestIO.js';
import { manifestEntriesUnder } from '../../../src/store/manifestEntriesUnder.js';
import { isTroveError } from '../../../src/errors/index.js';

/** 20,000 entries in folders d000..d099 (plus names that sort right beside a prefix: "d05-x", "d05.txt"), enough for node pages. */
function bigTree(): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  const oid = createOid('sha256', 'ab'.repeat(32));
  for (let d = 0; d < 100; d++) for (let f = 0; f < 200; f++) entries.push({ path: `d${String(d).padStart(3, '0')}/f${String(f).padStart(4, '0')}.bin`, mode: 'f', size: d * 1000 + f, oid });
  entries.push({ path: 'd05-x', mode: 'f', size: 1, oid }, { path: 'd05.txt', mode: 'f', size: 2, oid }, { path: 'd05/only', mode: 'f', size: 3, oid });
  return entries.sort((a, b) => (a.path < b.path ? -1 : 1));
}

test('entries under a path match a full read filtered by that path, for files, folders and near-miss names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-unit-'));
  try {
    const store = new ObjectStore(join(dir, 'store'));
    const { root } = writeManifest(store, bigTree());
    const all = readManifest(store, root, 'data');
    for (const prefix of ['d000', 'd050/f0100.bin', 'd099', 'd05', 'd05-x', 'd05.txt', 'd0', 'zzz', 'd050/f9999.bin']) {
      const want = all.filter((e) => e.path === prefix || e.path.startsWith(prefix + '/'));
      assert.deepEqual(manifestEntriesUnder(store, root, prefix, 'data').map((e) => e.path), want.map((e) => e.path), prefix);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('entries under a path need only the pages on its way: other missing pages do not matter, its own do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-unit-'));
  try {
    const store = new ObjectStore(join(dir, 'store'));
    const entries = bigTree();
    const { root } = writeManifest(store, entries);
    // Keep only the pages a lookup of d099 reads: it still resolves, d000 (elsewhere in the tree) does not.
    const read: string[] = [];
    const spy = new ObjectStore(store.dir);
    const orig = spy.readObject.bind(spy);
    spy.readObject = (oid, what) => {
      read.push(formatOid(oid));
      return orig(oid, what);
    };
    assert.equal(manifestEntriesUnder(spy, root, 'd099', 'data').length, 200);
    const pages = store.list().filter((e) => e.kind === 'object');
    assert.ok(pages.length > read.length * 3, `read ${read.length} of ${pages.length} pages`);
    for (const p of pages) if (!read.includes(formatOid(p.oid))) rmSync(p.path, { force: true });
    assert.equal(manifestEntriesUnder(store, root, 'd099', 'data').length, 200);
    assert.throws(() => manifestEntriesUnder(store, root, 'd000', 'data'), (err) => isTroveError(err, 'OBJECT_MISSING'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gc held every entry of a version (readManifest) and read each page twice: forEachManifestEntry gives readManifest\'s entries in order and listManifestPages\'s pages, a leaf at a time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-unit-'));
  try {
    const store = new ObjectStore(join(dir, 'store'));
    const { root } = writeManifest(store, bigTree());
    const pages: string[] = [];
    const entries: ManifestEntry[] = [];
    let reads = 0;
    const counting = { readObject: (oid: Parameters<ObjectStore['readObject']>[0], what: string) => (reads++, store.readObject(oid, what)) };
    forEachManifestEntry(counting, root, 'data', (oid) => pages.push(oid.hex), (e) => entries.push(e));
    assert.deepEqual(entries, readManifest(store, root, 'data'));
    assert.deepEqual(pages, listManifestPages(store, root, 'data').map((o) => o.hex));
    assert.equal(reads, pages.length, 'each page read once');
    assert.ok(pages.length > 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
