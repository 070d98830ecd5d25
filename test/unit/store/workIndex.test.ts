import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

test('work index v1 golden journal: its splice is applied at open, and its torn last line is skipped', () => {
  const file = fixtureCopy();
  copyFileSync(`${FIXTURE}.log`, `${file}.log`);
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

test('two commands appending splices made from the same state: the second is not applied (it would land on the wrong chunks)', () => {
  const file = fixtureCopy();
  const first = WorkIndex.open(file, 'data', NOW);
  first.splice(L('5'), 0, 0, [], []); // a journal exists now: both commands below append to it
  first.save();
  const a = WorkIndex.open(file, 'data', NOW);
  const b = WorkIndex.open(file, 'data', NOW);
  a.splice(L('7'), 0, 1, [], []); // drops a.bin's chunk: positions shift by one
  a.save();
  b.splice(L('6'), 2, 3, [{ first: 'c', files: 1, size: 6, sig: L('6'), leaf: L('c') }], [[['c', 14, 6, 1700000000004, 'f', L('0')]]]);
  b.save();
  const again = WorkIndex.open(file, 'data', NOW);
  assert.equal(again.root(), L('7'));
  assert.deepEqual(again.chunks().map((c) => c.first), ['b/é.txt', 'c']);
  assert.equal(again.chunks()[1]!.sig, L('2'), "b's splice (made for 3 chunks) was not applied to 2");
});

test('a journal whose replay stopped early (a torn line) is folded at the next save, so later splices are not appended after it and lost', () => {
  const file = fixtureCopy();
  copyFileSync(`${FIXTURE}.log`, `${file}.log`);
  const w = WorkIndex.open(file, 'data', NOW);
  w.splice(L('7'), 0, 0, [], []);
  w.save();
  assert.ok(!existsSync(`${file}.log`), 'folded into a new base');
  const again = WorkIndex.open(file, 'data', NOW);
  assert.equal(again.root(), L('7'));
  assert.deepEqual(again.chunks().map((c) => c.first), ['a.bin', 'b/x', 'c']);
  assert.deepEqual([...again.rows(1).values()], [['b/x', 20, 9, 1700000000009, 'f', L('5')]]);
});

test('add\'s per-object memory is bounded: rows set aside with block() are journaled byte for byte as row arrays would be', () => {
  const a = fixtureCopy();
  const b = fixtureCopy();
  const rows: StatRow[] = [['c', 14, 6, 1700000000004, 'f', L('0')], ['c2', 15, 7, 1700000000005.5, 'x', L('1')]];
  const rec = [{ first: 'c', files: 2, size: 13, sig: L('6'), leaf: L('c') }];
  const wa = WorkIndex.open(a, 'data', NOW);
  wa.splice(L('7'), 2, 3, rec, [rows]);
  wa.save();
  const wb = WorkIndex.open(b, 'data', NOW);
  const block = wb.block(rows);
  assert.deepEqual(Object.keys(block).sort(), ['dropped', 'len', 'spillOff'], 'a handle, not the rows');
  wb.splice(L('7'), 2, 3, rec, [block]);
  assert.deepEqual([...wb.rows(2).values()], rows, 'readable from the spill before save');
  wb.save();
  assert.equal(readFileSync(`${b}.log`, 'utf8'), readFileSync(`${a}.log`, 'utf8'));
  assert.deepEqual([...wb.rows(2).values()], rows, 'still readable after the spill file is gone');
  assert.deepEqual(readdirSync(dirname(b)).sort(), ['x.twi', 'x.twi.log'], 'the spill file is removed by save');
});

test('add\'s per-object memory is bounded: a large splice of spilled blocks is folded from the spill file, racy rows dropped', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'trove-wi-')), 'x.twi');
  const w = WorkIndex.open(file, 'data', { now: () => 1700000100000 });
  const blocks = CHUNKS.map((_c, k) => w.block(k === 2 ? [...ROWS[2]!, ['d', 9, 1, 1700000100000, 'f', L('9')]] : ROWS[k]!));
  assert.equal(blocks[2]!.dropped, true);
  w.splice(L('a'), 0, 0, CHUNKS, blocks);
  w.save();
  assert.deepEqual(readdirSync(dirname(file)), ['x.twi'], 'folded (no base yet), spill removed');
  const again = WorkIndex.open(file, 'data');
  assert.deepEqual(again.chunks().map((c) => c.sig), [L('1'), null, null], 'the chunk that lost a racy row is unsigned');
  for (let k = 0; k < 3; k++) assert.deepEqual([...again.rows(k).values()], ROWS[k]);
});

test('a spilled block not yet spliced survives a save of other splices (add clears the root before recordIndex splices)', () => {
  const file = fixtureCopy();
  const w = WorkIndex.open(file, 'data', NOW);
  const block = w.block(ROWS[2]!);
  w.splice('', 0, 0, [], []);
  w.save();
  w.splice(L('8'), 2, 3, [CHUNKS[2]!], [block]);
  w.save();
  assert.deepEqual([...WorkIndex.open(file, 'data', NOW).rows(2).values()], ROWS[2]);
});

test("a killed add's spill file stayed in .trove/tmp/work for good: the next save of that index removes scratch files of dead processes, never a live one's", async () => {
  const { spawnSync } = await import('node:child_process');
  const file = fixtureCopy();
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const left = `${file}.tmp-${dead}-deadbeef`;
  const mine = `${file}.tmp-${process.pid}-cafebabe`;
  const parent = `${file}.tmp-${process.ppid}-0badf00d`;
  const other = `${file}.tmp-${dead}-userfile.txt`; // not the shape trove writes: data, never touched
  for (const f of [left, mine, parent, other]) writeFileSync(f, 'rows\n');
  const w = WorkIndex.open(file, 'data', NOW);
  w.splice(L('9'), 0, 0, [{ first: '0', files: 1, size: 1, sig: L('3'), leaf: '' }], [[['0', 20, 1, 1700000000004, 'f', L('4')]]]);
  w.save();
  assert.equal(existsSync(left), false, 'the dead process left it: removed');
  assert.equal(existsSync(mine), true, 'this process may still use it');
  assert.equal(existsSync(parent), true, 'a live process may still use it');
  assert.equal(existsSync(other), true, 'not a name trove makes');
  assert.equal(WorkIndex.open(file, 'data', NOW).root(), L('9'), 'the save itself went through');
});
