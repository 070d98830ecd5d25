import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync, statSync } from 'node:fs';
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

test('objects are written under a temp name in their own fan-out dir: nothing is left in the shared tmp dir, list() never takes a temp file for an object, and only stale temps are removed', () => {
  const dir = tmp();
  try {
    const data = pseudoRandom(3 * 1024 * 1024, 9);
    writeFileSync(join(dir, 'big'), data);
    writeFileSync(join(dir, 'small'), 'x');
    const store = new ObjectStore(join(dir, 'store'));
    const big = ingestFileSync(join(dir, 'big'), store.dir);
    const small = ingestFileSync(join(dir, 'small'), store.dir);
    assert.ok(!existsSync(join(store.dir, 'tmp')) || readdirSync(join(store.dir, 'tmp')).length === 0, 'no temp files in <store>/tmp');
    const before = store.list();
    // What a writer killed between write and rename leaves behind, and what one still running has.
    const fan = join(store.dir, 'objects/sha256', small.hex.slice(0, 2));
    const stale = join(fan, `.${small.hex.slice(2)}.tmp-123-abcd-0`);
    const young = join(fan, `.${small.hex.slice(2)}.tmp-123-abcd-1`);
    writeFileSync(stale, 'partial');
    writeFileSync(young, 'partial');
    utimesSync(stale, new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() - 2 * 3_600_000));
    assert.deepEqual(store.list().map((e) => e.path).sort(), before.map((e) => e.path).sort(), 'temp files are not listed as objects');
    assert.equal(store.removeStaleTemps(3_600_000), 1);
    assert.ok(!existsSync(stale), 'the stale temp is removed');
    assert.ok(existsSync(young), 'a young temp (a writer still running) is kept');
    assert.equal(big.chunked, true);
    assert.equal(readFileSync(join(store.dir, 'objects/sha256', small.hex.slice(0, 2), small.hex.slice(2)), 'utf8'), 'x');
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

test('a chunk missing halfway through a reassembly (writes still in flight) fails as OBJECT_MISSING and leaves no temp file and the old file intact', async () => {
  const dir = tmp();
  try {
    const data = pseudoRandom(8 * 1024 * 1024 + 7, 9);
    writeFileSync(join(dir, 'big'), data);
    const r = ingestFileSync(join(dir, 'big'), join(dir, 'store'));
    const store = new ObjectStore(join(dir, 'store'));
    const oid = createOid('sha256', r.hex);
    const chunks = store.readChunkList(oid)!;
    assert.ok(chunks.length >= 6);
    const victim = chunks[Math.floor(chunks.length / 2)]!.oid.hex;
    rmSync(join(dir, 'store', 'objects', 'sha256', victim.slice(0, 2), victim.slice(2)));
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'big'), 'the old version');
    await assert.rejects(store.materialize(oid, join(dir, 'out', 'big'), { what: 'big', strategy: 'copy' }), { code: 'OBJECT_MISSING' });
    assert.deepEqual(readdirSync(join(dir, 'out')), ['big']);
    assert.equal(readFileSync(join(dir, 'out', 'big'), 'utf8'), 'the old version');
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

test('stat cache file format v2 is pinned (golden): a base with an id, and a journal naming it', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'sc.json');
    const c = StatCache.load(file);
    c.set('data/a.csv', { ino: 7, size: 3, mtimeMs: 1500.25 }, 'ab'.repeat(32));
    c.save(100_000);
    const base = readFileSync(file, 'utf8');
    const id = /^\{"version":2,"id":"([0-9a-f]{16})",/.exec(base)?.[1];
    assert.ok(id, base);
    assert.equal(base, `{"version":2,"id":"${id}","entries":{"data/a.csv":[7,3,1500.25,"${'ab'.repeat(32)}"]}}`);
    const d = StatCache.load(file);
    d.set('data/b.csv', { ino: 8, size: 4, mtimeMs: 1600 }, 'cd'.repeat(32));
    d.delete('data/a.csv');
    d.save(100_000);
    assert.equal(readFileSync(file, 'utf8'), base, 'a small change leaves the base alone');
    assert.equal(readFileSync(`${file}.log`, 'utf8'), `{"version":2,"base":"${id}"}\n["data/b.csv",8,4,1600,"${'cd'.repeat(32)}"]\n["data/a.csv"]\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stat cache journal: rows appended by several saves are read back; a torn line and a journal of an older base are ignored', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'sc.json');
    const st = (ino: number) => ({ ino, size: 1, mtimeMs: 1000 });
    const c = StatCache.load(file);
    for (let i = 0; i < 10; i++) c.set(`f${i}`, st(i), `h${i}`);
    c.save(10_000);
    const d = StatCache.load(file);
    d.set('f1', st(101), 'new1');
    d.save(10_000);
    d.set('f2', st(102), 'new2');
    d.delete('f3');
    d.save(10_000);
    appendFileSync(`${file}.log`, '["f4",104,1,10'); // a crash in the middle of an append
    const e = StatCache.load(file);
    assert.equal(e.get('f1', st(101)), 'new1');
    assert.equal(e.get('f1', st(1)), undefined, 'the journal row replaces the base row');
    assert.equal(e.get('f2', st(102)), 'new2');
    assert.equal(e.get('f3', st(3)), undefined, 'deleted in the journal');
    assert.equal(e.get('f4', st(4)), 'h4', 'the torn line changed nothing');
    // A base rewritten by someone else (new id): the old journal no longer applies.
    const other = JSON.parse(readFileSync(file, 'utf8')) as { id: string };
    writeFileSync(file, readFileSync(file, 'utf8').replace(other.id, '0123456789abcdef'));
    assert.equal(StatCache.load(file).get('f1', st(101)), undefined);
    assert.equal(StatCache.load(file).get('f1', st(1)), 'h1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stat cache: a command that only records rows appends them without reading the base', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'sc.json');
    const c = StatCache.load(file);
    for (let i = 0; i < 50; i++) c.set(`f${i}`, { ino: i, size: 1, mtimeMs: 1000 }, `h${i}`);
    c.save(10_000);
    const base = readFileSync(file, 'utf8');
    const d = StatCache.load(file);
    d.set('f7', { ino: 70, size: 1, mtimeMs: 1000 }, 'new');
    d.save(10_000);
    assert.equal(d.isLoaded, false, 'the base was not parsed');
    assert.equal(readFileSync(file, 'utf8'), base);
    const e = StatCache.load(file);
    assert.equal(e.get('f7', { ino: 70, size: 1, mtimeMs: 1000 }), 'new');
    assert.equal(e.get('f8', { ino: 8, size: 1, mtimeMs: 1000 }), 'h8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stat cache journal is folded into a new base once it outgrows the base, and the journal is removed', () => {
  const dir = tmp();
  try {
    const file = join(dir, 'sc.json');
    const c = StatCache.load(file);
    c.set('seed', { ino: 1, size: 1, mtimeMs: 1000 }, 'x');
    c.save(10_000);
    const firstId = (JSON.parse(readFileSync(file, 'utf8')) as { id: string }).id;
    const d = StatCache.load(file);
    for (let i = 0; i < 3000; i++) d.set(`f${i}`, { ino: i, size: 1, mtimeMs: 1000 }, `h${i}`);
    d.save(10_000);
    const after = JSON.parse(readFileSync(file, 'utf8')) as { id: string; entries: Record<string, unknown> };
    assert.notEqual(after.id, firstId);
    assert.equal(Object.keys(after.entries).length, 3001);
    assert.equal(existsSync(`${file}.log`), false);
    assert.equal(StatCache.load(file).get('f2999', { ino: 2999, size: 1, mtimeMs: 1000 }), 'h2999');
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
