import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { TroveError } from '../../../src/errors/index.js';
import { SamplePrng, formatSampleSpec, parseSampleSpec, roundHalfEven, sampleIndices, sampleSpecFrom, selectSample, type SampleEntry } from '../../../src/core/sample.js';

const oidOf = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const files = (n: number, prefix = 'f'): SampleEntry[] => Array.from({ length: n }, (_, i) => ({ path: `${prefix}${String(i).padStart(6, '0')}.png`, oid: oidOf(`${prefix}${i}`) }));

function refusedWith(fn: () => unknown, rule: string): void {
  assert.throws(fn, (err: unknown) => err instanceof TroveError && err.code === 'USAGE' && err.data?.rule === rule, `expected USAGE rule ${rule}`);
}

test('sample range matches ml-git indices (table from sample.py); step 0 refused; stop all/-1', () => {
  // Expected lists are Python's range(start, stop, step) with ml-git's stop rule (all or -1 = number of files), computed with python3.
  const table: [number, string, number[]][] = [
    [10, 'range:0:all:2', [0, 2, 4, 6, 8]],
    [10, 'range:0:-1', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    [10, 'range:2:8:3', [2, 5]],
    [10, 'range:0:10:1', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    [5, 'range:1:5', [1, 2, 3, 4]],
    [20, 'range:3:all:5', [3, 8, 13, 18]],
    [7, 'range:6:7', [6]],
  ];
  for (const [n, spec, expected] of table) assert.deepEqual(sampleIndices(n, parseSampleSpec(spec), '0'), expected, `${spec} over ${n}`);
  refusedWith(() => parseSampleSpec('range:0:10:0'), 'step-greater-zero');
  assert.deepEqual(parseSampleSpec('range:0:-1'), { kind: 'range', start: 0, stop: 'all', step: 1 });
  assert.deepEqual(parseSampleSpec('range:0:all'), parseSampleSpec('range:0:-1'));
});

test('sample range refusals follow ml-git (start >= stop, step >= stop, stop past the list, empty list, bad format)', () => {
  refusedWith(() => parseSampleSpec('range:5:5'), 'start-smaller-than-stop');
  refusedWith(() => parseSampleSpec('range:0:10:10'), 'step-smaller-than-stop');
  refusedWith(() => sampleIndices(10, parseSampleSpec('range:0:11'), '0'), 'stop-smaller-list-size');
  refusedWith(() => sampleIndices(3, parseSampleSpec('range:0:all:3'), '0'), 'step-smaller-than-stop');
  refusedWith(() => sampleIndices(5, parseSampleSpec('range:5:all'), '0'), 'start-smaller-than-stop');
  refusedWith(() => selectSample([], parseSampleSpec('range:0:all'), '0'), 'empty-file-list');
  for (const bad of ['range:-1:5', 'range:a:5', 'range:0', 'range:0:5:1:2', 'range:0:-2', 'range: 0:5', 'range:٣:5']) refusedWith(() => parseSampleSpec(bad), 'format');
  refusedWith(() => parseSampleSpec('range:0:99999999999999999999'), 'too-large');
});

test('sample kind and argument refusals name the rule', () => {
  refusedWith(() => parseSampleSpec('every:1:2'), 'kind');
  refusedWith(() => parseSampleSpec(''), 'kind');
  refusedWith(() => parseSampleSpec('group:0:10'), 'amount-greater-zero');
  refusedWith(() => parseSampleSpec('group:1:0'), 'group-size-greater-zero');
  refusedWith(() => parseSampleSpec('group:10:10'), 'amount-smaller-group-size');
  refusedWith(() => parseSampleSpec('group:1'), 'format');
  refusedWith(() => sampleIndices(10, parseSampleSpec('group:1:10'), '0'), 'group-size-smaller-list-size');
  refusedWith(() => parseSampleSpec('random:1:0'), 'frequency-greater-zero');
  refusedWith(() => parseSampleSpec('random:0:10'), 'amount-greater-zero');
  refusedWith(() => parseSampleSpec('random:10:10'), 'amount-smaller-frequency');
  refusedWith(() => sampleIndices(10, parseSampleSpec('random:1:10'), '0'), 'frequency-smaller-list-size');
  refusedWith(() => parseSampleSpec('stable:3:2'), 'amount-smaller-frequency');
  refusedWith(() => parseSampleSpec('stable:0:2'), 'amount-greater-zero');
  refusedWith(() => parseSampleSpec('stable:1:x'), 'format');
  refusedWith(() => selectSample([], parseSampleSpec('stable:1:2'), '0'), 'empty-file-list');
  refusedWith(() => sampleSpecFrom('every', '1:2'), 'kind');
});

test('sampleSpecFrom reads ml-git --sample-type/--sampling; formatSampleSpec round-trips', () => {
  assert.deepEqual(sampleSpecFrom('group', '2:10'), { kind: 'group', amount: 2, size: 10 });
  assert.deepEqual(sampleSpecFrom('random', '1:10'), { kind: 'random', amount: 1, frequency: 10 });
  assert.deepEqual(sampleSpecFrom('range', '0:all:2'), { kind: 'range', start: 0, stop: 'all', step: 2 });
  for (const s of ['range:0:all:2', 'range:3:9', 'group:2:10', 'random:1:10', 'stable:1:10']) assert.equal(formatSampleSpec(parseSampleSpec(s)), s);
  assert.equal(formatSampleSpec(parseSampleSpec('range:0:-1:1')), 'range:0:all');
});

test('sample group never picks last index of a group; clipped last group does not overflow', () => {
  for (const seed of ['0', '1', '42', 'abc']) {
    const picks = sampleIndices(100, parseSampleSpec('group:3:10'), seed);
    assert.equal(picks.length, 30);
    assert.equal(new Set(picks).size, 30);
    for (const i of picks) assert.notEqual(i % 10, 9, `index ${i} is the last of its group`);
    for (let g = 0; g < 10; g++) assert.equal(picks.filter((i) => Math.floor(i / 10) === g).length, 3, `group ${g}`);
  }
  // 16 files, groups of 10: round(1.6) = 2 groups, the second has only indices 10..15 (ml-git raised IndexError here).
  const clipped = sampleIndices(16, parseSampleSpec('group:9:10'), '0');
  assert.deepEqual(clipped.filter((i) => i >= 10), [10, 11, 12, 13, 14, 15]);
  assert.equal(clipped.filter((i) => i < 10).length, 9);
  assert.ok(!clipped.includes(9));
  // 25 files, groups of 10: round(2.5) = 2 (half to even), so 20..24 are never sampled, as in ml-git.
  assert.ok(sampleIndices(25, parseSampleSpec('group:2:10'), '0').every((i) => i < 20));
});

test('sample random count is round-half-even(amount*n/freq); same seed same set', () => {
  // Python: round(2.5)=2, round(3.5)=4, round(1.5)=2, round(300/7)=43.
  const table: [number, string, number][] = [
    [25, 'random:1:10', 2],
    [35, 'random:1:10', 4],
    [15, 'random:1:10', 2],
    [100, 'random:3:7', 43],
    [20000, 'random:1:10', 2000],
  ];
  for (const [n, spec, count] of table) {
    const picks = sampleIndices(n, parseSampleSpec(spec), '7');
    assert.equal(picks.length, count, `${spec} over ${n}`);
    assert.equal(new Set(picks).size, count);
    assert.ok(picks.every((i) => i >= 0 && i < n));
  }
  assert.equal(roundHalfEven(5n, 2n), 2);
  assert.equal(roundHalfEven(7n, 2n), 4);
  const entries = files(500);
  const a = selectSample(entries, parseSampleSpec('random:1:10'), 'seed-x');
  const b = selectSample([...entries].reverse(), parseSampleSpec('random:1:10'), 'seed-x');
  assert.deepEqual([...a].sort(), [...b].sort(), 'same seed, entries in another order: same set');
  const c = selectSample(entries, parseSampleSpec('random:1:10'), 'seed-y');
  assert.notDeepEqual([...a].sort(), [...c].sort(), 'another seed: another set');
});

test('sample indices run over paths in UTF-8 byte order, not UTF-16 order', () => {
  // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in bytes, after it in UTF-16 code units.
  const entries = [{ path: '\u{1F600}.png', oid: oidOf('a') }, { path: '\uFF5E.png', oid: oidOf('b') }, { path: 'a.png', oid: oidOf('c') }];
  assert.deepEqual([...selectSample(entries, parseSampleSpec('range:1:2'), '0')], ['\uFF5E.png']);
});

test('sample stable keeps v1 picks in v2 after adding 100 files and renaming 10', () => {
  const spec = parseSampleSpec('stable:1:10');
  const v1 = files(1000);
  const s1 = selectSample(v1, spec, '0');
  assert.ok(s1.size > 50);
  // Rename 5 sampled files and 5 others (to a path that sorts elsewhere), and add 100.
  const toRename = [...v1.filter((e) => s1.has(e.path)).slice(0, 5), ...v1.filter((e) => !s1.has(e.path)).slice(0, 5)];
  const renamed = new Map(toRename.map((e) => [e.path, `moved/${e.path}`]));
  assert.equal(renamed.size, 10);
  const v2 = [...v1.map((e) => ({ path: renamed.get(e.path) ?? e.path, oid: e.oid })), ...files(100, 'new')];
  const s2 = selectSample(v2, spec, '0');
  for (const p of s1) assert.ok(s2.has(renamed.get(p) ?? p), `${p} left the sample`);
  // The same spec by position (random) does not keep them: the point of stable.
  const r1 = selectSample(v1, parseSampleSpec('random:1:10'), '0');
  const r2 = selectSample(v2, parseSampleSpec('random:1:10'), '0');
  assert.ok([...r1].some((p) => !r2.has(p)));
});

test('sample stable fraction within 3 sigma of amount/freq on 20,000 oids', () => {
  const n = 20000;
  for (const [amount, freq] of [[1, 10], [1, 2], [3, 7]] as const) {
    const got = selectSample(files(n), parseSampleSpec(`stable:${amount}:${freq}`), '0').size;
    const p = amount / freq;
    const sigma = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(got - n * p) <= 3 * sigma, `stable:${amount}:${freq} picked ${got}, expected ${n * p} ± ${3 * sigma}`);
  }
});

test('sample stable: duplicate content is either all in or all out', () => {
  const oids = Array.from({ length: 20 }, (_, i) => oidOf(`dup${i}`));
  const entries = Array.from({ length: 200 }, (_, i) => ({ path: `d/${i}.bin`, oid: oids[i % 20]! }));
  const picked = selectSample(entries, parseSampleSpec('stable:1:2'), '0');
  let ins = 0;
  for (let k = 0; k < 20; k++) {
    const members = entries.filter((e) => e.oid === oids[k]).map((e) => picked.has(e.path));
    assert.ok(members.every((m) => m === members[0]), `content ${k} split`);
    if (members[0]) ins++;
  }
  assert.ok(ins > 0 && ins < 20, 'some contents in, some out');
  // The oid's prefix does not matter (sha256:HEX or HEX).
  assert.deepEqual(selectSample(entries.map((e) => ({ path: e.path, oid: e.oid.slice(7) })), parseSampleSpec('stable:1:2'), '0'), picked);
});

test('sample golden vectors: the PRNG and the samples of a fixed seed are pinned', () => {
  // Block 0 of seed "0" is sha256("0" 0x00 uint64be(0)): checked independently with python3's hashlib.
  const rng = new SamplePrng('0');
  assert.deepEqual(Array.from({ length: 10 }, () => rng.nextUint32()), [574326835, 392023320, 310529750, 1058364659, 1473456699, 4206296619, 4052735201, 1410795615, 983252044, 1181372605]);
  assert.deepEqual(new SamplePrng('0').pickDistinct(0, 100, 8), GOLDEN.pick);
  assert.deepEqual(sampleIndices(50, parseSampleSpec('random:1:10'), '0'), GOLDEN.random);
  assert.deepEqual(sampleIndices(30, parseSampleSpec('group:2:10'), '0'), GOLDEN.group);
  assert.deepEqual([...selectSample(files(40), parseSampleSpec('stable:1:4'), '0')].sort(), GOLDEN.stable);
});

const GOLDEN = {
  pick: [35, 52, 92, 87, 31, 54, 4, 37],
  random: [3, 21, 35, 40, 46],
  group: [1, 7, 14, 15, 20, 24],
  // also checked independently with python3 (hashlib, int.from_bytes(d[:8], 'big') % 4 < 1)
  stable: ['f000003.png', 'f000009.png', 'f000015.png', 'f000016.png', 'f000017.png', 'f000023.png', 'f000030.png'],
};
