import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TroveError } from '../../../src/errors/index.js';
import { parseRunFilterText } from '../../../src/core/runFilterText.js';

test('the filter box reads several exp ls terms, with or without spaces around the operator, quoted values kept whole', () => {
  const fs = parseRunFilterText('lr>0.01 status=stopped  user = "ada b" params.batch <= 64');
  assert.deepEqual(fs.map((f) => [f.key, f.op, f.value]), [['lr', '>', 0.01], ['status', '=', 'stopped'], ['user', '=', 'ada b'], ['params.batch', '<=', 64]]);
  assert.deepEqual(parseRunFilterText('   '), []);
});

test('a term the filter box cannot read is USAGE with the offset where it starts', () => {
  assert.throws(() => parseRunFilterText('lr>0.1 accuracy'), (e) => e instanceof TroveError && e.code === 'USAGE' && e.data?.at === 7);
  assert.throws(() => parseRunFilterText('lr >'), (e) => e instanceof TroveError && e.code === 'USAGE' && e.data?.at === 0);
});
