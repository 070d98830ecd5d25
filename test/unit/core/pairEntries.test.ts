import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManifestEntry } from '../../../src/core/manifest.js';
import { compareEntries } from '../../../src/core/manifestTree.js';
import { createOid } from '../../../src/core/oid.js';
import { pairEntries, sameEntry } from '../../../src/core/pairEntries.js';

const file = (path: string, hex: string, size = 1, mode: 'f' | 'x' = 'f'): ManifestEntry => ({ path, mode, size, oid: createOid('sha256', hex.repeat(64)) });
const link = (path: string, target: string): ManifestEntry => ({ path, mode: 'l', size: 0, target });

test('pairEntries: one merge-join in compareEntries order; added, removed and changed paths, identical ones left out', () => {
  const from = [file('a', 'a'), file('b', 'b'), file('c', 'c'), link('l', 'x'), file('z', 'e')].sort(compareEntries);
  const to = [file('B', 'b'), file('b', 'b'), file('c', 'd', 2), link('l', 'y'), file('m', 'f'), file('z', 'e', 1, 'x')].sort(compareEntries);
  assert.deepEqual(pairEntries(from, to).map((p) => [p.path, p.from ? 'from' : '', p.to ? 'to' : '']), [
    ['B', '', 'to'],
    ['a', 'from', ''],
    ['c', 'from', 'to'],
    ['l', 'from', 'to'],
    ['m', '', 'to'],
    ['z', 'from', 'to'],
  ]);
  assert.deepEqual(pairEntries([], []), []);
  assert.deepEqual(pairEntries(from, from), []);
  assert.deepEqual(pairEntries(from, []).map((p) => p.path), from.map((e) => e.path));
});

test('sameEntry compares content, mode and link target, and a link never equals a file', () => {
  assert.equal(sameEntry(file('a', 'a'), file('a', 'a')), true);
  assert.equal(sameEntry(file('a', 'a'), file('a', 'a', 1, 'x')), false);
  assert.equal(sameEntry(file('a', 'a'), file('a', 'b')), false);
  assert.equal(sameEntry(link('a', 't'), link('a', 't')), true);
  assert.equal(sameEntry(link('a', 't'), link('a', 'u')), false);
  assert.equal(sameEntry({ ...link('a', 't'), size: 1 } as ManifestEntry, file('a', 'a')), false);
});
