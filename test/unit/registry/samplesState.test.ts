import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TroveError } from '../../../src/errors/index.js';
import { assertNotSampled, clearSampled, markSampled, parseSamples, readSamples, refuseSampledPaths, sampledEntityForPath, serializeSamples } from '../../../src/registry/samplesState.js';

function troveDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trove-samples-'));
  mkdirSync(join(dir, 'tmp'));
  return dir;
}

const MNIST = { version: 'v2.0.0', sample: 'stable:1:10', seed: '0', files: 540, path: 'dataset/handwritten/digits/mnist' };

const GOLDEN = `{
  "version": 1,
  "entities": {
    "labelsmnist": {
      "version": null,
      "sample": "range:0:all:2",
      "seed": "0",
      "files": 3,
      "path": "labels/l"
    },
    "mnist": {
      "version": "v2.0.0",
      "sample": "stable:1:10",
      "seed": "0",
      "files": 540,
      "path": "dataset/handwritten/digits/mnist"
    }
  }
}
`;

test('samples.json golden: fixed key order, entities sorted, written atomically, read back', () => {
  const dir = troveDir();
  try {
    // Keys given out of order on purpose.
    markSampled(dir, 'mnist', { path: MNIST.path, files: 540, seed: '0', sample: 'stable:1:10', version: 'v2.0.0' });
    markSampled(dir, 'labelsmnist', { version: null, sample: 'range:0:all:2', seed: '0', files: 3, path: 'labels/l' });
    assert.equal(readFileSync(join(dir, 'tmp', 'samples.json'), 'utf8'), GOLDEN);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), ['samples.json'], 'no temp file left');
    assert.deepEqual(readSamples(dir).entities.mnist, MNIST);
    assert.equal(serializeSamples(parseSamples(GOLDEN)), GOLDEN);
    assert.equal(clearSampled(dir, 'labelsmnist'), true);
    assert.equal(clearSampled(dir, 'labelsmnist'), false);
    assert.deepEqual(Object.keys(readSamples(dir).entities), ['mnist']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('samples.json absent reads as no samples', () => {
  const dir = troveDir();
  try {
    assert.deepEqual(readSamples(dir), { version: 1, entities: {} });
    assertNotSampled(dir, 'mnist');
    assert.equal(sampledEntityForPath(dir, 'dataset/x'), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('assertNotSampled on a sampled entity is SAMPLED with the --full hint and {entity, sample}', () => {
  const dir = troveDir();
  try {
    markSampled(dir, 'mnist', MNIST);
    assert.throws(
      () => assertNotSampled(dir, 'mnist'),
      (err: unknown) => err instanceof TroveError && err.code === 'SAMPLED' && err.hint === 'trove checkout mnist@v2.0.0 --full' && err.data?.entity === 'mnist' && err.data?.sample === 'stable:1:10',
    );
    assertNotSampled(dir, 'labelsmnist');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sampledEntityForPath: the entity path, a path inside it, a parent of it, its pointer; not a sibling', () => {
  const dir = troveDir();
  try {
    markSampled(dir, 'mnist', MNIST);
    for (const p of ['dataset/handwritten/digits/mnist', 'dataset/handwritten/digits/mnist/', 'dataset/handwritten/digits/mnist/a/1.png', 'dataset', 'dataset/handwritten/digits/mnist.trove']) {
      assert.equal(sampledEntityForPath(dir, p)?.entity, 'mnist', p);
    }
    for (const p of ['dataset/handwritten/digits/mnist2', 'data', 'labels/mnist']) assert.equal(sampledEntityForPath(dir, p), null, p);
    assert.throws(() => refuseSampledPaths(dir, ['labels/x', 'dataset/handwritten/digits/mnist/1.png']), (err: unknown) => err instanceof TroveError && err.code === 'SAMPLED');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt samples.json is BAD_RECORD naming the file, or a warning with onCorrupt; markSampled replaces it', () => {
  const dir = troveDir();
  try {
    for (const bad of ['{not json', '[]', '{"version":"1","entities":{}}', '{"version":1}', '{"version":1,"entities":{"m":{"sample":"x"}}}']) {
      writeFileSync(join(dir, 'tmp', 'samples.json'), bad);
      assert.throws(() => readSamples(dir), (err: unknown) => err instanceof TroveError && err.code === 'BAD_RECORD' && err.data?.file === '.trove/tmp/samples.json', bad);
      const warned: TroveError[] = [];
      assert.deepEqual(readSamples(dir, { onCorrupt: (e) => warned.push(e) }).entities, {});
      assert.equal(warned.length, 1);
    }
    markSampled(dir, 'mnist', MNIST);
    assert.deepEqual(readSamples(dir).entities.mnist, MNIST);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('samples.json from a newer trove is NEWER_FORMAT', () => {
  const dir = troveDir();
  try {
    writeFileSync(join(dir, 'tmp', 'samples.json'), '{"version":2,"entities":{}}');
    assert.throws(() => readSamples(dir), (err: unknown) => err instanceof TroveError && err.code === 'NEWER_FORMAT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('samples.json that is a symlink is not followed (BAD_RECORD), and markSampled replaces the link, not its target', () => {
  const dir = troveDir();
  try {
    const outside = join(dir, 'outside.json');
    writeFileSync(outside, '{"version":1,"entities":{}}');
    symlinkSync(outside, join(dir, 'tmp', 'samples.json'));
    assert.throws(() => readSamples(dir), (err: unknown) => err instanceof TroveError && err.code === 'BAD_RECORD');
    markSampled(dir, 'mnist', MNIST);
    assert.equal(readFileSync(outside, 'utf8'), '{"version":1,"entities":{}}');
    assert.deepEqual(readSamples(dir).entities.mnist, MNIST);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
