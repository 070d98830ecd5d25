// streamListing (trove ls DIR): a directory's files are read a manifest page
// at a time as they are iterated, never the whole manifest up front. Reads
// are counted, never timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPointer } from '../../src/core/pointer.js';
import type { ManifestEntry } from '../../src/core/manifest.js';
import { listManifestPages, writeManifest } from '../../src/store/manifestIO.js';
import { writeWorkPointer } from '../../src/workspace/pointers/pointers.js';
import { init, listArtifacts, openRepo, streamListing } from '../../src/index.js';
import { countingReads } from '../helpers/countingReads.js';
import { createTmpRepo } from '../helpers/tmpRepo.js';

test('streamListing reads the pages down to the first file before it returns, the rest as they are iterated; a folder inside reads only its pages', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    await init({ cwd: repo.dir });
    const r = await openRepo({ cwd: repo.dir });
    const { oid } = r.store.putBytes(Buffer.from('x'));
    const entries: ManifestEntry[] = [];
    for (let i = 0; i < 20_000; i++) entries.push({ path: `d${String(Math.floor(i / 500)).padStart(2, '0')}/f${String(i).padStart(5, '0')}`, mode: 'f', size: 1, oid });
    const { root } = writeManifest(r.store, entries);
    await writeWorkPointer(r, 'data', createPointer({ kind: 'dir', oid: root, size: entries.length, files: entries.length }));
    const pages = listManifestPages(r.store, root, 'data').length;
    assert.ok(pages > 20, `a tree of many pages (${pages})`);

    const opened = await countingReads(r, () => streamListing(r, { path: 'data' }));
    assert.ok(opened.reads <= 4, `only the root, the node pages above the first leaf and that leaf: ${opened.reads}`);
    const listed: string[] = [];
    const rest = await countingReads(r, async () => {
      for await (const f of opened.value.files!) listed.push(f.path);
    });
    assert.equal(opened.reads + rest.reads, pages, 'every page read once, as the iteration reached it');
    assert.deepEqual(listed, entries.map((e) => `data/${e.path}`));
    assert.deepEqual((await listArtifacts(r, { path: 'data' })).files!.map((f) => f.path), listed, 'listArtifacts collects the same stream');

    const folder = await countingReads(r, async () => {
      const n: string[] = [];
      for await (const f of (await streamListing(r, { path: 'data/d07' })).files!) n.push(f.path);
      return n;
    });
    assert.deepEqual(folder.value, listed.slice(7 * 500, 8 * 500));
    assert.ok(folder.reads < pages / 4, `a folder of 500 files reads the pages that can hold it: ${folder.reads} of ${pages}`);
  } finally {
    repo.cleanup();
  }
});
