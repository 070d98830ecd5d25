import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareEntries } from '../../src/core/manifestTree.js';
import type { ManifestEntry } from '../../src/core/manifest.js';
import { silentReporter } from '../../src/core/Reporter.js';
import type { ByteRange } from '../../src/remote/Backend.js';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { listManifestPages, writeManifest } from '../../src/store/manifestIO.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { fetchClosure, localClosure, type TransferRoot } from '../../src/transfer/closure.js';
import { planPacks, pushObjects, type PushItem } from '../../src/transfer/pushObjects.js';
import { pseudoRandom } from '../helpers/tmpRepo.js';

const policy = { retries: 2, baseDelayMs: 1, maxDelayMs: 5 };

/** A directory remote seen through `stream`, as S3 is: records what each pack read asked for. */
class StreamingDirectory extends DirectoryBackend {
  readonly reads: { key: string; range: ByteRange | undefined }[] = [];
  async *stream(key: string, range?: ByteRange): AsyncGenerator<Uint8Array> {
    if (key.endsWith('.pack')) this.reads.push({ key, range });
    yield await this.get(key, range);
  }
}

test('planPacks never puts manifest pages or chunk lists in a pack with data, and packs them first', () => {
  const items: PushItem[] = [];
  for (let i = 0; i < 400; i++) items.push({ kind: 'o', hex: i.toString(16).padStart(64, '0'), size: 20_000 + (i % 7) * 1000, path: `/x/${i}`, digest: '', meta: i % 5 === 0 });
  items.push({ kind: 'f', hex: 'f'.repeat(64), size: 21_000, path: '/x/f', digest: '', meta: true });
  const packs = planPacks(items, 2);
  assert.ok(packs.length >= 2);
  for (const pack of packs) assert.ok(pack.every((i) => i.meta) || pack.every((i) => !i.meta), 'a pack is all metadata or all data');
  const firstData = packs.findIndex((p) => !p[0]!.meta);
  assert.ok(packs.slice(firstData).every((p) => !p[0]!.meta), 'metadata packs come first');
  assert.equal(packs.flat().length, items.length);
});

test('regression: a directory fetch from a streaming remote read manifest pages out of data packs, one ranged read each (67 requests for W2); now it reads every data pack once, whole', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-packplan-'));
  try {
    const src = new ObjectStore(join(base, 'src'));
    const fixed: ManifestEntry[] = [];
    // 3,000 files of 1-9 KB: the manifest has many leaf pages, of sizes close to the files'.
    for (let i = 0; i < 3000; i++) {
      const data = pseudoRandom(1000 + ((i * 7919) % 8000), i + 1);
      fixed.push({ path: `d${String(i % 30).padStart(2, '0')}/f${i}.bin`, mode: 'f', size: data.length, oid: src.putBytes(data).oid });
    }
    fixed.sort(compareEntries);
    const { root } = writeManifest(src, fixed);
    const pages = listManifestPages(src, root, 'data');
    assert.ok(pages.length > 4, `the tree has several pages (${pages.length})`);
    const roots: TransferRoot[] = [{ kind: 'dir', oid: root, what: 'data' }];
    const remote = new StreamingDirectory(join(base, 'remote'), 'remote');
    Object.defineProperty(remote, 'local', { value: false }); // take the streaming path, as a network remote does
    const pushed = await pushObjects(remote, await RemoteIndex.load(remote, join(base, 'idx-push'), { jobs: 4, policy }), localClosure(src, roots).items, { jobs: 4, policy, reporter: silentReporter });
    assert.deepEqual(pushed.failed, []);

    const index = await RemoteIndex.load(remote, join(base, 'idx-fetch'), { jobs: 4, policy });
    const pageHexes = new Set(pages.map((p) => p.hex));
    const dataPacks = [...index.packs].filter(([, p]) => p.entries().every((e) => !pageHexes.has(e.hex))).map(([name]) => name);
    const metaPacks = [...index.packs].filter(([, p]) => p.entries().every((e) => pageHexes.has(e.hex))).map(([name]) => name);
    assert.equal(dataPacks.length + metaPacks.length, index.packs.size, 'no pack mixes pages and file data');
    assert.ok(dataPacks.length >= 2);

    const dst = new ObjectStore(join(base, 'dst'));
    const stats = await fetchClosure(remote, index, dst, roots, { jobs: 4, policy, reporter: silentReporter });
    assert.deepEqual(stats.failed, []);
    for (const e of fixed) if (e.mode !== 'l') assert.ok(dst.hasObject(e.oid), e.path);
    for (const name of dataPacks) {
      const reads = remote.reads.filter((r) => r.key.includes(name));
      assert.equal(reads.length, 1, `data pack ${name.slice(0, 8)} is read once`);
      assert.equal(reads[0]!.range, undefined, 'whole, without a range');
    }
    assert.ok(remote.reads.every((r) => metaPacks.some((m) => r.key.includes(m)) || dataPacks.some((d) => r.key.includes(d))));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
