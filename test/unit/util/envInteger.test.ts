import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envInteger } from '../../../src/util/envInteger.js';
import { TroveError } from '../../../src/errors/index.js';

const range = { min: 0, max: 100 };

test('envInteger falls back when unset or empty and reads whole numbers in range', () => {
  assert.equal(envInteger({}, 'N', 6, range), 6);
  assert.equal(envInteger({ N: '' }, 'N', 6, range), 6);
  assert.equal(envInteger({ N: '0' }, 'N', 6, range), 0);
  assert.equal(envInteger({ N: ' 42 ' }, 'N', 6, range), 42);
});

test('envInteger refuses what would have meant NaN, a fraction, a negative or an out-of-range count', () => {
  for (const v of ['abc', '1.5', '-1', '1e3', '0x10', 'Infinity', '101', '6 retries']) {
    assert.throws(() => envInteger({ N: v }, 'N', 6, range), (e: unknown) => e instanceof TroveError && e.code === 'USAGE' && /unset N/.test(e.hint ?? '') && e.data?.variable === 'N', v);
  }
});
