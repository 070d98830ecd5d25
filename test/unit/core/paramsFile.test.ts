import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenParams, paramText, paramsFormatFor, parseParamsFile, sameParam } from '../../../src/core/paramsFile.js';
import { paramsParsers } from '../../../src/platform/revisionFiles.js';

const at = { file: 'params.yaml', rev: 'HEAD' };

test('flattenParams: nested keys become dotted paths, lists are indexed, keys sorted', () => {
  const flat = flattenParams({ train: { lr: 0.1, opt: { name: 'adam' } }, layers: [64, 32], seed: 1 });
  assert.deepEqual(Object.keys(flat), ['layers.0', 'layers.1', 'seed', 'train.lr', 'train.opt.name']);
  assert.deepEqual(flat, { 'layers.0': 64, 'layers.1': 32, seed: 1, 'train.lr': 0.1, 'train.opt.name': 'adam' });
});

test('flattenParams: lists of mappings index then descend; empty list and mapping stay leaves; null and booleans kept', () => {
  const flat = flattenParams({ stages: [{ name: 'a', epochs: 2 }], empty: [], none: {}, off: false, nothing: null });
  assert.deepEqual(flat, { empty: [], none: {}, nothing: null, off: false, 'stages.0.epochs': 2, 'stages.0.name': 'a' });
});

test('flattenParams: NaN and infinities become $float markers, -0 becomes 0', () => {
  const flat = flattenParams({ a: Number.NaN, b: Infinity, c: -Infinity, d: -0 });
  assert.deepEqual(flat, { a: { $float: 'NaN' }, b: { $float: 'Infinity' }, c: { $float: '-Infinity' }, d: 0 });
  const nan = flattenParams({ a: Number.NaN }).a;
  assert.equal(paramText(nan), 'NaN');
  assert.ok(sameParam(nan, { $float: 'NaN' }));
});

test('flattenParams: a dotted key colliding with a nested one is BAD_PARAMS naming the key', () => {
  assert.throws(() => flattenParams({ 'a.b': 1, a: { b: 2 } }, at), (e: any) => e.code === 'BAD_PARAMS' && /a\.b/.test(e.data.reason) && e.data.rev === 'HEAD');
});

test('flattenParams: __proto__ is data, not a prototype', () => {
  const flat = flattenParams(JSON.parse('{"__proto__": {"x": 1}}'));
  assert.deepEqual(Object.keys(flat), ['__proto__.x']);
  assert.equal(Object.getPrototypeOf(flat), Object.prototype);
});

test('paramsFormatFor: by extension', () => {
  assert.equal(paramsFormatFor('params.yaml'), 'yaml');
  assert.equal(paramsFormatFor('conf/p.YML'), 'yaml');
  assert.equal(paramsFormatFor('p.json'), 'json');
  assert.equal(paramsFormatFor('pyproject.toml'), 'toml');
  assert.equal(paramsFormatFor('params.py'), null);
});

test('parseParamsFile: YAML, JSON and TOML give the same flat keys', () => {
  const p = paramsParsers();
  const yaml = parseParamsFile('train:\n  lr: 0.1\nlayers: [64, 32]\n', at, 'yaml', p);
  const json = parseParamsFile('{"train": {"lr": 0.1}, "layers": [64, 32]}', at, 'json', p);
  const toml = parseParamsFile('layers = [64, 32]\n[train]\nlr = 0.1\n', at, 'toml', p);
  assert.deepEqual(yaml, json);
  assert.deepEqual(toml, json);
});

test('parseParamsFile: TOML dates keep their TOML text, integers past 2^53 are kept exactly as text, inf is a $float', () => {
  const flat = parseParamsFile('d = 1979-05-27\nbig = 9007199254740993\nf = inf\n', at, 'toml', paramsParsers());
  assert.deepEqual(flat, { big: '9007199254740993', d: '1979-05-27', f: { $float: 'Infinity' } });
});

test('parseParamsFile: an empty YAML file is no params', () => {
  assert.deepEqual(parseParamsFile('', at, 'yaml', paramsParsers()), {});
});

test('parseParamsFile: invalid TOML is BAD_PARAMS naming the file, the revision and the line', () => {
  assert.throws(() => parseParamsFile('a = 1\nb = = 2\n', at, 'toml', paramsParsers()), (e: any) => e.code === 'BAD_PARAMS' && e.data.file === 'params.yaml' && e.data.rev === 'HEAD' && e.data.line === 2);
});

test('parseParamsFile: invalid YAML is BAD_PARAMS with the line', () => {
  assert.throws(() => parseParamsFile('a: 1\nb: [1, 2\n', { file: 'p.yaml', rev: null }, 'yaml', paramsParsers()), (e: any) => e.code === 'BAD_PARAMS' && e.data.rev === null && typeof e.data.line === 'number');
});

test('parseParamsFile: a top-level list is BAD_PARAMS (not a mapping)', () => {
  assert.throws(() => parseParamsFile('[1, 2]', at, 'json', paramsParsers()), (e: any) => e.code === 'BAD_PARAMS' && e.data.line === 1);
});

test('parseParamsFile: YAML anchors and << merge keys are resolved before flattening', () => {
  const flat = parseParamsFile('base: &b\n  lr: 0.1\n  epochs: 5\nfast:\n  <<: *b\n  epochs: 1\n', at, 'yaml', paramsParsers());
  assert.deepEqual(flat, { 'base.epochs': 5, 'base.lr': 0.1, 'fast.epochs': 1, 'fast.lr': 0.1 });
});
