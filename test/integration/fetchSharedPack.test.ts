import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileEntry } from '../../src/core/manifest.js';
import { silentReporter } from '../../src/core/Reporter.js';
import type { Backend, ByteRange } from '../../src/remote/Backend.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { FETCH_FILE_BATCH, fetchClosure, localClosure, type TransferRoot } from '../../src/transfer/closure.js';
import { FRESH_BATCH_FILES } from '../../src/workspace/checkout/freshCheckout.js';
import { PassThroughBackend } from '../helpers/passThroughBackend.js';
import { fastPolicy, pushedTree } from '../helpers/pushedTree.js';

const policy = fastPolicy;


/** The packs holding the files' contents, with their sizes. */
function contentPacks(store: ObjectStore, entries: readonly FileEntry[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entries) {
    const at = store.packs.lookup('o', e.oid.hex);
    assert.ok(at, `${e.path} is packed`);
    out.set(at.file, statSync(at.file).size);
  }
  return out;
}

test('a fetch in batches sealed a partial pack per batch (50 at 1M files in batches of 20,000: an automatic repack of the whole fetch); now every batch appends to one writer: full packs, and one partial pack at the end', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-fetchpack-'));
  try {
    const { remote, roots, entries } = await pushedTree(base);
    // One pack for everything: 350 files in 3 batches land in one pack.
    const one = new ObjectStore(join(base, 'one'));
    const stats = await fetchClosure(remote, await RemoteIndex.load(remote, join(base, 'idx-1'), { jobs: 2, policy }), one, roots, { jobs: 2, policy, reporter: silentReporter, fileBatch: 150 });
    assert.deepEqual(stats.failed, []);
    assert.equal(stats.batches, 3);
    assert.equal(stats.objects - (await countPages(one, roots)), 300, 'each distinct content fetched once, across batches and the writer\'s open pack');
    assert.equal(contentPacks(one, entries).size, 1, 'the contents of 3 batches in one pack');

    // A pack target of 40 KB (~55 entries): the contents fill full packs as the fetch goes; only the last is partial.
    const target = 40_000;
    const small = new ObjectStore(join(base, 'small'), { packTargetBytes: target });
    const s2 = await fetchClosure(remote, await RemoteIndex.load(remote, join(base, 'idx-2'), { jobs: 2, policy }), small, roots, { jobs: 2, policy, reporter: silentReporter, fileBatch: 150 });
    assert.deepEqual(s2.failed, []);
    const sizes = [...contentPacks(small, entries).values()];
    assert.ok(sizes.length >= 5, `${sizes.length} content packs`);
    assert.ok(sizes.filter((n) => n < target).length <= 1, `at most one partial content pack: ${sizes.join(', ')}`);
    for (const e of entries) assert.ok(small.hasObject(e.oid), e.path);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

/** Manifest pages the fetch stored (the objects that are not file contents). */
async function countPages(store: ObjectStore, roots: readonly TransferRoot[]): Promise<number> {
  return localClosure(store, roots).items.filter((i) => i.meta).length;
}

test('TROVE_FETCH_FILE_BATCH sets how many files a fetch plans at once', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-fetchpack-'));
  const saved = process.env.TROVE_FETCH_FILE_BATCH;
  try {
    const { remote, roots, entries } = await pushedTree(base);
    process.env.TROVE_FETCH_FILE_BATCH = '60';
    const dst = new ObjectStore(join(base, 'dst'));
    const stats = await fetchClosure(remote, await RemoteIndex.load(remote, join(base, 'idx'), { jobs: 2, policy }), dst, roots, { jobs: 2, policy, reporter: silentReporter });
    assert.equal(stats.batches, 6, '350 files in batches of at most 60');
    for (const e of entries) assert.ok(dst.hasObject(e.oid), e.path);
  } finally {
    if (saved === undefined) delete process.env.TROVE_FETCH_FILE_BATCH;
    else process.env.TROVE_FETCH_FILE_BATCH = saved;
    rmSync(base, { recursive: true, force: true });
  }
});

test('fetch planned 100,000 files at a time and a fresh checkout placed 65,536 (386 MB and 405 MB RSS at 200,000 files, V8 growing its heap 3-4x past each batch); the measured defaults are 20,000 and 16,384', () => {
  assert.ok(FETCH_FILE_BATCH <= 20_000, `FETCH_FILE_BATCH ${FETCH_FILE_BATCH}`);
  assert.ok(FRESH_BATCH_FILES <= 16_384, `FRESH_BATCH_FILES ${FRESH_BATCH_FILES}`);
});

/** A directory remote whose pack reads stop answering after `after` of them: the fetch freezes mid-batch, as a killed one stops. */
class FreezingBackend extends PassThroughBackend {
  readonly readOnly = true;
  readonly display = 'freezing';
  reads = 0;
  frozen = false;
  constructor(
    inner: Backend,
    private readonly after: number,
  ) {
    super(inner);
  }
  override put(): Promise<void> {
    throw new Error('read-only');
  }
  override async get(key: string, range?: ByteRange): Promise<Buffer> {
    if (key.endsWith('.pack') && ++this.reads > this.after) {
      this.frozen = true;
      return new Promise<Buffer>(() => {});
    }
    return this.inner.get(key, range);
  }
}

test('a fetch stopped half way, with full packs sealed and one still open, leaves a store the next fetch completes, fetching only what is not sealed', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-fetchpack-'));
  try {
    const { remote, roots, entries } = await pushedTree(base);
    const dir = join(base, 'dst');
    const target = 40_000;
    // Count the pack reads of a whole fetch, then stop the real one at its last read (the last batch's contents).
    const counting = new FreezingBackend(remote, Number.POSITIVE_INFINITY);
    await fetchClosure(counting, await RemoteIndex.load(counting, join(base, 'idx-0'), { jobs: 1, policy }), new ObjectStore(join(base, 'count'), { packTargetBytes: target }), roots, { jobs: 1, policy, reporter: silentReporter, fileBatch: 150 });
    const frozen = new FreezingBackend(remote, counting.reads - 1);
    void fetchClosure(frozen, await RemoteIndex.load(frozen, join(base, 'idx-1'), { jobs: 1, policy }), new ObjectStore(dir, { packTargetBytes: target }), roots, { jobs: 1, policy, reporter: silentReporter, fileBatch: 150 });
    while (!frozen.frozen) await new Promise((r) => setTimeout(r, 5));
    const packsDir = join(dir, 'packs');
    assert.ok(readdirSync(packsDir).some((n) => n.startsWith('.') && n.includes('.tmp-')), 'a pack still open (its temp) when the fetch stopped');

    // The next fetch (another process would see the same files): the sealed packs count, the open one does not exist.
    const again = new ObjectStore(dir, { packTargetBytes: target });
    const sealedBefore = entries.filter((e) => again.hasObject(e.oid)).length;
    assert.ok(sealedBefore > 0 && sealedBefore < entries.length, `${sealedBefore} files' contents sealed before the stop`);
    const stats = await fetchClosure(remote, await RemoteIndex.load(remote, join(base, 'idx-2'), { jobs: 2, policy }), again, roots, { jobs: 2, policy, reporter: silentReporter, fileBatch: 150 });
    assert.deepEqual(stats.failed, []);
    assert.ok(stats.objects < 300, `only what was not sealed is fetched again (${stats.objects})`);
    for (const e of entries) {
      assert.ok(again.hasObject(e.oid), e.path);
      assert.equal(again.readObject(e.oid, e.path).length, e.size);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
