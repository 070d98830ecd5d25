import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { parseMetricsFile, parseMetricArg, metricsFormatFor, parseCsv } from '../../../src/core/metricsFile.js';
import { TroveError } from '../../../src/errors/index.js';

function fails(fn: () => unknown, code = 'BAD_METRICS'): TroveError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TroveError);
    assert.equal(err.code, code);
    return err;
  }
  assert.fail('expected an error');
}

test('metricsFile csv header plus one row; two value rows refused with line 3; json, yaml, nested flattening; NaN refused', () => {
  // CSV, as ml-git reads it: header row, one value row
  assert.deepEqual(parseMetricsFile('accuracy,loss\n0.9746,0.081\n', 'm.csv', 'csv'), { accuracy: 0.9746, loss: 0.081 });
  // CRLF, BOM, no trailing newline, quoted cells with comma and "" and newline, a string cell, keys sorted
  const csv = '\ufeffrun,f1,"note"\r\n"r,1",1e-3,"said ""hi""\nthen left"\r\n';
  const m = parseMetricsFile(csv, 'm.csv', 'csv');
  assert.deepEqual(m, { f1: 0.001, note: 'said "hi"\nthen left', run: 'r,1' });
  assert.deepEqual(Object.keys(m), ['f1', 'note', 'run']);
  assert.deepEqual(parseMetricsFile('a\n7', 'm.csv', 'csv'), { a: 7 });
  assert.deepEqual(parseMetricsFile('a,b\n" 5 ",-0\n\n\n', 'm.csv', 'csv'), { a: 5, b: 0 });

  // a second value row is refused, naming line 3
  const two = fails(() => parseMetricsFile('accuracy\n0.97\n0.98\n', 'metrics.csv', 'csv'));
  assert.deepEqual(two.data, { file: 'metrics.csv', line: 3, reason: two.data?.reason });
  // ... and after a multi-line quoted cell, the line is the physical one
  assert.equal(fails(() => parseMetricsFile('a\n"x\ny"\n1\n', 'm.csv', 'csv')).data?.line, 4);
  const csvBad: [string, string, number][] = [
    ['empty file', '', 1],
    ['header only', 'accuracy\n', 2],
    ['cell count mismatch', 'a,b\n1\n', 2],
    ['bad key', 'my metric\n1\n', 1],
    ['duplicate key', 'a,a\n1,2\n', 1],
    ['empty value', 'a,b\n1,\n', 2],
    ['NaN', 'a\nnan\n', 2],
    ['Infinity', 'a\n-inf\n', 2],
    ['unclosed quote', 'a\n"1\n', 2],
    ['text after quote', 'a\n"1"x\n', 2],
    ['quote in unquoted cell', 'a\n1"2\n', 2],
  ];
  for (const [what, text, line] of csvBad) {
    const err = fails(() => parseMetricsFile(text, 'm.csv', 'csv'));
    assert.equal(err.data?.line, line, what);
    assert.equal(err.data?.file, 'm.csv', what);
  }

  // JSON, nested flattening
  assert.deepEqual(parseMetricsFile('{"accuracy": 0.97, "val": {"loss": 0.1, "set/name": "test"}}', 'm.json', 'json'), {
    accuracy: 0.97,
    'val.loss': 0.1,
    'val.set/name': 'test',
  });
  assert.equal(fails(() => parseMetricsFile('{\n  "a": 1,\n  "b": \n}', 'm.json', 'json')).data?.line !== undefined, true);
  assert.equal(fails(() => parseMetricsFile('[1, 2]', 'm.json', 'json')).data?.line, 1);
  assert.equal(fails(() => parseMetricsFile('{\n"a": 1,\n"b": [1]\n}', 'm.json', 'json')).data?.line, 3);
  assert.equal(fails(() => parseMetricsFile('{\n"a": null\n}', 'm.json', 'json')).data?.line, 2);
  fails(() => parseMetricsFile('{"a": true}', 'm.json', 'json'));
  fails(() => parseMetricsFile('{"a": NaN}', 'm.json', 'json'));
  fails(() => parseMetricsFile('{"a.b": 1, "a": {"b": 2}}', 'm.json', 'json'));
  fails(() => parseMetricsFile('{"9a": 1}', 'm.json', 'json'));
  // __proto__ is data, not a prototype
  const proto = parseMetricsFile('{"__proto__": 1}', 'm.json', 'json');
  assert.deepEqual(Object.keys(proto), ['__proto__']);
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);

  // YAML through the injected parser
  assert.deepEqual(parseMetricsFile('accuracy: 0.97\nval:\n  loss: 0.1\nnote: ok\n', 'm.yaml', 'yaml', parseYaml), { accuracy: 0.97, note: 'ok', 'val.loss': 0.1 });
  const nan = fails(() => parseMetricsFile('accuracy: 0.9\nloss: .nan\n', 'm.yaml', 'yaml', parseYaml));
  assert.equal(nan.data?.line, 2);
  fails(() => parseMetricsFile('a: .inf\n', 'm.yaml', 'yaml', parseYaml));
  const syntax = fails(() => parseMetricsFile('a: 1\nb: [1,\n', 'm.yaml', 'yaml', parseYaml));
  assert.equal(typeof syntax.data?.line, 'number');
  fails(() => parseMetricsFile('a: 1', 'm.yaml', 'yaml'), 'INTERNAL');

  assert.equal(metricsFormatFor('x/metrics.JSON'), 'json');
  assert.equal(metricsFormatFor('m.yml'), 'yaml');
  assert.equal(metricsFormatFor('m.csv'), 'csv');
  assert.equal(metricsFormatFor('m.txt'), null);
  assert.equal(parseCsv('a,b\n1,2\n', 'x').length, 2);
});

test('parseMetricArg reads KEY=VALUE; bad arguments are USAGE', () => {
  assert.deepEqual(parseMetricArg('accuracy=0.97'), ['accuracy', 0.97]);
  assert.deepEqual(parseMetricArg('note=a=b'), ['note', 'a=b']);
  assert.deepEqual(parseMetricArg('n=1e3'), ['n', 1000]);
  assert.deepEqual(parseMetricArg('v=n/a'), ['v', 'n/a']);
  for (const bad of ['accuracy', '=1', '1a=2', 'a b=1', 'a=', 'a=NaN', 'a=inf', 'a=-Infinity']) {
    const err = fails(() => parseMetricArg(bad), 'USAGE');
    assert.equal(typeof err.data?.reason, 'string', bad);
  }
});
