import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkIndex, type ChunkRecord, type StatRow } from '../../../src/store/WorkIndex.js';

const FIXTURE = fileURLToPath(new URL('../../../../test/unit/store/fixtures/workIndex-v1.twi', import.meta.url));
const L = (c: string): string => c.repeat(64);
const NOW = { now: () => 2e12 };

const CHUNKS: ChunkRecord[] = [
  { first: 'a.bin', files: 2, size: 7, sig: L('1'), leaf: L('b') },
  { first: 'b/é.txt', files: 1, size: 0, sig: null, leaf: '' },
  { first: 'c', files: 1, size: 5, sig: L('2'), leaf: L('c') },
];
const ROWS: StatRow[][] = [
  [['a.bin', 11, 3, 1700000000000, 'f', L('d')], ['a0', 12, 4, 1700000000001.5, 'x', L('e')]],
  [['b/é.txt', 13, 0, 1700000000002, 'l', '../a.bin']],
  [['c', 14, 5, 1700000000003, 'f', L('f')]],
];

function fixtureCopy(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'trove-wi-')), 'x.twi');
  copyFileSync(FIXTURE, file);
  return file;
}

test('work index v1 golden: the fixture reads as its 3 chunks, rows by one pread each', () => {
  const w = WorkIndex.open(fixtureCopy(), 'data', NOW);
  assert.equal(w.root(), L('a'));
  assert.deepEqual(w.chunks(), CHUNKS);
  assert.equal(w.blocksRead, 0, 'opening reads the table only');
  assert.deepEqual([...w.rows(2).values()], ROWS[2]);
  assert.deepEqual([...w.rows(1).values()], ROWS[1]);
  assert.deepEqual([...w.rows(0).values()], ROWS[0]);
  assert.equal(w.blocksRead, 3);
  assert.equal(w.find('b/é.txt'), 1);
  assert.equal(w.find('b'), -1);
});

test('work index v1 golden: writing the same chunks gives the fixture byte for byte (but the id)', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'trove-wi-')), 'x.twi');
  const w = WorkIndex.open(file, 'data', NOW);
  w.splice(L('a'), 0, 0, CHUNKS, ROWS);
  w.save();
  const text = readFileSync(file, 'utf8').replace(/"id":"[0-9a-f]{16}"/, '"id":"0123456789abcdef"');
  assert.equal(text, readFileSync(FIXTURE, 'utf8'));
});

test('a journal splice is applied at open, and its torn last line is skipped', () => {
  const file = fixtureCopy();
  const splice = { root: L('9'), from: 1, to: 2, chunks: [['b/x', 1, 9, L('3'), L('4')]], rows: [[['b/x', 20, 9, 1700000000009, 'f', L('5')]]] };
  writeFileSync(`${file}.log`, JSON.stringify({ version: 1, base: '0123456789abcdef' }) + '\n' + JSON.stringify(splice) + '\n' + '{"root":"' + L('8') + '","from":0,"to"');
  const w = WorkIndex.open(file, 'data', NOW);
  assert.equal(w.root(), L('9'));
  assert.deepEqual(w.chunks().map((c) => c.first), ['a.bin', 'b/x', 'c']);
  assert.deepEqual([...w.rows(1).values()], [['b/x', 20, 9, 1700000000009, 'f', L('5')]]);
  assert.equal(w.blocksRead, 0, 'a journal chunk needs no read');
});

test('a journal naming another base (a crash between the fold and the journal removal) is ignored', () => {
  const file = fixtureCopy();
  const splice = { root: L('9'), from: 0, to: 3, chunks: [], rows: [] };
  writeFileSync(`${file}.log`, JSON.stringify({ version: 1, base: 'ffffffffffffffff' }) + '\n' + JSON.stringify(splice) + '\n');
  const w = WorkIndex.open(file, 'data', NOW);
  assert.equal(w.chunks().length, 3);
  assert.equal(w.root(), L('a'));
});

test('a corrupt, truncated or foreign work index opens empty (a miss, not an error)', () => {
  const torn = fixtureCopy();
  truncateSync(torn, statSync(torn).size - 5);
  assert.equal(WorkIndex.open(torn, 'data').chunks().length, 0);
  const garbage = fixtureCopy();
  writeFileSync(garbage, 'not json at all\n');
  assert.equal(WorkIndex.open(garbage, 'data').root(), undefined);
  assert.equal(WorkIndex.open(fixtureCopy(), 'other/path').chunks().length, 0, 'an index of another directory is not used');
  assert.equal(WorkIndex.open(join(tmpdir(), 'no-such-dir-xyz', 'x.twi'), 'data').chunks().length, 0);
});

test('save appends a small splice to the journal and reading it back gives the same index', () => {
  const file = fixtureCopy();
  const before = readFileSync(file, 'utf8');
  const w = WorkIndex.open(file, 'data', NOW);
  w.splice(L('7'), 2, 3, [{ first: 'c', files: 1, size: 6, sig: L('6'), leaf: L('c') }], [[['c', 14, 6, 1700000000004, 'f', L('0')]]]);
  w.save();
  assert.equal(readFileSync(file, 'utf8'), before, 'the base is not rewritten');
  assert.ok(existsSync(`${file}.log`));
  const again = WorkIndex.open(file, 'data', NOW);
  assert.equal(again.root(), L('7'));
  assert.deepEqual([...again.rows(2).values()], [['c', 14, 6, 1700000000004, 'f', L('0')]]);
  assert.deepEqual([...again.rows(0).values()], ROWS[0]);
});

test('a journal past its limit is folded: unchanged blocks copied by range, the journal removed', () => {
  const file = fixtureCopy();
  const w = WorkIndex.open(file, 'data', { ...NOW, journalMax: 10 });
  w.splice(L('7'), 1, 2, [{ first: 'b/y', files: 1, size: 1, sig: L('6'), leaf: '' }], [[['b/y', 30, 1, 1700000000005, 'f', L('0')]]]);
  w.save();
  assert.ok(!existsSync(`${file}.log`));
  assert.equal(w.blocksRead, 0, 'blocks are copied as bytes, not parsed');
  const again = WorkIndex.open(file, 'data', NOW);
  assert.deepEqual(again.chunks().map((c) => c.first), ['a.bin', 'b/y', 'c']);
  assert.deepEqual([...again.rows(0).values()], ROWS[0]);
  assert.deepEqual([...again.rows(1).values()], [['b/y', 30, 1, 1700000000005, 'f', L('0')]]);
  assert.deepEqual([...again.rows(2).values()], ROWS[2]);
});

test('a racy row is never recorded, and its chunk loses its signature', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'trove-wi-')), 'x.twi');
  const w = WorkIndex.open(file, 'data', { now: () => 1700000000001 });
  w.splice(L('a'), 0, 0, [{ first: 'a', files: 2, size: 2, sig: L('1'), leaf: L('b') }], [[['a', 1, 1, 1600000000000, 'f', L('d')], ['b', 2, 1, 1700000000001, 'f', L('e')]]]);
  w.save();
  const again = WorkIndex.open(file, 'data');
  assert.equal(again.chunks()[0]!.sig, null);
  assert.deepEqual([...again.rows(0).keys()], ['a']);
});

test('dropRange forgets rows under a path and unsigns the chunks that held them', () => {
  const w = WorkIndex.open(fixtureCopy(), 'data', NOW);
  w.dropRange('b');
  assert.deepEqual(w.chunks()[1], { ...CHUNKS[1], sig: null, leaf: '' });
  assert.equal(w.rows(1).size, 0);
  assert.equal(w.chunks()[0]!.sig, null, 'the chunk before b/é.txt could hold b itself: unsigned too');
  assert.deepEqual([...w.rows(0).values()], ROWS[0], 'but its rows stay');
  assert.equal(w.chunks()[2]!.sig, CHUNKS[2]!.sig, 'c sorts after b/…: untouched');
});
