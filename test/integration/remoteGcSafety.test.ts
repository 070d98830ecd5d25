import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTroveError } from '../../src/errors/index.js';
import { serializePage, type ManifestPage } from '../../src/core/manifest.js';
import { silentReporter } from '../../src/core/Reporter.js';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { objectFile } from '../../src/store/layout.js';
import { localClosure, type TransferRoot } from '../../src/transfer/closure.js';
import { collectRemoteGarbage } from '../../src/transfer/collectRemoteGarbage.js';
import { pushObjects } from '../../src/transfer/pushObjects.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { RemoteLock } from '../../src/transfer/RemoteLock.js';
import { pseudoRandom } from '../helpers/tmpRepo.js';

const policy = { retries: 0, baseDelayMs: 1, maxDelayMs: 1 };
const gcOptions = { dryRun: false, graceMs: 0, jobs: 2, policy, reporter: silentReporter };

function setup(): { base: string; store: ObjectStore; backend: DirectoryBackend; cache: string; cleanup(): void } {
  const base = mkdtempSync(join(tmpdir(), 'trove-gcsafe-'));
  const store = new ObjectStore(join(base, 'store'));
  mkdirSync(store.dir, { recursive: true });
  return { base, store, backend: new DirectoryBackend(join(base, 'remote'), 'r'), cache: join(base, 'cache'), cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

const load = (s: ReturnType<typeof setup>) => RemoteIndex.load(s.backend, s.cache, { jobs: 2, policy });

test('gc -r keeps the files of a directory version whose manifest tree is deeper than the old walk limit of 32 pages', async () => {
  const s = setup();
  try {
    const data = pseudoRandom(5000, 41);
    const file = s.store.putBytes(data).oid;
    let page: ManifestPage = { type: 'leaf', entries: [{ path: 'deep.bin', mode: 'f', size: data.length, oid: file }] };
    let top = s.store.putBytes(serializePage(page)).oid;
    const all = [file, top];
    for (let depth = 0; depth < 40; depth++) {
      page = { type: 'node', children: [{ first: 'deep.bin', files: 1, size: data.length, oid: top }] };
      top = s.store.putBytes(serializePage(page)).oid;
      all.push(top);
    }
    const roots: TransferRoot[] = [{ kind: 'dir', oid: top, what: 'deep' }];
    // Every page by hand: a push's own walk stops at 32 levels (deeper trees are invalid), a remote may still hold one.
    const items = all.map((o) => ({ kind: 'o' as const, hex: o.hex, size: statSync(objectFile(s.store.dir, o)).size, path: objectFile(s.store.dir, o), digest: o.hex }));
    const pushed = await pushObjects(s.backend, await load(s), items, { jobs: 2, policy, reporter: silentReporter });
    assert.equal(pushed.failed.length, 0);
    const out = await collectRemoteGarbage(s.backend, await load(s), s.store, roots, gcOptions);
    assert.deepEqual(out.deletedPacks, [], 'nothing below the live root is dead');
    assert.equal(out.deadObjects, 0);
    assert.ok((await load(s)).has('o', file.hex), 'the file 41 pages down is still on the remote');
  } finally {
    s.cleanup();
  }
});

test('gc -r removes temp uploads and orphan packs that killed pushes left, and reports them; a fresh temp file (a live push) is kept', async () => {
  const s = setup();
  try {
    const data = pseudoRandom(3000, 7);
    const oid = s.store.putBytes(data).oid;
    const roots: TransferRoot[] = [{ kind: 'file', oid, what: 'kept.bin' }];
    await pushObjects(s.backend, await load(s), localClosure(s.store, roots).items, { jobs: 1, policy, reporter: silentReporter });
    const remote = s.backend.root;
    const old = (Date.now() - 2 * 86_400_000) / 1000;
    mkdirSync(join(remote, 'tmp'), { recursive: true });
    writeFileSync(join(remote, 'tmp', '111-stale'), pseudoRandom(100_000, 1));
    utimesSync(join(remote, 'tmp', '111-stale'), old, old);
    writeFileSync(join(remote, 'tmp', '222-live'), pseudoRandom(1000, 2));
    const orphan = 'c'.repeat(64);
    writeFileSync(join(remote, 'packs', `${orphan}.pack`), pseudoRandom(2000, 3));
    utimesSync(join(remote, 'packs', `${orphan}.pack`), old, old);

    const dry = await collectRemoteGarbage(s.backend, await load(s), s.store, roots, { ...gcOptions, dryRun: true, graceMs: 86_400_000 });
    assert.deepEqual(dry.tempFiles, ['tmp/111-stale']);
    assert.equal(readdirSync(join(remote, 'tmp')).length, 2, 'a dry run removes nothing');

    const out = await collectRemoteGarbage(s.backend, await load(s), s.store, roots, { ...gcOptions, graceMs: 86_400_000 });
    assert.deepEqual(out.tempFiles, ['tmp/111-stale']);
    assert.deepEqual(out.orphanPacks, [orphan]);
    assert.ok(out.freedBytes >= 102_000, `freed ${out.freedBytes}`);
    assert.deepEqual(readdirSync(join(remote, 'tmp')), ['222-live'], 'the live push\'s temp file is kept');
    assert.ok(!readdirSync(join(remote, 'packs')).includes(`${orphan}.pack`));
    assert.ok((await load(s)).has('o', oid.hex), 'live data untouched');
  } finally {
    s.cleanup();
  }
});

test('a push cannot take the remote while gc -r holds it, nor gc -r while a push does; a lock left by a dead process on this host is stale', async () => {
  const s = setup();
  try {
    const quick = { policy, waitMs: 0, sleep: async () => undefined };
    const gc = await RemoteLock.acquire(s.backend, { ...quick, kind: 'exclusive', command: 'gc -r' });
    await assert.rejects(RemoteLock.acquire(s.backend, { ...quick, kind: 'shared', command: 'push' }), (err) => isTroveError(err, 'LOCKED'));
    await gc.release();
    const p1 = await RemoteLock.acquire(s.backend, { ...quick, kind: 'shared', command: 'push' });
    const p2 = await RemoteLock.acquire(s.backend, { ...quick, kind: 'shared', command: 'push' });
    await assert.rejects(RemoteLock.acquire(s.backend, { ...quick, kind: 'exclusive', command: 'gc -r' }), (err) => isTroveError(err, 'LOCKED'), 'pushes share, gc -r waits for them');
    await p1.release();
    await p2.release();
    assert.deepEqual(readdirSync(join(s.backend.root, 'locks')), [], 'released locks are gone');

    // kill -9 of a push: its lock stays behind, naming a process that no longer exists.
    const { hostname } = await import('node:os');
    writeFileSync(join(s.backend.root, 'locks', 'dead-push'), `trove-lock 1\nkind shared\ncommand push\nhost ${hostname()}\npid 2147483646\ntime ${new Date().toISOString()}\n`);
    const after = await RemoteLock.acquire(s.backend, { ...quick, kind: 'exclusive', command: 'gc -r' });
    assert.ok(!readdirSync(join(s.backend.root, 'locks')).includes('dead-push'), 'the stale lock was removed');
    await after.release();

    // Another host's lock that was not renewed for longer than the stale time.
    writeFileSync(join(s.backend.root, 'locks', 'old-push'), 'trove-lock 1\nkind shared\ncommand push\nhost elsewhere\npid 1\n');
    const old = (Date.now() - 3_600_000) / 1000;
    utimesSync(join(s.backend.root, 'locks', 'old-push'), old, old);
    (await RemoteLock.acquire(s.backend, { ...quick, kind: 'exclusive', command: 'gc -r' })).release();
    writeFileSync(join(s.backend.root, 'locks', 'live-push'), 'trove-lock 1\nkind shared\ncommand push\nhost elsewhere\npid 1\n');
    await assert.rejects(RemoteLock.acquire(s.backend, { ...quick, kind: 'exclusive', command: 'gc -r' }), (err) => isTroveError(err, 'LOCKED'), 'a fresh lock of another host is respected');
  } finally {
    s.cleanup();
  }
});

test('a push claim whose directory version lacks a page on the remote does not stop gc -r; a ref to the same version still does', async () => {
  const s = setup();
  try {
    const data = pseudoRandom(4000, 51);
    const file = s.store.putBytes(data).oid;
    const leaf = s.store.putBytes(serializePage({ type: 'leaf', entries: [{ path: 'x.bin', mode: 'f', size: data.length, oid: file }] })).oid;
    const top = s.store.putBytes(serializePage({ type: 'node', children: [{ first: 'x.bin', files: 1, size: data.length, oid: leaf }] })).oid;
    const dead = s.store.putBytes(pseudoRandom(9000, 52)).oid;
    // The top page and some dead data reach the remote; the leaf never does (and this store loses it).
    const item = (o: typeof top) => ({ kind: 'o' as const, hex: o.hex, size: statSync(objectFile(s.store.dir, o)).size, path: objectFile(s.store.dir, o), digest: o.hex });
    await pushObjects(s.backend, await load(s), [item(top)], { jobs: 1, policy, reporter: silentReporter });
    await pushObjects(s.backend, await load(s), [item(dead)], { jobs: 1, policy, reporter: silentReporter });
    rmSync(objectFile(s.store.dir, leaf), { force: true });
    const claimed: TransferRoot[] = [{ kind: 'dir', oid: top, what: 'claimed' }];
    await assert.rejects(collectRemoteGarbage(s.backend, await load(s), s.store, claimed, { ...gcOptions, dryRun: true }), (err) => isTroveError(err, 'BAD_MANIFEST'));
    const out = await collectRemoteGarbage(s.backend, await load(s), s.store, [], { ...gcOptions, claims: claimed });
    assert.equal(out.deletedPacks.length, 1, 'the dead data went');
    assert.ok((await load(s)).has('o', top.hex), 'the claimed page is kept');
  } finally {
    s.cleanup();
  }
});
