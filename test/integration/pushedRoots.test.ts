import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareEntries } from '../../src/core/manifestTree.js';
import type { FileEntry } from '../../src/core/manifest.js';
import { silentReporter } from '../../src/core/Reporter.js';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { writeManifest } from '../../src/store/manifestIO.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { localClosure, type TransferRoot } from '../../src/transfer/closure.js';
import { collectRemoteGarbage } from '../../src/transfer/collectRemoteGarbage.js';
import { pushObjects } from '../../src/transfer/pushObjects.js';
import { clearPushedRoots, readPushedRoots, validPushedRoots, writePushedRoots } from '../../src/transfer/pushedRoots.js';
import { pseudoRandom } from '../helpers/tmpRepo.js';

const policy = { retries: 1, baseDelayMs: 1, maxDelayMs: 2 };
const opts = { jobs: 2, policy, reporter: silentReporter };

test('after a 20k-file push, pushing one changed file reads at most 5 pages and sends 1 object plus the few new pages', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-pushed-'));
  try {
    const store = new ObjectStore(join(base, 'store'), { fsync: false }); // 20,000 syncs would be the test's whole run time
    const entries: FileEntry[] = [];
    for (let i = 0; i < 20_000; i++) {
      const data = pseudoRandom(40 + (i % 50), i + 1);
      entries.push({ path: `d${String(i % 100).padStart(3, '0')}/f${String(i).padStart(6, '0')}.bin`, mode: 'f', size: data.length, oid: store.putBytes(data).oid });
    }
    entries.sort(compareEntries);
    const before = writeManifest(store, entries).root;
    const remote = new DirectoryBackend(join(base, 'remote'), 'remote');
    const cache = join(base, 'cache');
    const first = localClosure(store, [{ kind: 'dir', oid: before, what: 'data' }]);
    assert.ok(first.pagesRead > 20, `the first push walks every page (${first.pagesRead})`);
    const sent = await pushObjects(remote, await RemoteIndex.load(remote, cache, { jobs: 2, policy }), first.items, opts);
    assert.deepEqual(sent.failed, []);

    const changed = pseudoRandom(77, 999_999);
    const k = entries.findIndex((e) => e.path === 'd042/f012342.bin');
    const after = writeManifest(store, entries.map((e, i) => (i === k ? { ...e, size: changed.length, oid: store.putBytes(changed).oid } : e))).root;
    const root: TransferRoot = { kind: 'dir', oid: after, what: 'data' };
    const next = localClosure(store, [root], { base: () => before });
    assert.equal(next.incremental, 1);
    assert.ok(next.pagesRead <= 5, `${next.pagesRead} pages read`);
    const data = next.items.filter((i) => !i.meta);
    const pages = next.items.filter((i) => i.meta);
    assert.deepEqual(data.map((i) => i.hex), [store.putBytes(changed).oid.hex], 'one object: the changed file');
    assert.ok(pages.length >= 1 && pages.length <= 4, `${pages.length} new pages`);
    const index = await RemoteIndex.load(remote, cache, { jobs: 2, policy });
    const out = await pushObjects(remote, index, next.items, opts);
    assert.equal(out.objects, 1 + pages.length);
    // What the shortcut skipped is on the remote: the whole closure of the new version is there.
    const fresh = await RemoteIndex.load(remote, join(base, 'cache2'), { jobs: 2, policy });
    const whole = localClosure(store, [root]);
    assert.ok(whole.items.every((i) => fresh.has(i.kind, i.hex)), 'every page and file of the new version is on the remote');
    // The same version again: nothing walked but the root.
    const same = localClosure(store, [root], { base: () => after });
    assert.deepEqual([same.items.length, same.pagesRead], [0, 1]);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a pushed-root marker whose base version is gone from the local store falls back to the whole walk', () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-pushed-'));
  try {
    const store = new ObjectStore(join(base, 'store'));
    const entries: FileEntry[] = [0, 1, 2].map((i) => {
      const data = pseudoRandom(30, i + 1);
      return { path: `f${i}`, mode: 'f', size: data.length, oid: store.putBytes(data).oid };
    });
    const root = writeManifest(store, entries).root;
    const gone = { ...root, hex: 'e'.repeat(64) };
    const c = localClosure(store, [{ kind: 'dir', oid: root, what: 'data' }], { base: () => gone });
    assert.equal(c.incremental, 0);
    assert.equal(c.items.length, 4, 'the page and three files');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('pushed-root markers: read back as written; an unreadable or newer file is none; gc -r that deletes clears them', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-pushed-'));
  try {
    const cache = join(base, 'cache');
    writePushedRoots(cache, { paths: new Map([['data', 'a'.repeat(64)]]), packs: ['1'.repeat(64), '2'.repeat(64)] });
    const read = readPushedRoots(cache);
    assert.deepEqual([...validPushedRoots(read, () => true)], [['data', 'a'.repeat(64)]]);
    assert.equal(validPushedRoots(read, (n) => n !== '2'.repeat(64)).size, 0, 'a pack the markers relied on is gone: none hold');
    writeFileSync(join(cache, 'pushed.json'), JSON.stringify({ version: 2, paths: { data: 'a'.repeat(64) }, packs: [] }));
    assert.equal(readPushedRoots(cache).paths.size, 0, 'a newer file is none');
    clearPushedRoots(cache);
    assert.equal(readPushedRoots(cache).paths.size, 0);

    const store = new ObjectStore(join(base, 'store'));
    const { oid } = store.putBytes(pseudoRandom(5000, 3));
    const remote = new DirectoryBackend(join(base, 'remote'), 'remote');
    await pushObjects(remote, await RemoteIndex.load(remote, cache, { jobs: 1, policy }), localClosure(store, [{ kind: 'file', oid, what: 'm.bin' }]).items, opts);
    writePushedRoots(cache, { paths: new Map([['data', 'b'.repeat(64)]]), packs: [] });
    const dry = await collectRemoteGarbage(remote, await RemoteIndex.load(remote, cache, { jobs: 1, policy }), store, [], { ...opts, graceMs: 0, dryRun: true, indexCacheDir: cache });
    assert.equal(dry.deletedPacks.length, 1);
    assert.ok(existsSync(join(cache, 'pushed.json')), 'a dry run deletes nothing, so the markers stay');
    const out = await collectRemoteGarbage(remote, await RemoteIndex.load(remote, cache, { jobs: 1, policy }), store, [], { ...opts, graceMs: 0, dryRun: false, indexCacheDir: cache });
    assert.equal(out.deletedPacks.length, 1);
    assert.equal(readPushedRoots(cache).paths.size, 0, 'gc -r deleted a pack: the markers are gone');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('regression: a pushed-root marker outlived another clone\'s fsck -r removing a corrupt pack, and the next push skipped the data', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-pushed-'));
  try {
    const store = new ObjectStore(join(base, 'store'), { fsync: false });
    const remote = new DirectoryBackend(join(base, 'remote'), 'remote');
    const cache = join(base, 'cache');
    const { oid } = store.putBytes(pseudoRandom(5000, 9));
    await pushObjects(remote, await RemoteIndex.load(remote, cache, { jobs: 1, policy }), localClosure(store, [{ kind: 'file', oid, what: 'm.bin' }]).items, opts);
    const index = await RemoteIndex.load(remote, cache, { jobs: 1, policy });
    writePushedRoots(cache, { paths: new Map([['data', 'c'.repeat(64)]]), packs: [...index.packs.keys()] });
    assert.equal(validPushedRoots(readPushedRoots(cache), (n) => index.packs.has(n)).size, 1);
    // Another clone's fsck -r removes the pack (its own markers go; ours stay on disk).
    for (const n of [...index.packs.keys()]) {
      rmSync(join(base, 'remote', 'packs', `${n}.idx`));
      rmSync(join(base, 'remote', 'packs', `${n}.pack`));
    }
    const after = await RemoteIndex.load(remote, cache, { jobs: 1, policy });
    assert.equal(validPushedRoots(readPushedRoots(cache), (n) => after.packs.has(n)).size, 0, 'a pack the markers relied on is gone: none hold');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
