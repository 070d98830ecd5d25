import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serializeVersionRecord,
  versionTagMessage,
  parseVersionRecord,
  versionRecordPath,
} from '../../../src/core/versionRecord.js';
import type { VersionRecord } from '../../../src/core/registryTypes.js';
import { TroveError } from '../../../src/errors/index.js';
import { parse as parseYaml } from 'yaml';
import { GOLDEN_OID, GOLDEN_VERSION, GOLDEN_VERSION_BODY, GOLDEN_VERSION_MESSAGE } from './registryGoldens.js';

const OID = GOLDEN_OID;
const GOLDEN_RECORD = GOLDEN_VERSION;
const GOLDEN_BODY = GOLDEN_VERSION_BODY;

function badRecord(text: string, source = 'mnist@v1.0.0'): TroveError {
  try {
    parseVersionRecord(text, source);
  } catch (err) {
    assert.ok(err instanceof TroveError);
    return err;
  }
  assert.fail('expected an error');
}

test('versionRecord golden v1 round-trips; unknown newer version is NEWER_FORMAT; garbage names the line', () => {
  // golden bytes
  assert.equal(serializeVersionRecord(GOLDEN_RECORD), GOLDEN_BODY);
  const message = versionTagMessage(GOLDEN_RECORD);
  assert.equal(message, GOLDEN_VERSION_MESSAGE);
  assert.equal(versionRecordPath('modelmnist', 'v2.0.0'), '.trove/registry/versions/modelmnist/v2.0.0.yaml');

  // round trips: body, full message, message with a note, CRLF
  const canonical = { ...GOLDEN_RECORD, uses: [...GOLDEN_RECORD.uses].sort(), metrics: { accuracy: 0.9746, loss: 0.081, note: 'trained "fast"' } };
  assert.deepEqual(parseVersionRecord(GOLDEN_BODY, 'x'), canonical);
  assert.deepEqual(parseVersionRecord(message, 'x'), canonical);
  const withNote = versionTagMessage(GOLDEN_RECORD, 'retrained with augmentation\n# not a key: really');
  assert.ok(withNote.endsWith('\n\nretrained with augmentation\n# not a key: really\n'));
  assert.deepEqual(parseVersionRecord(withNote, 'x'), canonical);
  assert.deepEqual(parseVersionRecord(GOLDEN_BODY.replace(/\n/g, '\r\n'), 'x'), canonical);
  assert.equal(serializeVersionRecord(parseVersionRecord(GOLDEN_BODY, 'x')), GOLDEN_BODY);
  // the record is valid YAML that reads the same values
  assert.deepEqual(parseYaml(GOLDEN_BODY), {
    'trove-version': 1, entity: 'modelmnist', type: 'model', version: 'v2.0.0', path: 'model/handwritten/digits/modelmnist',
    'data-oid': OID, 'data-kind': 'dir', 'data-size': 1843200, 'data-files': 1, uses: 'labelsmnist@v2.0.0 mnist@v2.0.0',
    'metric.accuracy': 0.9746, 'metric.loss': 0.081, 'metric.note': 'trained "fast"',
  });
  // key order of metrics in the object is sorted
  assert.deepEqual(Object.keys(parseVersionRecord(GOLDEN_BODY, 'x').metrics), ['accuracy', 'loss', 'note']);

  // minimal record: no uses, no metrics; a quoted path
  const minimal: VersionRecord = { ...GOLDEN_RECORD, path: 'my data/set: one', dataKind: 'file', uses: [], metrics: {} };
  const minimalText = serializeVersionRecord(minimal);
  assert.ok(minimalText.includes('path: "my data/set: one"\n'));
  assert.ok(!minimalText.includes('uses:'));
  assert.ok(minimalText.endsWith('data-files: 1\n'));
  assert.deepEqual(parseVersionRecord(minimalText, 'x'), minimal);

  // newer format
  const newer = badRecord(GOLDEN_BODY.replace('trove-version: 1', 'trove-version: 2'));
  assert.equal(newer.code, 'NEWER_FORMAT');
  assert.equal(newer.data?.format, 2);

  // garbage names the line (1-based, counted in the text given: the subject is line 1)
  const cases: [string, string, number][] = [
    ['no record at all', 'hello world\n', 1],
    ['key out of order', GOLDEN_BODY.replace('entity: modelmnist\ntype: model\n', 'type: model\nentity: modelmnist\n'), 2],
    ['bad entity name', GOLDEN_BODY.replace('entity: modelmnist', 'entity: Model MNIST'), 2],
    ['bad version', GOLDEN_BODY.replace('version: v2.0.0', 'version: 2.0'), 4],
    ['unquoted odd path', GOLDEN_BODY.replace('path: model/handwritten/digits/modelmnist', 'path: a b'), 5],
    ['bad oid', GOLDEN_BODY.replace(OID, 'sha256:abc'), 6],
    ['bad kind', GOLDEN_BODY.replace('data-kind: dir', 'data-kind: pipe'), 7],
    ['negative size', GOLDEN_BODY.replace('data-size: 1843200', 'data-size: -1'), 8],
    ['missing data-files', GOLDEN_BODY.replace('data-files: 1\n', ''), 9],
    ['bad uses entry', GOLDEN_BODY.replace('uses: labelsmnist@v2.0.0', 'uses: labelsmnist@latest'), 10],
    ['unknown key', GOLDEN_BODY.replace('metric.loss: 0.081', 'colour: red'), 12],
    ['duplicate metric', GOLDEN_BODY.replace('metric.loss: 0.081', 'metric.accuracy: 1'), 12],
    ['NaN metric', GOLDEN_BODY.replace('metric.loss: 0.081', 'metric.loss: .nan'), 12],
    ['unquoted string metric', GOLDEN_BODY.replace('metric.loss: 0.081', 'metric.loss: low'), 12],
    ['bad metric key', GOLDEN_BODY.replace('metric.loss: 0.081', 'metric.9loss: 1'), 12],
    ['format zero', GOLDEN_BODY.replace('trove-version: 1', 'trove-version: 0'), 1],
  ];
  for (const [what, text, line] of cases) {
    const err = badRecord(text, 'modelmnist@v2.0.0');
    assert.equal(err.code, 'BAD_RECORD', what);
    assert.equal(err.data?.file, 'modelmnist@v2.0.0', what);
    assert.equal(err.data?.line, line, what);
    assert.equal(typeof err.data?.reason, 'string', what);
  }
  // in a full tag message the subject and blank line count
  assert.equal(badRecord(`Register x v1\n\n${GOLDEN_BODY.replace('data-kind: dir', 'data-kind: x')}`).data?.line, 9);
});

test('versionRecord parses 2,000 records (the registry reads them all on every command)', () => {
  const texts: string[] = [];
  for (let i = 0; i < 2000; i++) {
    texts.push(versionTagMessage({ ...GOLDEN_RECORD, entity: `e${i % 100}`, version: `v${1 + Math.floor(i / 100)}.0.0`, metrics: { accuracy: i / 2000 } }));
  }
  const parsed = texts.map((t, i) => parseVersionRecord(t, `tag${i}`));
  assert.equal(parsed.length, 2000);
  assert.equal(parsed[1999]!.entity, 'e99');
  assert.equal(parsed[1999]!.version, 'v20.0.0');
  assert.equal(parsed[1999]!.metrics.accuracy, 1999 / 2000);
});
