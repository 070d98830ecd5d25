import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackWriter } from '../../../src/store/pack/PackWriter.js';
import { PackSet } from '../../../src/store/pack/PackSet.js';
import { geometricRollup, listPacks, repackStore } from '../../../src/store/pack/repack.js';
import { listRetired } from '../../../src/store/pack/retire.js';
import { releaseAllReaderLeases, takeReaderLease } from '../../../src/store/pack/readerLease.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const blob = (i: number, size = 100): Buffer => Buffer.alloc(size, `object ${i} `);

function tmpStore(): string {
  return mkdtempSync(join(tmpdir(), 'trove-repack-'));
}

/** A sealed pack holding objects `ids`; returns its name. */
function pack(store: string, ids: number[]): string {
  const w = new PackWriter(join(store, 'packs'), { fsync: false });
  for (const i of ids) w.append('o', sha(blob(i)), blob(i));
  return w.finish()[0]!.name;
}

function loose(store: string, i: number, size = 100): string {
  const b = blob(i, size);
  const hex = sha(b);
  const dir = join(store, 'objects', 'sha256', hex.slice(0, 2));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, hex.slice(2)), b, { mode: 0o444 });
  return join(dir, hex.slice(2));
}

/** Every object `ids` reads back, verified, from the packs. */
function assertPacked(store: string, ids: number[]): void {
  const set = new PackSet(join(store, 'packs'));
  for (const i of ids) {
    const loc = set.lookup('o', sha(blob(i)));
    assert.ok(loc, `object ${i} is packed`);
    assert.equal(sha(set.read(loc)), sha(blob(i)));
  }
  set.close();
}

const live = (ids: number[]) => {
  const s = new Set(ids.map((i) => sha(blob(i))));
  return (_k: string, hex: string): boolean => s.has(hex);
};

test('repack packs live loose objects, leaves dead and big ones loose, and unlinks what it packed', () => {
  const store = tmpStore();
  try {
    const paths = [0, 1, 2, 3].map((i) => loose(store, i));
    const big = loose(store, 9, 5000);
    const r = repackStore(store, live([0, 1, 2, 9]), { fsync: false, maxObject: 1000 });
    assert.equal(r.loosePacked, 3);
    assert.equal(r.packsWritten, 1);
    assertPacked(store, [0, 1, 2]);
    assert.deepEqual(paths.map((p) => existsSync(p)), [false, false, false, true], 'the dead object is not packed (gc removes it)');
    assert.ok(existsSync(big), 'an object above the size limit stays loose');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('repack never packs a loose object with more than one link (a work-tree file shares it)', () => {
  const store = tmpStore();
  try {
    const p = loose(store, 1);
    linkSync(p, join(store, 'worktree-file'));
    assert.equal(repackStore(store, live([1]), { fsync: false }).loosePacked, 0);
    assert.ok(existsSync(p));
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('a pack less than 80 % live is rewritten without its dead entries and retired; a mostly live one is kept', () => {
  const store = tmpStore();
  try {
    const sparse = pack(store, [0, 1, 2, 3, 4]);
    const full = pack(store, [10, 11, 12, 13, 14]);
    const r = repackStore(store, live([0, 1, 10, 11, 12, 13, 14]), { fsync: false });
    assert.equal(r.packsRewritten, 1);
    assert.equal(r.entriesDropped, 3);
    const names = listPacks(join(store, 'packs')).map((p) => p.name);
    assert.ok(!names.includes(sparse) && names.includes(full));
    assert.equal(names.length, 2);
    assertPacked(store, [0, 1, 10, 11, 12, 13, 14]);
    assert.ok(!new PackSet(join(store, 'packs')).has('o', sha(blob(3))), 'the dead entry is gone');
    assert.deepEqual(listRetired(store), [], 'no reader lease: the retired pack was deleted at once');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('a retired pack waits while this process holds a lease taken before the retirement', () => {
  const store = tmpStore();
  try {
    const sparse = pack(store, [0, 1, 2, 3, 4]);
    takeReaderLease(store);
    const r = repackStore(store, live([0]), { fsync: false });
    assert.equal(r.retiredWaiting, 1);
    assert.deepEqual(listRetired(store), [sparse]);
    releaseAllReaderLeases();
    assert.equal(repackStore(store, live([0]), { fsync: false }).retiredDeleted, 1);
    assert.deepEqual(listRetired(store), []);
    assertPacked(store, [0]);
  } finally {
    releaseAllReaderLeases();
    rmSync(store, { recursive: true, force: true });
  }
});

test('a pack with an entry in packs/bad is rewritten without it, and the bad list forgets it', () => {
  const store = tmpStore();
  try {
    pack(store, [0, 1, 2, 3, 4]);
    writeFileSync(join(store, 'packs', 'bad'), sha(blob(2)) + '\n');
    const r = repackStore(store, live([0, 1, 2, 3, 4]), { fsync: false });
    assert.equal(r.packsRewritten, 1);
    assertPacked(store, [0, 1, 3, 4]);
    assert.ok(!new PackSet(join(store, 'packs')).has('o', sha(blob(2))));
    assert.ok(!existsSync(join(store, 'packs', 'bad')), 'no pack holds it any more: a fetched copy must read as present');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('an entry found corrupt while copying is left out, the rest is kept', () => {
  const store = tmpStore();
  try {
    const name = pack(store, [0, 1, 2, 3, 4]);
    const file = join(store, 'packs', name + '.pack');
    const bytes = readFileSync(file);
    bytes[250] = bytes[250]! ^ 1; // inside the third 100-byte entry
    rmSync(file);
    writeFileSync(file, bytes);
    const r = repackStore(store, live([0, 1, 2]), { fsync: false });
    assert.equal(r.packsRewritten, 1);
    assert.equal(r.entriesPacked, 2);
    assertPacked(store, [0, 1]);
    assert.ok(!new PackSet(join(store, 'packs')).has('o', sha(blob(2))), 'the corrupt copy is not carried into the new pack');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('past the pack limit small packs are merged geometrically; under it nothing is merged', () => {
  const store = tmpStore();
  try {
    for (let i = 0; i < 6; i++) pack(store, [i]);
    assert.equal(repackStore(store, () => true, { fsync: false, maxPacks: 8 }).packsRewritten, 0);
    const r = repackStore(store, () => true, { fsync: false, maxPacks: 4 });
    assert.equal(r.packsRewritten, 6);
    assert.equal(listPacks(join(store, 'packs')).length, 1);
    assertPacked(store, [0, 1, 2, 3, 4, 5]);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('geometricRollup keeps a progression and merges what breaks it', () => {
  const p = (n: number) => ({ liveBytes: n });
  assert.deepEqual(geometricRollup([p(1000), p(400), p(100), p(10), p(10)], 3).map((x) => x.liveBytes), [10, 10]);
  assert.deepEqual(geometricRollup([p(1000), p(100), p(10)], 2), [], 'already a progression: merging would rewrite the big ones for nothing');
  assert.deepEqual(geometricRollup([p(5), p(5), p(5)], 5), [], 'under the limit');
});

test('a dry run changes nothing', () => {
  const store = tmpStore();
  try {
    loose(store, 1);
    pack(store, [2, 3]);
    const before = readdirSync(join(store, 'packs')).sort();
    const r = repackStore(store, live([1, 2]), { fsync: false, dryRun: true });
    assert.equal(r.loosePacked, 1);
    assert.equal(r.packsRewritten, 1);
    assert.deepEqual(readdirSync(join(store, 'packs')).sort(), before);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('auto-pack is due past gc.auto loose objects (estimated from fan-out 17/) or past the pack limit, never with gc.auto 0', async () => {
  const { autoPackDue, autoPackStore } = await import('../../../src/store/pack/autoPackStore.js');
  const store = tmpStore();
  try {
    mkdirSync(join(store, 'objects', 'sha256', '17'), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(store, 'objects', 'sha256', '17', String(i).repeat(62).slice(0, 62)), 'x');
    assert.equal(autoPackDue(store, { auto: 1000, autoPackLimit: 0 }), false, '3 × 256 = 768 loose');
    assert.equal(autoPackDue(store, { auto: 700, autoPackLimit: 0 }), true);
    assert.equal(autoPackDue(store, { auto: 0, autoPackLimit: 0 }), false);
    rmSync(join(store, 'objects'), { recursive: true });
    for (let i = 0; i < 3; i++) pack(store, [i]);
    assert.equal(autoPackDue(store, { auto: 1000, autoPackLimit: 2 }), true);
    assert.equal(autoPackStore(store, { auto: 1000, autoPackLimit: 5 }, { fsync: false }), undefined);
    const r = autoPackStore(store, { auto: 1000, autoPackLimit: 2 }, { fsync: false })!;
    assert.equal(r.packsRewritten, 3);
    assert.equal(listPacks(join(store, 'packs')).length, 1);
    assertPacked(store, [0, 1, 2]);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('repack sweeps the pack temps of a killed writer, never a live one\'s', () => {
  const store = tmpStore();
  try {
    mkdirSync(join(store, 'packs'));
    const dead = join(store, 'packs', '.pack.tmp-4000099-0000abcd-1');
    const mine = join(store, 'packs', `.pack.tmp-${process.pid}-0000abcd-1`);
    writeFileSync(dead, 'partial');
    writeFileSync(mine, 'being written');
    repackStore(store, () => true, { fsync: false });
    assert.ok(!existsSync(dead));
    assert.ok(existsSync(mine));
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('an add past the auto-pack limit rewrites no full pack (they were merged into as many full packs and parked in packs/retired: 1.53x store at 1M files)', async () => {
  const { autoPackDue, autoPackStore } = await import('../../../src/store/pack/autoPackStore.js');
  const store = tmpStore();
  try {
    // what one add of many files leaves: full packs (at the target) and one partial
    const w = new PackWriter(join(store, 'packs'), { fsync: false, targetBytes: 400 });
    for (let i = 0; i < 18; i++) w.append('o', sha(blob(i)), blob(i));
    assert.deepEqual(w.finish().map((p) => p.entries), [4, 4, 4, 4, 2]);
    const limits = { auto: 1000, autoPackLimit: 2, targetBytes: 400 };
    assert.equal(autoPackDue(store, limits), false, 'one partial pack is under the limit: the full ones are done');
    assert.equal(autoPackStore(store, limits, { fsync: false }), undefined);
    // small packs past the limit are merged, the full ones are left where they are
    pack(store, [20]);
    pack(store, [21]);
    const r = autoPackStore(store, limits, { fsync: false })!;
    assert.equal(r.packsRewritten, 3, 'the three small packs, not the four full ones');
    assert.equal(listPacks(join(store, 'packs')).length, 5);
    assert.deepEqual(listRetired(store), [], 'no reader lease: the three retired small packs are deleted at once');
    assertPacked(store, [...Array.from({ length: 18 }, (_, i) => i), 20, 21]);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});
