import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { serializePackIndex } from '../../src/core/packIndex.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentReporter } from '../../src/core/Reporter.js';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { pushObjects, type PushItem } from '../../src/transfer/pushObjects.js';
import { localClosure } from '../../src/transfer/closure.js';
import { pseudoRandom } from '../helpers/tmpRepo.js';
import { parseLocalPackIndex } from '../../src/core/localPackIndex.js';

const policy = { retries: 1, baseDelayMs: 1, maxDelayMs: 2 };

async function pushed(n: number): Promise<{ base: string; dir: DirectoryBackend; cache: string; items: PushItem[] }> {
  const base = mkdtempSync(join(tmpdir(), 'trove-rindex-'));
  const store = new ObjectStore(join(base, 'store'));
  const roots = Array.from({ length: n }, (_, i) => ({ kind: 'file' as const, oid: store.putBytes(pseudoRandom(100 + i, i)).oid, what: `f${i}` }));
  const dir = new DirectoryBackend(join(base, 'remote'), 'r');
  const cache = join(base, 'cache');
  const items = localClosure(store, roots).items;
  await pushObjects(dir, await RemoteIndex.load(dir, cache, { jobs: 1, policy }), items, { jobs: 2, policy, reporter: silentReporter });
  return { base, dir, cache, items };
}

test('RemoteIndex: each remote .idx is fetched once and cached in binary (the local pack index format); a lookup reads one fan-out bucket per pack', async () => {
  const s = await pushed(600);
  try {
    const cached = readdirSync(s.cache);
    assert.ok(cached.length > 0 && cached.every((n) => n.endsWith('.tidx')), cached.join(' '));
    // The local pack index format, checked whole (trailer, order, tiling) by its own parser.
    const parsed = cached.flatMap((n) => parseLocalPackIndex(readFileSync(join(s.cache, n)), n).entries);
    assert.equal(parsed.length, s.items.length);
    const index = await RemoteIndex.load(s.dir, s.cache, { jobs: 1, policy });
    assert.equal(index.requests, 2, 'format marker and listing only: no index was downloaded');
    assert.ok(s.items.every((i) => index.has(i.kind, i.hex)));
    assert.equal(index.has('o', 'ab'.repeat(32)), false);
    assert.equal(index.has('f', s.items[0]!.hex), false, 'the kind is part of the key');
    assert.ok(index.bucketReads <= 256 * index.packs.size, `${index.bucketReads} bucket reads for ${s.items.length} lookups in ${index.packs.size} packs`);
    const loc = index.locate('o', s.items[7]!.hex)!;
    assert.equal(loc.entry.length, s.items[7]!.size);
    const all = [...index.packs.values()].flatMap((p) => p.entries());
    assert.equal(all.length, s.items.length);
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('RemoteIndex: a rotted cached index is not believed; it is rebuilt from the remote', async () => {
  const s = await pushed(50);
  try {
    const [name] = readdirSync(s.cache);
    const file = join(s.cache, name!);
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    writeFileSync(file, bytes);
    const index = await RemoteIndex.load(s.dir, s.cache, { jobs: 1, policy });
    assert.equal(index.requests, 3, 'the index was read from the remote again');
    assert.ok(s.items.every((i) => index.has(i.kind, i.hex)));
    assert.notDeepEqual(readFileSync(file), bytes, 'the cache was rewritten');
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('RemoteIndex: a text index cached by an earlier trove is converted without a request', async () => {
  const s = await pushed(20);
  try {
    const [file] = readdirSync(s.cache);
    const name = file!.replace(/\.tidx$/, '');
    rmSync(join(s.cache, file!));
    writeFileSync(join(s.cache, `${name}.idx`), readFileSync(join(s.base, 'remote', 'packs', `${name}.idx`)));
    const index = await RemoteIndex.load(s.dir, s.cache, { jobs: 1, policy });
    assert.equal(index.requests, 2);
    assert.deepEqual(readdirSync(s.cache), [`${name}.tidx`]);
    assert.ok(s.items.every((i) => index.has(i.kind, i.hex)));
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('RemoteIndex: a bucket cache too small for one bucket still answers every lookup (read again each time)', async () => {
  const s = await pushed(300);
  try {
    const index = await RemoteIndex.load(s.dir, s.cache, { jobs: 1, policy, bucketCacheBytes: 0 });
    assert.ok(s.items.every((i) => index.has(i.kind, i.hex)));
    assert.ok(index.bucketReads >= s.items.length, 'nothing was kept');
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('regression: a remote index listing an object twice was cached without the copy, and walking that pack (gc -r, fsck -r) failed on entries that no longer tile it', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-rindex-'));
  try {
    const blob = pseudoRandom(300, 5);
    const hex = createHash('sha256').update(blob).digest('hex');
    const { text } = serializePackIndex([
      { kind: 'o', hex, length: blob.length, digest: hex },
      { kind: 'o', hex, length: blob.length, digest: hex },
    ]);
    const name = createHash('sha256').update(text).digest('hex');
    mkdirSync(join(base, 'remote', 'packs'), { recursive: true });
    writeFileSync(join(base, 'remote', 'packs', `${name}.pack`), Buffer.concat([blob, blob]));
    writeFileSync(join(base, 'remote', 'packs', `${name}.idx`), text);
    const dir = new DirectoryBackend(join(base, 'remote'), 'r');
    const index = await RemoteIndex.load(dir, join(base, 'cache'), { jobs: 1, policy });
    assert.deepEqual(index.badIndexes, []);
    assert.ok(index.has('o', hex));
    assert.deepEqual(index.packs.get(name)!.entries().map((e) => [e.offset, e.length]), [[0, 300]]);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
