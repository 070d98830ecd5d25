import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonErrorLine } from '../../../src/core/jsonErrorLine.js';

test('jsonErrorLine names the line of the first JSON syntax error, null for valid JSON', () => {
  for (const ok of ['{}', '{"a": 1, "b": [1, 2.5e3, -0, "x\\n", true, false, null]}\n', '  "s"  ']) assert.equal(jsonErrorLine(ok), null, ok);
  assert.equal(jsonErrorLine('{\n  "accuracy": 0.97,\n  "loss": oops\n}\n'), 3);
  assert.equal(jsonErrorLine('{\n"a": 1,\n}'), 3, 'trailing comma');
  assert.equal(jsonErrorLine('{"a": "x\ny"}'), 1, 'raw newline in a string');
  assert.equal(jsonErrorLine('{"a": 1}\n{"b": 2}'), 2, 'two documents');
  assert.equal(jsonErrorLine('{"a": 01}'), 1, 'leading zero');
});
