import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envInteger } from '../../../src/util/envInteger.js';
import { TroveError } from '../../../src/errors/index.js';

const range = { min: 0, max: 100 };

test('envInteger falls back when unset or empty and reads whole numbers in range', () => {
  assert.equal(envInteger({}, 'TROVE_RETRIES', 6, range), 6);
  assert.equal(envInteger({ TROVE_RETRIES: '' }, 'TROVE_RETRIES', 6, range), 6);
  assert.equal(envInteger({ TROVE_RETRIES: '0' }, 'TROVE_RETRIES', 6, range), 0);
  assert.equal(envInteger({ TROVE_RETRIES: ' 42 ' }, 'TROVE_RETRIES', 6, range), 42);
});

test('envInteger refuses what would have meant NaN, a fraction, a negative or an out-of-range count', () => {
  for (const v of ['abc', '1.5', '-1', '1e3', '0x10', 'Infinity', '101', '6 retries']) {
    assert.throws(() => envInteger({ TROVE_RETRIES: v }, 'TROVE_RETRIES', 6, range), (e: unknown) => e instanceof TroveError && e.code === 'USAGE' && /unset TROVE_RETRIES/.test(e.hint ?? '') && e.data?.variable === 'TROVE_RETRIES', v);
  }
});
