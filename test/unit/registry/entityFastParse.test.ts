import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { entityDocFast } from '../../../src/core/entityFastParse.js';
import { serializeEntityRecord } from '../../../src/core/entityRecord.js';

const record = { format: 1, name: 'modelmnist', type: 'model', categories: ['handwritten', 'digits'], path: 'model/handwritten/digits/modelmnist', mutability: 'strict' as const, description: 'a "quoted" model\nsecond line' };

test('entityDocFast reads what serializeEntityRecord writes exactly as the yaml library does', () => {
  for (const r of [record, { ...record, categories: [], description: '' }, { ...record, path: 'models/a b' }]) {
    const text = serializeEntityRecord(r);
    assert.deepEqual(entityDocFast(text), parse(text));
  }
});

test('entityDocFast leaves anything else to the yaml library (null)', () => {
  const text = serializeEntityRecord(record);
  for (const other of [
    text.replace('name: modelmnist', 'name: 123'), // a number to YAML
    text.replace('name: modelmnist', 'name: true'),
    text.replace('name: modelmnist', 'name:  modelmnist'),
    text + '# comment\n',
    text.replace('categories: [handwritten, digits]', 'categories:\n  - handwritten'),
    text.replace('path: model/handwritten/digits/modelmnist', 'path: "a\\u0041"'),
    text.split('\n').reverse().join('\n'),
  ]) assert.equal(entityDocFast(other), null, other);
});
