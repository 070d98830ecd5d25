import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareEntries } from '../../src/core/manifestTree.js';
import type { ManifestEntry } from '../../src/core/manifest.js';
import { silentReporter } from '../../src/core/Reporter.js';
import type { Body } from '../../src/remote/Backend.js';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { TroveError } from '../../src/errors/index.js';
import { writeManifest } from '../../src/store/manifestIO.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { closureBatches, fetchClosure, localClosure, type TransferRoot } from '../../src/transfer/closure.js';
import { planPacks, pushObjects } from '../../src/transfer/pushObjects.js';
import { pseudoRandom } from '../helpers/tmpRepo.js';

const policy = { retries: 2, baseDelayMs: 1, maxDelayMs: 5 };

// Issue 18: a push of 1,000,000 files held one PushItem (plus dedupe-set and plan entries) per object: 856 MB.
test('a push of 1,200 files in batches of 250 holds at most 250 items at once, sends each object once (a content two files far apart share too) and fetches back whole', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-pushbatch-'));
  try {
    const src = new ObjectStore(join(base, 'src'), { fsync: false, packMaxObject: 0 });
    const entries: ManifestEntry[] = [];
    // file i and file i + 600 hold the same bytes: the second copy comes in a later batch
    for (let i = 0; i < 1200; i++) {
      const data = pseudoRandom(100 + (i % 600), (i % 600) + 1);
      entries.push({ path: `d${String(Math.floor(i / 100)).padStart(2, '0')}/f${String(i).padStart(4, '0')}.bin`, mode: 'f', size: data.length, oid: src.putBytes(data).oid });
    }
    entries.sort(compareEntries);
    const { root } = writeManifest(src, entries);
    const roots: TransferRoot[] = [{ kind: 'dir', oid: root, what: 'data' }];
    const unique = localClosure(src, roots).items.length;
    assert.ok(unique > 600 && unique < 700, `600 contents plus the pages (${unique})`);

    const walk = closureBatches(src, roots, { batchItems: 250 });
    const sizes: number[] = [];
    const counted = (function* () {
      for (const b of walk.batches) {
        sizes.push(b.items.length);
        yield b;
      }
    })();
    const remote = new DirectoryBackend(join(base, 'remote'), 'remote');
    const out = await pushObjects(remote, await RemoteIndex.load(remote, join(base, 'idx'), { jobs: 2, policy }), counted, { jobs: 2, policy, reporter: silentReporter });
    assert.deepEqual(out.failed, []);
    assert.ok(sizes.length >= 5, `several batches (${sizes.join(', ')})`);
    assert.ok(out.largestBatch <= 250 && Math.max(...sizes) <= 250, `no batch over 250 items (${sizes.join(', ')})`);
    assert.equal(out.objects, unique, 'every object sent once');
    assert.equal(out.alreadyOnRemote, 0, 'a second copy of what this push sent is not "already on the remote"');
    assert.deepEqual(walk.result.missing, []);

    // Everything arrived: a fresh store fetches the whole tree from it.
    const dst = new ObjectStore(join(base, 'dst'), { fsync: false });
    const fetched = await fetchClosure(remote, await RemoteIndex.load(remote, join(base, 'idx-fetch'), { jobs: 2, policy }), dst, roots, { jobs: 2, policy, reporter: silentReporter });
    assert.deepEqual(fetched.failed, []);
    assert.deepEqual(localClosure(dst, roots).missing, []);

    // Pushed again: nothing is sent; every item met is counted as already there (a content met in two batches, twice).
    const again = await pushObjects(remote, await RemoteIndex.load(remote, join(base, 'idx'), { jobs: 2, policy }), closureBatches(src, roots, { batchItems: 250 }).batches, { jobs: 2, policy, reporter: silentReporter });
    assert.equal(again.objects, 0);
    assert.equal(again.alreadyOnRemote, sizes.reduce((a, b) => a + b, 0));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a batch boundary inside a local pack holds its entries for the next batch, so each whole local pack keeps its name on the remote', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-pushbatch-'));
  try {
    const src = new ObjectStore(join(base, 'src'), { fsync: false, packMinObjects: 2 });
    const entries: ManifestEntry[] = [];
    // three local packs of 300 objects, in the manifest's order: a batch of 400 ends inside the second
    for (let p = 0; p < 3; p++) {
      const datas = Array.from({ length: 300 }, (_, i) => pseudoRandom(200 + i, p * 1000 + i + 1));
      const { oids } = await src.putObjects(datas);
      oids.forEach((oid, i) => entries.push({ path: `p${p}/f${String(i).padStart(3, '0')}.bin`, mode: 'f', size: datas[i]!.length, oid }));
    }
    const local = [...src.packEntryCounts().keys()].map((f) => f.slice(f.lastIndexOf('/') + 1));
    assert.equal(local.length, 3, 'three local packs');
    entries.sort(compareEntries);
    const { root } = writeManifest(src, entries);
    const roots: TransferRoot[] = [{ kind: 'dir', oid: root, what: 'data' }];
    const sizes: number[] = [];
    const counted = (function* () {
      for (const b of closureBatches(src, roots, { batchItems: 400 }).batches) {
        sizes.push(b.items.length);
        yield b;
      }
    })();
    const remote = new DirectoryBackend(join(base, 'remote'), 'remote');
    const out = await pushObjects(remote, await RemoteIndex.load(remote, join(base, 'idx'), { jobs: 2, policy }), counted, { jobs: 2, policy, reporter: silentReporter });
    assert.deepEqual(out.failed, []);
    assert.ok(sizes.length >= 2 && out.largestBatch <= 400, `batches of at most 400 (${sizes.join(', ')})`);
    const remoteNames = readdirSync(join(base, 'remote', 'packs')).filter((n) => n.endsWith('.pack'));
    for (const name of local) assert.ok(remoteNames.includes(name), `local pack ${name} sent whole under its name (${remoteNames.join(', ')})`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

/** A directory remote that refuses every pack upload after the first `allowed` (a push killed between batches, as its next run sees the remote). */
class DyingDirectory extends DirectoryBackend {
  packs = 0;
  constructor(root: string, private readonly allowed: number) {
    super(root, 'remote');
  }
  override async put(key: string, body: Body, ...rest: unknown[]): Promise<void> {
    if (key.endsWith('.pack') && ++this.packs > this.allowed) throw new TroveError('REMOTE', 'the remote went away', { retryable: false });
    return (super.put as (k: string, b: Body, ...r: unknown[]) => Promise<void>)(key, body, ...rest);
  }
}

test('a batched push that dies after its first batch: the failure names the rest, and the next push sends only what is missing', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-pushbatch-'));
  try {
    const src = new ObjectStore(join(base, 'src'), { fsync: false, packMaxObject: 0 });
    const entries: ManifestEntry[] = [];
    for (let i = 0; i < 600; i++) {
      const data = pseudoRandom(300 + i, i + 1);
      entries.push({ path: `d${i % 6}/f${String(i).padStart(4, '0')}.bin`, mode: 'f', size: data.length, oid: src.putBytes(data).oid });
    }
    entries.sort(compareEntries);
    const { root } = writeManifest(src, entries);
    const roots: TransferRoot[] = [{ kind: 'dir', oid: root, what: 'data' }];
    const unique = localClosure(src, roots).items.length;
    const remoteDir = join(base, 'remote');
    const dying = new DyingDirectory(remoteDir, 2);
    // jobs 1: the first batch of 200 goes as two packs (metadata, data), then the remote dies
    const first = await pushObjects(dying, await RemoteIndex.load(dying, join(base, 'idx1'), { jobs: 1, policy }), closureBatches(src, roots, { batchItems: 200 }).batches, { jobs: 1, policy, reporter: silentReporter });
    assert.ok(first.objects > 0 && first.objects < unique, `part arrived (${first.objects} of ${unique})`);
    assert.equal(first.objects + first.failed.length, unique, 'every item not sent is named as failed');

    const remote = new DirectoryBackend(remoteDir, 'remote');
    const again = await pushObjects(remote, await RemoteIndex.load(remote, join(base, 'idx2'), { jobs: 1, policy }), closureBatches(src, roots, { batchItems: 200 }).batches, { jobs: 1, policy, reporter: silentReporter });
    assert.deepEqual(again.failed, []);
    assert.equal(again.objects, unique - first.objects, 'only what the first push had not sent');
    assert.equal(again.alreadyOnRemote, first.objects);
    const dst = new ObjectStore(join(base, 'dst'), { fsync: false });
    const fetched = await fetchClosure(remote, await RemoteIndex.load(remote, join(base, 'idx3'), { jobs: 1, policy }), dst, roots, { jobs: 1, policy, reporter: silentReporter });
    assert.deepEqual(fetched.failed, []);
    assert.deepEqual(localClosure(dst, roots).missing, []);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a batch that more batches follow is planned one pack per job, the last batch two (remote packs halved for a batched push)', () => {
  const items = Array.from({ length: 2000 }, (_, i) => ({ kind: 'o' as const, hex: i.toString(16).padStart(64, '0'), size: 40_000, path: `/x/${i}`, digest: '' }));
  // 80 MB over 4 jobs: 10 MB packs as the last batch, 20 MB when more follow
  assert.equal(planPacks(items, 4).length, 8);
  assert.equal(planPacks(items, 4, { moreToCome: true }).length, 4);
});
