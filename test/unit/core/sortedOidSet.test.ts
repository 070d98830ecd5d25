import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SortedOidSet } from '../../../src/core/SortedOidSet.js';

const h = (i: number): string => createHash('sha256').update(String(i)).digest('hex');

test('SortedOidSet holds exactly what was added, duplicates counted once, in any order', () => {
  const s = new SortedOidSet();
  for (let i = 0; i < 5000; i++) s.add(h(i % 3000));
  s.add('00'.repeat(32));
  s.add('ff'.repeat(32));
  s.seal();
  assert.equal(s.size, 3002);
  for (let i = 0; i < 3000; i++) assert.ok(s.has(h(i)), `has ${i}`);
  for (let i = 3000; i < 6000; i++) assert.ok(!s.has(h(i)), `not ${i}`);
  assert.ok(s.has('00'.repeat(32)) && s.has('ff'.repeat(32)));
  assert.ok(!s.has('not hex'));
});

test('SortedOidSet refuses what is not a sha256, and use out of order', () => {
  const s = new SortedOidSet();
  assert.throws(() => s.add('abc'));
  assert.throws(() => s.has(h(1)));
  s.seal();
  assert.throws(() => s.add(h(1)));
  assert.equal(new SortedOidSet().seal().has(h(1)), false);
});
