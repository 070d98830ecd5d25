import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml, parseDocument, LineCounter, isMap, isScalar } from 'yaml';
import { serializeEntityRecord, entityFromYaml, defaultEntityPath, entityFilePath } from '../../../src/core/entityRecord.js';
import type { EntityRecord } from '../../../src/core/registryTypes.js';
import { TroveError } from '../../../src/errors/index.js';
import { GOLDEN_ENTITY, GOLDEN_ENTITY_TEXT } from './registryGoldens.js';

const TYPES = ['dataset', 'labels', 'model'];
const FILE = '.trove/registry/entities/mnist.yaml';

const GOLDEN = GOLDEN_ENTITY;
const GOLDEN_TEXT = GOLDEN_ENTITY_TEXT;

function fromText(text: string, source = FILE, types = TYPES): EntityRecord {
  // as platform/ would: parse with the yaml library, locate keys through the source map
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const locate = (key: string) => {
    if (!isMap(doc.contents)) return undefined;
    const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === key);
    const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
    return range ? counter.linePos(range[0]).line : undefined;
  };
  return entityFromYaml(doc.toJS(), source, types, locate);
}

function bad(text: string, source = FILE): TroveError {
  try {
    fromText(text, source);
  } catch (err) {
    assert.ok(err instanceof TroveError);
    return err;
  }
  assert.fail('expected an error');
}

test('entityRecord golden declaration round-trips through the yaml library', () => {
  assert.equal(serializeEntityRecord(GOLDEN), GOLDEN_TEXT);
  assert.deepEqual(fromText(GOLDEN_TEXT), GOLDEN);
  assert.equal(serializeEntityRecord(fromText(GOLDEN_TEXT)), GOLDEN_TEXT);
  const plain: EntityRecord = { ...GOLDEN, categories: [], path: 'odd path/x', description: '', mutability: 'mutable' };
  const plainText = serializeEntityRecord(plain);
  assert.ok(plainText.includes('categories: []\n') && plainText.includes('path: "odd path/x"\n') && plainText.endsWith('description: ""\n'));
  assert.deepEqual(fromText(plainText), plain);
  assert.equal(entityFilePath('mnist'), FILE);
  assert.equal(defaultEntityPath('dataset', ['handwritten', 'digits'], 'mnist'), 'dataset/handwritten/digits/mnist');
  assert.equal(defaultEntityPath('model', [], 'm'), 'model/m');
  // optional keys take their defaults; unknown keys are ignored; a trailing slash on the path is dropped
  assert.deepEqual(fromText('trove-entity: 1\nname: mnist\ntype: dataset\nowner: ann\n'), {
    format: 1, name: 'mnist', type: 'dataset', categories: [], path: 'dataset/mnist', mutability: 'strict', description: '',
  });
  assert.equal(fromText(GOLDEN_TEXT.replace('path: dataset/handwritten/digits/mnist', 'path: data/mnist/')).path, 'data/mnist');
  // team types come from config
  assert.equal(fromText(GOLDEN_TEXT.replace('type: dataset', 'type: environment'), FILE, [...TYPES, 'environment']).type, 'environment');
});

test('entityRecord refuses unsafe paths, bad names and garbage, naming file, line and reason', () => {
  const cases: [string, string, number | null, RegExp][] = [
    ['absolute path', GOLDEN_TEXT.replace('path: dataset/handwritten/digits/mnist', 'path: /etc/passwd'), 5, /absolute/],
    ['dotdot path', GOLDEN_TEXT.replace('path: dataset/handwritten/digits/mnist', 'path: ../outside'), 5, /\.\./],
    ['path inside .git', GOLDEN_TEXT.replace('path: dataset/handwritten/digits/mnist', 'path: .git/hooks'), 5, /\.git/],
    ['path inside .trove', GOLDEN_TEXT.replace('path: dataset/handwritten/digits/mnist', 'path: .trove/cache'), 5, /\.trove/],
    ['nested dotdot', GOLDEN_TEXT.replace('path: dataset/handwritten/digits/mnist', 'path: data/../../x'), 5, /\.\./],
    ['bad category', GOLDEN_TEXT.replace('[handwritten, digits]', '[Hand Written]'), 4, /category/],
    ['category with __', GOLDEN_TEXT.replace('[handwritten, digits]', '[hand__written]'), 4, /category/],
    ['duplicate category', GOLDEN_TEXT.replace('[handwritten, digits]', '[a, a]'), 4, /twice/],
    ['categories not a list', GOLDEN_TEXT.replace('[handwritten, digits]', 'handwritten'), 4, /list/],
    ['bad name', GOLDEN_TEXT.replace('name: mnist', 'name: "-mnist"'), 2, /name/],
    ['name differs from file', GOLDEN_TEXT.replace('name: mnist', 'name: other'), 2, /file name/],
    ['unknown type', GOLDEN_TEXT.replace('type: dataset', 'type: video'), 3, /type/],
    ['bad mutability', GOLDEN_TEXT.replace('mutability: strict', 'mutability: loose'), 6, /mutability/],
    ['description not a string', GOLDEN_TEXT.replace(/description: .*\n/, 'description: [1]\n'), 7, /description/],
    ['missing name', GOLDEN_TEXT.replace('name: mnist\n', ''), null, /name/],
    ['missing format', GOLDEN_TEXT.replace('trove-entity: 1\n', ''), null, /trove-entity/],
    ['not a mapping', '- a\n- b\n', null, /mapping/],
    ['format not a number', GOLDEN_TEXT.replace('trove-entity: 1', 'trove-entity: one'), 1, /trove-entity/],
  ];
  for (const [what, text, line, reason] of cases) {
    const err = bad(text);
    assert.equal(err.code, 'BAD_RECORD', what);
    assert.equal(err.data?.file, FILE, what);
    assert.equal(err.data?.line, line, what);
    assert.match(String(err.data?.reason), reason, what);
    if (what.includes('path') || what.includes('dotdot')) assert.equal(err.data?.rule, 'unsafe-path', what);
  }
  // without a locator the line is null, the reason still there
  try {
    entityFromYaml(parseYaml(GOLDEN_TEXT.replace('mutability: strict', 'mutability: x')), FILE, TYPES);
    assert.fail();
  } catch (err) {
    assert.equal((err as TroveError).data?.line, null);
  }
  const newer = bad(GOLDEN_TEXT.replace('trove-entity: 1', 'trove-entity: 2'));
  assert.equal(newer.code, 'NEWER_FORMAT');
});
