import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { serializePackIndex } from '../../src/core/packIndex.js';
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

/** A local pack made by hand as the store's PackWriter makes one: entries concatenated, named by the sha256 of their text index. */
function localPack(dir: string, blobs: Buffer[], meta = false): { name: string; file: string; items: PushItem[] } {
  const hexes = blobs.map((b) => createHash('sha256').update(b).digest('hex'));
  const { text, entries } = serializePackIndex(blobs.map((b, i) => ({ kind: 'o' as const, hex: hexes[i]!, length: b.length, digest: hexes[i]! })));
  const name = createHash('sha256').update(text).digest('hex');
  const file = join(dir, `${name}.pack`);
  writeFileSync(file, Buffer.concat(blobs));
  // Listed out of order, as a closure walk finds them.
  const items = entries.map((e) => ({ kind: e.kind, hex: e.hex, size: e.length, path: file, offset: e.offset, digest: e.digest, ...(meta ? { meta } : {}) })).reverse();
  return { name, file, items };
}

test('a whole local pack is sent as one remote pack with the same name; entries of one local pack stay together in offset order', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-packplan-'));
  try {
    const a = localPack(base, Array.from({ length: 40 }, (_, i) => pseudoRandom(300 + i * 17, i + 1)));
    const b = localPack(base, Array.from({ length: 25 }, (_, i) => pseudoRandom(200 + i * 13, i + 100)), true);
    const loose = { kind: 'o' as const, hex: 'f'.repeat(64), size: 10, path: join(base, 'loose'), digest: 'f'.repeat(64) };
    const plan = planPacks([...a.items, loose, ...b.items], 4);
    const ofA = plan.filter((p) => p.some((i) => i.path === a.file));
    assert.equal(ofA.length, 1, 'one planned pack holds every entry of the local pack');
    assert.deepEqual(ofA[0]!.map((i) => i.offset), [...a.items].map((i) => i.offset!).sort((x, y) => x - y));
    assert.ok(ofA[0]!.every((i) => i.path === a.file), 'nothing else shares it');
    assert.ok(plan[0]!.every((i) => i.path === b.file), 'a metadata local pack goes first');

    const remote = new DirectoryBackend(join(base, 'remote'), 'remote');
    const out = await pushObjects(remote, await RemoteIndex.load(remote, join(base, 'idx'), { jobs: 2, policy }), [...a.items, ...b.items], { jobs: 2, policy, reporter: silentReporter });
    assert.deepEqual(out.failed, []);
    const names = readdirSync(join(base, 'remote', 'packs')).filter((n) => n.endsWith('.pack')).sort();
    assert.deepEqual(names, [`${a.name}.pack`, `${b.name}.pack`].sort(), 'the remote packs carry the local names');
    assert.ok(readFileSync(join(base, 'remote', 'packs', `${a.name}.pack`)).equals(readFileSync(a.file)), 'byte for byte the local pack');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a corrupt local pack entry stops push with CORRUPT_OBJECT naming the pack', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-packplan-'));
  try {
    const a = localPack(base, Array.from({ length: 10 }, (_, i) => pseudoRandom(500, i + 1)));
    const bytes = readFileSync(a.file);
    bytes[2222] = bytes[2222]! ^ 0x01; // inside the fifth entry
    writeFileSync(a.file, bytes);
    const remote = new DirectoryBackend(join(base, 'remote'), 'remote');
    const out = await pushObjects(remote, await RemoteIndex.load(remote, join(base, 'idx'), { jobs: 1, policy }), a.items, { jobs: 1, policy: { ...policy, retries: 0 }, reporter: silentReporter });
    assert.ok(out.failed.length > 0);
    assert.match(out.failed[0]!.message, new RegExp(`corrupt.*|local pack ${a.name}\\.pack at offset 2000`));
    assert.match(out.failed[0]!.message, new RegExp(`${a.name}\\.pack`));
    assert.equal(existsSync(join(base, 'remote', 'packs', `${a.name}.pack`)), false, 'nothing corrupt was published');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
