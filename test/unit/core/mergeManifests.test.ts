import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManifestEntry } from '../../../src/core/manifest.js';
import { describeConflict, mergeManifests } from '../../../src/core/mergeManifests.js';
import { buildManifestTree } from '../../../src/core/manifestTree.js';
import { parseOid } from '../../../src/core/oid.js';
import { planPointerMerge } from '../../../src/core/planPointerMerge.js';
import { createPointer, type Pointer } from '../../../src/core/pointer.js';

const oid = (c: string) => parseOid(`sha256:${c.repeat(64)}`);
/** A file entry whose content is named by one hex digit. */
const f = (path: string, c: string, size = 10): ManifestEntry => ({ path, mode: 'f', size, oid: oid(c) });
const x = (path: string, c: string, size = 10): ManifestEntry => ({ path, mode: 'x', size, oid: oid(c) });
const l = (path: string, target: string): ManifestEntry => ({ path, mode: 'l', size: 0, target });
const sorted = (...e: ManifestEntry[]) => e.sort((a, b) => (a.path < b.path ? -1 : 1));
const paths = (e: readonly ManifestEntry[]) => e.map((v) => `${v.path}=${v.mode === 'l' ? v.target : v.oid.hex[0]}`);

test('files added on different sides merge into the union', () => {
  const base = sorted(f('a.bin', '1'));
  const r = mergeManifests(base, sorted(f('a.bin', '1'), f('cat/1.jpg', '2')), sorted(f('a.bin', '1'), f('dog/1.jpg', '3')));
  assert.deepEqual(r.conflicts, []);
  assert.deepEqual(paths(r.entries), ['a.bin=1', 'cat/1.jpg=2', 'dog/1.jpg=3']);
  assert.equal(r.fromTheirs, 1);
});

test('a change on one side and an addition on the other both arrive', () => {
  const base = sorted(f('a.bin', '1'));
  const r = mergeManifests(base, sorted(f('a.bin', '2')), sorted(f('a.bin', '1'), f('b.bin', '3')));
  assert.deepEqual(r.conflicts, []);
  assert.deepEqual(paths(r.entries), ['a.bin=2', 'b.bin=3']);
});

test('a deletion on one side wins over an unchanged file on the other, from either side', () => {
  const base = sorted(f('a.bin', '1'), f('b.bin', '2'));
  const r = mergeManifests(base, sorted(f('b.bin', '2')), sorted(f('a.bin', '1')));
  assert.deepEqual(r.conflicts, []);
  assert.deepEqual(r.entries, []);
});

test('the same change on both sides is clean, including the same addition and the same deletion', () => {
  const base = sorted(f('a.bin', '1'), f('gone.bin', '9'));
  const side = sorted(f('a.bin', '2'), f('new.bin', '3'));
  const r = mergeManifests(base, side, side.map((e) => ({ ...e })));
  assert.deepEqual(r.conflicts, []);
  assert.deepEqual(paths(r.entries), ['a.bin=2', 'new.bin=3']);
  assert.equal(r.fromTheirs, 0, 'identical changes count as ours');
});

test('different changes to the same file conflict and keep our version in the result', () => {
  const base = sorted(f('cat/1.jpg', '1'), f('z.bin', '5'));
  const r = mergeManifests(base, sorted(f('cat/1.jpg', '2'), f('z.bin', '5')), sorted(f('cat/1.jpg', '3'), f('z.bin', '6')));
  assert.deepEqual(r.conflicts, [{ path: 'cat/1.jpg', reason: 'both-modified' }]);
  assert.deepEqual(paths(r.entries), ['cat/1.jpg=2', 'z.bin=6'], 'the non-conflicting change from theirs is merged');
  assert.equal(describeConflict(r.conflicts[0]!), 'cat/1.jpg changed on both sides');
});

test('change against delete conflicts in both directions', () => {
  const base = sorted(f('a.bin', '1'), f('b.bin', '1'));
  const r = mergeManifests(base, sorted(f('a.bin', '2')), sorted(f('b.bin', '3')));
  assert.deepEqual(r.conflicts, [
    { path: 'a.bin', reason: 'modified-deleted' },
    { path: 'b.bin', reason: 'deleted-modified' },
  ]);
  assert.deepEqual(paths(r.entries), ['a.bin=2'], 'ours: a.bin changed, b.bin deleted');
  assert.match(describeConflict(r.conflicts[0]!), /changed on our side and deleted on theirs/);
  assert.match(describeConflict(r.conflicts[1]!), /deleted on our side and changed on theirs/);
});

test('without a base (both sides added the directory) equal files merge and different ones conflict as both-added', () => {
  const r = mergeManifests([], sorted(f('same.bin', '1'), f('a.bin', '2'), f('mine.bin', '4')), sorted(f('same.bin', '1'), f('a.bin', '3'), f('yours.bin', '5')));
  assert.deepEqual(r.conflicts, [{ path: 'a.bin', reason: 'both-added' }]);
  assert.deepEqual(paths(r.entries), ['a.bin=2', 'mine.bin=4', 'same.bin=1', 'yours.bin=5']);
});

test('a mode change or a new symlink target is a change like any other', () => {
  const base = sorted(f('run.sh', '1'), l('latest', 'a.bin'));
  const clean = mergeManifests(base, sorted(x('run.sh', '1'), l('latest', 'a.bin')), sorted(f('run.sh', '1'), l('latest', 'b.bin')));
  assert.deepEqual(clean.conflicts, []);
  assert.deepEqual(clean.entries.map((e) => e.mode), ['l', 'x']);
  assert.equal((clean.entries[0] as { target: string }).target, 'b.bin');
  const both = mergeManifests(base, sorted(x('run.sh', '1'), l('latest', 'c.bin')), sorted(f('run.sh', '2'), l('latest', 'b.bin')));
  assert.deepEqual(both.conflicts.map((c) => c.path), ['latest', 'run.sh']);
});

test('a file replaced by a directory on one side and changed on the other is a file/directory conflict, and the result stays consistent', () => {
  const base = sorted(f('x', '1'), f('y.bin', '1'));
  const ours = sorted(f('x', '2'), f('y.bin', '1'));
  const theirs = sorted(f('x/inner.bin', '3'), f('y.bin', '4'));
  const r = mergeManifests(base, ours, theirs);
  assert.deepEqual(r.conflicts, [
    { path: 'x', reason: 'modified-deleted' },
    { path: 'x/inner.bin', reason: 'file-directory' },
  ]);
  assert.deepEqual(paths(r.entries), ['x=2', 'y.bin=4']);
  assert.doesNotThrow(() => buildManifestTree(r.entries));
});

test('a file added on one side where the other side added a directory of the same name conflicts', () => {
  const r = mergeManifests(sorted(f('keep', '1')), sorted(f('keep', '1'), f('d/a', '2')), sorted(f('keep', '1'), f('d', '3')));
  assert.deepEqual(r.conflicts, [{ path: 'd', reason: 'file-directory' }]);
  assert.deepEqual(paths(r.entries), ['d/a=2', 'keep=1']);
});

test('merging many files stays linear and exact', () => {
  const n = 50_000;
  const base = Array.from({ length: n }, (_, i) => f(`img/${String(i).padStart(6, '0')}.jpg`, '1'));
  const ours = base.map((e, i) => (i % 1000 === 0 ? f(e.path, '2') : e));
  const theirs = [...base.map((e, i) => (i % 1000 === 500 ? f(e.path, '3') : e)), f('labels.csv', '4')].sort((a, b) => (a.path < b.path ? -1 : 1));
  const r = mergeManifests(base, ours, theirs);
  assert.deepEqual(r.conflicts, []);
  assert.equal(r.entries.length, n + 1);
  assert.equal(r.fromTheirs, n / 1000 + 1);
  assert.equal(r.entries.filter((e) => e.mode !== 'l' && e.oid.hex[0] === '2').length, n / 1000);
});

const dir = (c: string, files = 1, size = 10): Pointer => createPointer({ kind: 'dir', oid: oid(c), size, files });
const file = (c: string, executable = false): Pointer => createPointer({ kind: 'file', oid: oid(c), size: 10, ...(executable ? { executable } : {}) });

test('pointer merge takes a side whole when only one side changed or both made the same change', () => {
  assert.deepEqual(planPointerMerge(file('1'), file('1'), file('2')), { action: 'take', side: 'theirs', pointer: file('2') });
  assert.deepEqual(planPointerMerge(dir('1'), dir('2'), dir('1')), { action: 'take', side: 'ours', pointer: dir('2') });
  assert.deepEqual(planPointerMerge(file('1'), file('3'), file('3')), { action: 'take', side: 'ours', pointer: file('3') });
  assert.deepEqual(planPointerMerge(undefined, file('3'), file('3')), { action: 'take', side: 'ours', pointer: file('3') });
});

test('pointer merge: two changed directories merge file by file, with or without a directory base', () => {
  assert.deepEqual(planPointerMerge(dir('1'), dir('2'), dir('3')), { action: 'merge-dirs', base: dir('1') });
  assert.deepEqual(planPointerMerge(undefined, dir('2'), dir('3')), { action: 'merge-dirs' });
  assert.deepEqual(planPointerMerge(file('1'), dir('2'), dir('3')), { action: 'merge-dirs' }, 'a file base is no directory to merge against');
});

test('pointer merge: two different file versions or a file against a directory conflict', () => {
  assert.deepEqual(planPointerMerge(file('1'), file('2'), file('3')), { action: 'conflict', reason: 'both-modified' });
  assert.deepEqual(planPointerMerge(undefined, file('2'), file('3')), { action: 'conflict', reason: 'both-added' });
  assert.deepEqual(planPointerMerge(file('1'), file('2'), dir('3')), { action: 'conflict', reason: 'file-directory' });
  assert.deepEqual(planPointerMerge(file('1'), file('1', true), file('2')), { action: 'conflict', reason: 'both-modified' }, 'a mode change is a change');
  assert.deepEqual(planPointerMerge(file('1'), file('1', true), file('1')), { action: 'take', side: 'ours', pointer: file('1', true) });
});
