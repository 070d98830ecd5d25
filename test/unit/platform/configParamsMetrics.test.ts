import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommittedConfig } from '../../../src/platform/config.js';

const base = 'version: 1\n';

test('config params/metrics: defaults are params.yaml and metrics.json', () => {
  const c = parseCommittedConfig(base, 'config.yaml');
  assert.deepEqual(c.params.files, ['params.yaml']);
  assert.deepEqual(c.metrics.files, ['metrics.json']);
});

test('config params/metrics: files listed are taken as given', () => {
  const c = parseCommittedConfig(`${base}params:\n  files: [params.yaml, conf/train.toml]\nmetrics:\n  files: [eval/metrics.csv]\n`, 'config.yaml');
  assert.deepEqual(c.params.files, ['params.yaml', 'conf/train.toml']);
  assert.deepEqual(c.metrics.files, ['eval/metrics.csv']);
});

test('config params: a file with an unknown extension is a CONFIG error naming the key', () => {
  assert.throws(() => parseCommittedConfig(`${base}params:\n  files: [params.py]\n`, 'config.yaml'), (e: any) => e.code === 'CONFIG' && e.data.key === 'params.files');
});

test('config metrics: a path outside the repository is a CONFIG error', () => {
  assert.throws(() => parseCommittedConfig(`${base}metrics:\n  files: [../m.json]\n`, 'config.yaml'), (e: any) => e.code === 'CONFIG' && e.data.key === 'metrics.files');
  assert.throws(() => parseCommittedConfig(`${base}metrics:\n  files: [.git/m.json]\n`, 'config.yaml'), (e: any) => e.code === 'CONFIG');
});

test('config params: files that are not a list of paths is a CONFIG error', () => {
  assert.throws(() => parseCommittedConfig(`${base}params:\n  files: 3\n`, 'config.yaml'), (e: any) => e.code === 'CONFIG');
  assert.throws(() => parseCommittedConfig(`${base}params:\n  files: []\n`, 'config.yaml'), (e: any) => e.code === 'CONFIG');
  assert.throws(() => parseCommittedConfig(`${base}params: [a.yaml]\n`, 'config.yaml'), (e: any) => e.code === 'CONFIG');
});
