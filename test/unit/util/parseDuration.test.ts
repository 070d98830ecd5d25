import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../../src/util/parseDuration.js';
import { TroveError } from '../../../src/errors/index.js';

test('parseDuration reads the units gc -r --grace accepts', () => {
  assert.equal(parseDuration('0', 'x'), 0);
  assert.equal(parseDuration('90s', 'x'), 90_000);
  assert.equal(parseDuration('30m', 'x'), 1_800_000);
  assert.equal(parseDuration('24h', 'x'), 86_400_000);
  assert.equal(parseDuration('1.5d', 'x'), 129_600_000);
  assert.equal(parseDuration('2w', 'x'), 1_209_600_000);
});

test('parseDuration refuses a bare number other than 0, negative values and words', () => {
  for (const bad of ['5', '-1h', 'soon', '', '3y']) {
    assert.throws(() => parseDuration(bad, '--grace'), (e) => e instanceof TroveError && e.code === 'USAGE' && /--grace/.test(e.message), bad);
  }
});
