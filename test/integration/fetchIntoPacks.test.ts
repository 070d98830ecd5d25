import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ingestFileSync } from '../../src/store/ingestSync.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOid } from '../../src/core/oid.js';
import { silentReporter } from '../../src/core/Reporter.js';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { PackSet } from '../../src/store/pack/PackSet.js';
import { PackWriter, PACK_MAX_OBJECT } from '../../src/store/pack/PackWriter.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { localClosure } from '../../src/transfer/closure.js';
import { fetchObjects, type FetchStats } from '../../src/transfer/fetchObjects.js';
import { pushObjects } from '../../src/transfer/pushObjects.js';
import { pseudoRandom } from '../helpers/tmpRepo.js';

const policy = { retries: 1, baseDelayMs: 1, maxDelayMs: 2 };

/** Every file below `dir`. */
function files(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath ?? d.path, d.name));
  } catch {
    return []; // never created: no files
  }
}

test('fetch with packing writes verified small entries into local packs, sealed before it returns: at most 1 store file per 1,000 objects; large ones stay loose', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-fetchpacks-'));
  try {
    const src = new ObjectStore(join(base, 'src'), { fsync: false });
    const roots = Array.from({ length: 3000 }, (_, i) => ({ kind: 'file' as const, oid: src.putBytes(pseudoRandom(100 + (i % 400), i + 1)).oid, what: `f${i}` }));
    const big = src.putBytes(pseudoRandom(PACK_MAX_OBJECT + 1000, 77)).oid;
    roots.push({ kind: 'file', oid: big, what: 'big' });
    const remote = new DirectoryBackend(join(base, 'remote'), 'remote');
    const items = localClosure(src, roots).items;
    assert.deepEqual((await pushObjects(remote, await RemoteIndex.load(remote, join(base, 'idx'), { jobs: 2, policy }), items, { jobs: 2, policy, reporter: silentReporter })).failed, []);

    const clone = new ObjectStore(join(base, 'clone'), { fsync: false });
    const packsDir = join(base, 'clone-packs');
    const stats: FetchStats = { objects: 0, bytes: 0, requests: 0, failed: [] };
    const index = await RemoteIndex.load(remote, join(base, 'idx2'), { jobs: 2, policy });
    await fetchObjects(remote, index, clone, items.map((i) => ({ kind: i.kind, hex: i.hex, what: i.hex })), { jobs: 2, policy, reporter: silentReporter, stats, packs: { writer: new PackWriter(packsDir, { fsync: false }), maxObject: PACK_MAX_OBJECT } });
    assert.deepEqual(stats.failed, []);
    assert.equal(stats.objects, items.length);

    const packed = files(packsDir);
    const loose = files(join(base, 'clone'));
    assert.ok(packed.length + loose.length <= Math.ceil(items.length / 1000), `${packed.length} pack files + ${loose.length} loose for ${items.length} objects`);
    assert.ok(clone.hasObject(big), 'the large object is loose');
    const set = new PackSet(packsDir);
    for (const i of items) {
      if (i.hex === big.hex) continue;
      const loc = set.lookup('o', i.hex);
      assert.ok(loc, `${i.hex} packed`);
      assert.equal(createHash('sha256').update(set.read(loc)).digest('hex'), i.hex, 'verified bytes');
    }
    set.close();
    assert.ok(!clone.hasObject(createOid('sha256', items.find((i) => i.hex !== big.hex)!.hex)), 'small objects are not also loose');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('regression: a chunked file whose chunks were fetched into a local pack could not be checked out (OBJECT_MISSING: chunks were read from loose files only)', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-fetchpacks-'));
  try {
    const data = pseudoRandom(3 * 1024 * 1024 + 77, 21);
    writeFileSync(join(base, 'big'), data);
    const src = new ObjectStore(join(base, 'src'), { fsync: false });
    const oid = createOid('sha256', ingestFileSync(join(base, 'big'), src.dir).hex);
    assert.ok(src.readChunkList(oid), 'stored chunked');
    const remote = new DirectoryBackend(join(base, 'remote'), 'remote');
    const items = localClosure(src, [{ kind: 'file', oid, what: 'big' }]).items;
    await pushObjects(remote, await RemoteIndex.load(remote, join(base, 'idx'), { jobs: 1, policy }), items, { jobs: 1, policy, reporter: silentReporter });

    const clone = new ObjectStore(join(base, 'clone'), { fsync: false });
    const stats: FetchStats = { objects: 0, bytes: 0, requests: 0, failed: [] };
    // Every chunk packed (a knob above the chunk size): as a file's last, small chunk always is.
    await fetchObjects(remote, await RemoteIndex.load(remote, join(base, 'idx2'), { jobs: 1, policy }), clone, items.map((i) => ({ kind: i.kind, hex: i.hex, what: 'big' })), { jobs: 1, policy, reporter: silentReporter, stats, packs: { writer: clone.packWriter(), maxObject: 1 << 20 } });
    assert.deepEqual(stats.failed, []);
    assert.ok(clone.packs.packs().length > 0, 'the chunks are packed');
    await clone.materialize(oid, join(base, 'out'), { what: 'big', strategy: 'copy' });
    assert.ok(readFileSync(join(base, 'out')).equals(data));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
