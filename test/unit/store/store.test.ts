import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectStore } from '../../../src/store/ObjectStore.js';
import { ingestFileSync } from '../../../src/store/ingestSync.js';
import { ingestMany } from '../../../src/store/ingestPool.js';
import { StatCache } from '../../../src/store/StatCache.js';
import { createOid } from '../../../src/core/oid.js';
import { pseudoRandom } from '../../helpers/tmpRepo.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'trove-unit-'));
}

test('a small file is stored whole, read-only, under its sha256 with fan-out', () => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'f'), 'hello');
    const r = ingestFileSync(join(dir, 'f'), join(dir, 'store'));
    assert.equal(r.hex, createHash('sha256').update('hello').digest('hex'));
    const p = join(dir, 'store/objects/sha256', r.hex.slice(0, 2), r.hex.slice(2));
    assert.equal(readFileSync(p, 'utf8'), 'hello');
    assert.equal(statSync(p).mode & 0o777, 0o444);
    assert.equal(ingestFileSync(join(dir, 'f'), join(dir, 'store')).written, 0, 'identical content is stored once');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a large file is chunked, and materialize reassembles and verifies it', async () => {
  const dir = tmp();
  try {
    const data = pseudoRandom(6 * 1024 * 1024 + 123, 5);
    writeFileSync(join(dir, 'big'), data);
    const r = ingestFileSync(join(dir, 'big'), join(dir, 'store'));
    assert.equal(r.chunked, true);
    assert.equal(r.hex, createHash('sha256').update(data).digest('hex'));
    const store = new ObjectStore(join(dir, 'store'));
    const chunks = store.readChunkList(createOid('sha256', r.hex))!;
    assert.ok(chunks.length >= 6);
    assert.equal(chunks.reduce((s, c) => s + c.size, 0), data.length);
    await store.materialize(createOid('sha256', r.hex), join(dir, 'out'), { what: 'big', strategy: 'copy' });
    assert.deepEqual(readFileSync(join(dir, 'out')), data);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the worker-thread pool gives the same digests as the inline path', async () => {
  const dir = tmp();
  try {
    const items = [];
    for (let i = 0; i < 300; i++) {
      writeFileSync(join(dir, `f${i}`), pseudoRandom(70_000 + i, i + 1));
      items.push({ path: join(dir, `f${i}`), size: 70_000 + i });
    }
    writeFileSync(join(dir, 'big'), pseudoRandom(20 * 1024 * 1024, 77));
    items.push({ path: join(dir, 'big'), size: 20 * 1024 * 1024 });
    const pooled = await ingestMany(items, join(dir, 'store'), { jobs: 2 });
    const inline = items.map((it) => ingestFileSync(it.path, null).hex);
    assert.deepEqual(pooled.map((o) => (o.ok ? o.result.hex : 'error')), inline);
    const store = new ObjectStore(join(dir, 'store'));
    assert.ok(store.hasFile(createOid('sha256', inline[300]!)), 'the big file was stored chunked by the pool');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stat cache: a matching stat is a hit; any change of inode, size or mtime is a miss', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'sc.json');
    const c = StatCache.load(file);
    const st = { ino: 1, size: 2, mtimeMs: 1000 };
    c.set('a', st, 'abc');
    c.save(10_000);
    const d = StatCache.load(file);
    assert.equal(d.get('a', st), 'abc');
    assert.equal(d.get('a', { ...st, ino: 9 }), undefined);
    assert.equal(d.get('a', { ...st, size: 3 }), undefined);
    assert.equal(d.get('a', { ...st, mtimeMs: 1001 }), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stat cache does not trust an entry whose mtime is as new as the save (racy-git guard)', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'sc.json');
    const c = StatCache.load(file);
    c.set('a', { ino: 1, size: 1, mtimeMs: 5000 }, 'x');
    c.save(5001);
    assert.equal(StatCache.load(file).get('a', { ino: 1, size: 1, mtimeMs: 5000 }), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('racy-git window follows the file system: whole-second mtimes in the same or previous second are not trusted', async () => {
  const { isRacy } = await import('../../../src/store/StatCache.js');
  assert.equal(isRacy(10_000, 10_900), true, 'coarse mtime in the same second as the save');
  assert.equal(isRacy(8_000, 10_900), false, 'coarse mtime two seconds before');
  assert.equal(isRacy(10_123.456, 10_124), true, 'fine mtime within 2 ms');
  assert.equal(isRacy(10_100.5, 10_124), false, 'fine mtime 24 ms before');
});

test('stat cache file format v1 is pinned (golden)', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'sc.json');
    const c = StatCache.load(file);
    c.set('data/a.csv', { ino: 7, size: 3, mtimeMs: 1500.25 }, 'ab'.repeat(32));
    c.save(100_000);
    assert.equal(readFileSync(file, 'utf8'), `{"version":1,"entries":{"data/a.csv":[7,3,1500.25,"${'ab'.repeat(32)}"]}}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('chunk list format v1 is pinned (golden)', async () => {
  const { serializeChunkList, parseChunkList } = await import('../../../src/store/chunkList.js');
  const text = serializeChunkList([{ size: 65536, oid: createOid('sha256', '1'.repeat(64)) }, { size: 7, oid: createOid('sha256', '2'.repeat(64)) }]);
  assert.equal(text, `trove-chunks 1 fastcdc-v1\n65536 sha256:${'1'.repeat(64)}\n7 sha256:${'2'.repeat(64)}\n`);
  assert.deepEqual(parseChunkList(text, 'x').map((c) => c.size), [65536, 7]);
});
