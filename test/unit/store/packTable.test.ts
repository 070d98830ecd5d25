import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackWriter } from '../../../src/store/pack/PackWriter.js';
import { PACK_TABLE_AFTER, PackSet, tableAfterFor } from '../../../src/store/pack/PackSet.js';
import { PackTable, keyWords } from '../../../src/store/pack/PackTable.js';
import { LOOSE_LISTING_AFTER, ObjectStore } from '../../../src/store/ObjectStore.js';
import { retirePacks } from '../../../src/store/pack/retire.js';
import { createOid } from '../../../src/core/oid.js';
import type { PackEntryKind } from '../../../src/core/packIndex.js';

const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** A deterministic generator (xorshift32), so a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function storeDir(): string {
  return fs.mkdtempSync(join(tmpdir(), 'trove-packtable-'));
}

function publish(dir: string, entries: readonly { kind: PackEntryKind; hex: string; bytes: Buffer }[]): string | undefined {
  const w = new PackWriter(dir, { fsync: false });
  for (const e of entries) w.append(e.kind, e.hex, e.bytes);
  return w.finish()[0]?.name;
}

const NEVER = Number.MAX_SAFE_INTEGER;

test('the in-memory table answers every lookup exactly as the per-pack search does (random packs, duplicates across packs and kinds, bad list)', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const rand = rng(seed);
    const store = storeDir();
    const dir = join(store, 'packs');
    const pool = Array.from({ length: 300 }, (_, i) => Buffer.from(`seed ${seed} object ${i}`));
    const packCount = Math.floor(rand() * 9);
    const names: string[] = [];
    for (let p = 0; p < packCount; p++) {
      const entries = [];
      for (let j = Math.floor(rand() * 80); j > 0; j--) {
        const b = pool[Math.floor(rand() * pool.length)]!;
        // The same oid as an object and as a chunk list ('f' keeps the file's hex, with other bytes).
        if (rand() < 0.3) entries.push({ kind: 'f' as const, hex: sha(b), bytes: Buffer.concat([b, Buffer.from(' list')]) });
        else entries.push({ kind: 'o' as const, hex: sha(b), bytes: b });
      }
      const name = publish(dir, entries);
      if (name) names.push(name);
    }
    // Distinct mtimes: "newest" is the same order for both sets whatever the clock's resolution.
    const t = Date.now() / 1000;
    names.forEach((n, i) => fs.utimesSync(join(dir, `${n}.tidx`), t - 1000 + i, t - 1000 + i));
    const perPack = new PackSet(dir, { tableAfter: NEVER });
    const table = new PackSet(dir, { tableAfter: 0 });
    if (packCount > 0 && rand() < 0.5) for (let k = 0; k < 5; k++) perPack.markBad(sha(pool[Math.floor(rand() * pool.length)]!));
    const asked = [...pool.map((b) => sha(b)), sha('never stored'), 'f'.repeat(64), '0'.repeat(64)];
    for (const kind of ['o', 'f'] as const) {
      for (const hex of asked) assert.deepEqual(table.lookup(kind, hex), perPack.lookup(kind, hex), `seed ${seed}, ${kind} ${hex}`);
      assert.deepEqual(table.hasMany(kind, asked), perPack.hasMany(kind, asked), `seed ${seed}, hasMany ${kind}`);
    }
    perPack.close();
    table.close();
    fs.rmSync(store, { recursive: true, force: true });
  }
});

test('the table answers absent for an empty packs directory and for a store without one (format 1)', () => {
  const store = storeDir();
  const none = new PackSet(join(store, 'packs'), { tableAfter: 0 });
  assert.equal(none.lookup('o', sha('x'), true), undefined);
  assert.deepEqual(none.hasMany('o', [sha('x')]), [false]);
  fs.mkdirSync(join(store, 'packs'));
  const empty = new PackSet(join(store, 'packs'), { tableAfter: 0 });
  assert.equal(empty.has('o', sha('x')), false);
  fs.rmSync(store, { recursive: true, force: true });
});

test('lookups over 40 packs cost O(packs) index reads once the table is built, not one bucket read per pack per lookup', () => {
  const store = storeDir();
  const dir = join(store, 'packs');
  const blobs = Array.from({ length: 40 * 50 }, (_, i) => Buffer.from(`blob ${i}`));
  for (let p = 0; p < 40; p++) publish(dir, blobs.slice(p * 50, p * 50 + 50).map((b) => ({ kind: 'o' as const, hex: sha(b), bytes: b })));
  const set = new PackSet(dir, { tableAfter: 16 });
  for (let i = 0; i < 16; i++) set.has('o', sha(`miss ${i}`));
  const beforeTable = set.reads.index;
  // 40 heads, then a bucket read in each pack whose bucket for the oid is not empty (~18% at 50 entries a pack)
  assert.ok(beforeTable - 40 >= 64, `below the threshold a miss reads buckets across the packs (${beforeTable})`);
  let found = 0;
  for (let i = 0; i < 5000; i++) if (set.has('o', i % 2 ? sha(blobs[i % blobs.length]!) : sha(`miss ${i}`))) found++;
  assert.equal(found, 2500);
  const afterTable = set.reads.index - beforeTable;
  assert.ok(afterTable <= 2 * 40, `5,000 lookups after the table cost ${afterTable} index reads: the table's build (oids + kinds per pack), nothing per lookup`);
  set.close();
  fs.rmSync(store, { recursive: true, force: true });
});

test('a one-file add never builds the table: a few lookups read one bucket per pack', () => {
  const store = storeDir();
  const dir = join(store, 'packs');
  for (let p = 0; p < 5; p++) publish(dir, [{ kind: 'o', hex: sha(`p${p}`), bytes: Buffer.from(`p${p}`) }]);
  const set = new PackSet(dir);
  for (let i = 0; i < 3; i++) set.has('o', sha(`miss ${i}`));
  // 5 heads + at most one bucket per pack per lookup; a table would read 2 sections per pack on top
  assert.ok(set.reads.index <= 5 + 3 * 5, `${set.reads.index}`);
  set.close();
  fs.rmSync(store, { recursive: true, force: true });
});

test('a status at a million files built the whole table for a few hundred page reads: the default threshold grows with entries per pack, so a few hundred lookups on large packs read buckets, and many still build it', () => {
  assert.equal(tableAfterFor(1_000_000, 37), 13_514, 'the 1M benchmark store: 37 packs');
  assert.equal(tableAfterFor(200, 40), PACK_TABLE_AFTER, 'small packs: the floor');
  assert.equal(tableAfterFor(0, 0), PACK_TABLE_AFTER);
  const store = storeDir();
  const dir = join(store, 'packs');
  const blobs = Array.from({ length: 4 * 2000 }, (_, i) => Buffer.from(`big pack blob ${i}`));
  for (let p = 0; p < 4; p++) publish(dir, blobs.slice(p * 2000, p * 2000 + 2000).map((b) => ({ kind: 'o' as const, hex: sha(b), bytes: b })));
  const set = new PackSet(dir);
  assert.equal(set.tableAfter, 1000, '8,000 entries in 4 packs');
  for (let i = 0; i < 300; i++) assert.equal(set.has('o', sha(blobs[(i * 7) % blobs.length]!)), true);
  const tableReads = 4 * 2; // oids + kinds of each pack
  const before = set.reads.index;
  // With a table, 300 more lookups read nothing; without one, each reads a bucket in up to 4 packs.
  for (let i = 0; i < 300; i++) set.has('o', sha(`miss ${i}`));
  assert.ok(set.reads.index - before >= 300, `300 misses below the threshold read buckets (${set.reads.index - before} reads): no table was built`);
  for (let i = 0; i < 1000; i++) set.has('o', sha(`more ${i}`));
  const built = set.reads.index;
  for (let i = 0; i < 1000; i++) set.has('o', sha(`after ${i}`));
  assert.equal(set.reads.index, built, 'past the threshold the table is built: lookups read nothing more');
  assert.ok(built - before <= 300 * 4 + 700 * 4 + tableReads);
  set.close();
  fs.rmSync(store, { recursive: true, force: true });
});

test('a pack this process publishes is found without a reload, and joining the table reads only that pack', async () => {
  const store = storeDir();
  const os = new ObjectStore(store, { fsync: false, packTableAfter: 0 });
  await os.putObjects(Array.from({ length: 30 }, (_, i) => Buffer.from(`first ${i}`)));
  for (let p = 0; p < 10; p++) await os.putObjects([Buffer.from(`filler ${p}`)]);
  assert.equal(os.hasObject(createOid('sha256', sha('first 0'))), true, 'table built');
  const reads = os.packs.reads.index;
  const late = Buffer.from('published later by this process');
  await os.putObjects([late]);
  assert.equal(os.packs.has('o', sha(late)), true, 'found with no re-listing on the miss');
  // the new pack's head, oids and kinds: 3 reads, not the 11 packs' tables again
  assert.equal(os.packs.reads.index - reads, 3);
  assert.equal(os.hasObject(createOid('sha256', sha('first 29'))), true);
  os.packs.close();
  fs.rmSync(store, { recursive: true, force: true });
});

test('a pack retired by a concurrent gc after the table was built: its entries are read from the pack that replaced it', () => {
  const store = storeDir();
  const dir = join(store, 'packs');
  const blobs = Array.from({ length: 20 }, (_, i) => Buffer.from(`kept ${i}`));
  const old = publish(dir, blobs.map((b) => ({ kind: 'o' as const, hex: sha(b), bytes: b })))!;
  publish(dir, [{ kind: 'o', hex: sha('other'), bytes: Buffer.from('other') }]);
  const os = new ObjectStore(store, { fsync: false, packTableAfter: 0 });
  assert.equal(os.hasObject(createOid('sha256', sha('other'))), true, 'table built over both packs');
  // gc (another process): the live entries into a new pack first, then the old pack retired
  publish(dir, [...blobs, Buffer.from('extra')].map((b) => ({ kind: 'o' as const, hex: sha(b), bytes: b })));
  retirePacks(store, [old], { fsync: false });
  for (const b of blobs) assert.deepEqual(os.readObject(createOid('sha256', sha(b)), 'kept'), b);
  assert.equal(os.packs.packs().some((p) => p.name === old), false, 'the retired pack left the set');
  os.packs.close();
  fs.rmSync(store, { recursive: true, force: true });
});

test('PackTable: an entry added again by a later pack is answered from the later one, and the table grows past its first size', () => {
  const t = new PackTable();
  const oids = (hexes: string[]): Buffer => Buffer.concat(hexes.map((h) => Buffer.from(h, 'hex')));
  const many = Array.from({ length: 3000 }, (_, i) => sha(`e${i}`)).sort();
  t.addPack(oids(many), Buffer.alloc(many.length, 'o'));
  const again = [many[7]!];
  t.addPack(oids(again), Buffer.from('o'));
  assert.deepEqual(t.find('o', keyWords(many[7]!)), { pack: 1, index: 0 });
  assert.deepEqual(t.find('o', keyWords(many[2999]!)), { pack: 0, index: 2999 });
  assert.equal(t.find('f', keyWords(many[0]!)), undefined);
  assert.equal(t.find('o', keyWords(sha('absent'))), undefined);
  assert.ok(t.bytes <= 3001 * 50, `${t.bytes} bytes for 3,001 entries`);
});

test('a loose object this process writes after the dedupe listing is seen by the next dedupe check, and a must-find check still sees another writer\'s', async () => {
  const store = storeDir();
  const os = new ObjectStore(store, { fsync: false });
  const other = new ObjectStore(store, { fsync: false });
  const early = os.putBytes(Buffer.from('loose before the listing')).oid;
  for (let i = 0; i < LOOSE_LISTING_AFTER; i++) assert.equal(os.hasObject(createOid('sha256', sha(`new ${i}`)), { reload: false }), false);
  assert.equal(os.hasObject(early, { reload: false }), true, 'listed');
  const mine = os.putBytes(Buffer.from('written by this process after the listing')).oid;
  assert.equal(os.hasObject(mine, { reload: false }), true, 'the listing is updated on write');
  const theirs = other.putBytes(Buffer.from('written by another process after the listing')).oid;
  assert.equal(os.hasObject(theirs), true, 'a read that must find it checks the disk');
  os.remove('object', mine);
  assert.equal(os.hasObject(mine, { reload: false }), false, 'a removed object leaves the listing');
  fs.rmSync(store, { recursive: true, force: true });
});

test('locating every entry of a pack (push, checkout) reads its offsets and lengths once, not two reads per entry', () => {
  const store = storeDir();
  const dir = join(store, 'packs');
  const blobs = Array.from({ length: 500 }, (_, i) => Buffer.from(`located ${i}`));
  publish(dir, blobs.map((b) => ({ kind: 'o' as const, hex: sha(b), bytes: b })));
  const set = new PackSet(dir, { tableAfter: 16 });
  for (const b of blobs) assert.deepEqual(set.read(set.lookup('o', sha(b))!), b);
  // head + 16 lookups below the threshold (bucket + kinds + offset + length) + the table (oids, kinds) + places (2)
  assert.ok(set.reads.index <= 1 + 16 * 4 + 2 + 2 + 2, `${set.reads.index} index reads for 500 lookups`);
  set.close();
  fs.rmSync(store, { recursive: true, force: true });
});

test('a dedupe check never stats packs/ on a miss, and hasMany of many misses stats it once, not once per miss', async () => {
  const store = storeDir();
  const os = new ObjectStore(store, { fsync: false });
  await os.putObjects(Array.from({ length: 10 }, (_, i) => Buffer.from(`present ${i}`)));
  os.packs.packs();
  const before = os.packs.reads.dirStats;
  for (let i = 0; i < 100; i++) assert.equal(os.hasObject(createOid('sha256', sha(`dedupe miss ${i}`)), { reload: false }), false);
  assert.equal(os.packs.reads.dirStats, before, 'no stat for dedupe misses');
  const asked = Array.from({ length: 100 }, (_, i) => createOid('sha256', sha(i < 50 ? `present ${i % 10}` : `miss ${i}`)));
  assert.deepEqual(os.hasMany(asked), asked.map((_, i) => i < 50));
  assert.equal(os.packs.reads.dirStats, before + 1, 'one stat after all the loose misses');
  assert.equal(os.hasObject(createOid('sha256', sha('one miss'))), false);
  assert.equal(os.packs.reads.dirStats, before + 2, 'a single must-find miss still stats once');
  os.packs.close();
  fs.rmSync(store, { recursive: true, force: true });
});
