import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { serializeStageRecord, parseStageRecord, stageFilePath } from '../../../src/core/stageRecord.js';
import { TroveError } from '../../../src/errors/index.js';
import { GOLDEN_C1, GOLDEN_C2, GOLDEN_STAGES, GOLDEN_STAGES_TEXT, GOLDEN_STAGE_ORDER } from './registryGoldens.js';

const C1 = GOLDEN_C1;
const C2 = GOLDEN_C2;
const FILE = '.trove/registry/stages/modelmnist.yaml';
const GOLDEN = GOLDEN_STAGES;
const GOLDEN_TEXT = GOLDEN_STAGES_TEXT;

function fails(fn: () => unknown): TroveError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TroveError);
    return err;
  }
  assert.fail('expected an error');
}

test('stageRecord golden; hand-reformatted YAML falls back and parses', () => {
  // golden bytes, in the configured stage order
  assert.equal(serializeStageRecord(GOLDEN, GOLDEN_STAGE_ORDER), GOLDEN_TEXT);
  // without an order, stages are sorted
  assert.ok(serializeStageRecord(GOLDEN).indexOf('production:') < serializeStageRecord(GOLDEN).indexOf('staging:'));
  assert.equal(serializeStageRecord({ format: 1, entity: 'm', stages: {} }), 'trove-stages: 1\nentity: m\nstages: {}\n');
  assert.equal(stageFilePath('modelmnist'), FILE);

  // fast path round trip (no yaml parser needed), CRLF too
  assert.deepEqual(parseStageRecord(GOLDEN_TEXT, FILE), GOLDEN);
  assert.deepEqual(parseStageRecord(GOLDEN_TEXT.replace(/\n/g, '\r\n'), FILE), GOLDEN);
  assert.deepEqual(parseStageRecord('trove-stages: 1\nentity: m\nstages: {}\n', FILE), { format: 1, entity: 'm', stages: {} });
  // it is valid YAML meaning the same
  assert.deepEqual(parseYaml(GOLDEN_TEXT), { 'trove-stages': 1, entity: 'modelmnist', stages: { staging: [], production: GOLDEN.stages.production } });

  // hand-reformatted (flow style, comments, other indentation, unquoted by): fast parser gives up, yaml reads it
  const hand =
    '# edited while resolving a merge\n' +
    'trove-stages: 1\n' +
    'entity: modelmnist\n' +
    'stages:\n' +
    '   production:\n' +
    `   - {version: v2.0.0, commit: "${C1}", assigned: 2025-05-01T12:00:00Z, by: Ann <ann@example.com>}\n` +
    `   - version: v1.0.0\n     commit: "${C2}"\n     assigned: "2025-04-01T09:30:00Z"\n     by: 'Bob "B" <bob@example.com>'\n` +
    '   staging:\n';
  const viaYaml = parseStageRecord(hand, FILE, parseYaml);
  // the machine layout with a quoted commit and a comment is read too (the fast parser refuses, yaml accepts)
  const quoted = GOLDEN_TEXT.replace(`commit: ${C1}`, `commit: "${C1}"  # re-pointed by hand`);
  assert.deepEqual(parseStageRecord(quoted, FILE, parseYaml), GOLDEN);
  assert.equal(fails(() => parseStageRecord(quoted, FILE)).data?.line, 7);
  assert.deepEqual(viaYaml.stages.production, GOLDEN.stages.production);
  assert.deepEqual(viaYaml.stages.staging, []);
  assert.equal(serializeStageRecord(viaYaml, ['staging', 'production']), GOLDEN_TEXT);
  // the same hand edit without a yaml parser names the first line the fast parser could not read
  const noYaml = fails(() => parseStageRecord(hand, FILE));
  assert.equal(noYaml.code, 'BAD_RECORD');
  assert.equal(noYaml.data?.file, FILE);
  assert.equal(noYaml.data?.line, 1);
});

test('stageRecord refuses garbage naming file and line; newer format is NEWER_FORMAT', () => {
  const cases: [string, string, number | null][] = [
    ['bad commit', GOLDEN_TEXT.replace(C1, 'abc'), 7],
    ['bad version', GOLDEN_TEXT.replace('version: v2.0.0', 'version: 2.0.0'), 6],
    ['bad date', GOLDEN_TEXT.replace('2025-05-01T12:00:00Z', '2025-05-01 12:00'), 8],
    ['merge conflict markers', GOLDEN_TEXT.replace('  staging: []\n', '<<<<<<< HEAD\n  staging: []\n=======\n>>>>>>> b\n'), 4],
  ];
  for (const [what, text, line] of cases) {
    const err = fails(() => parseStageRecord(text, FILE, parseYaml));
    assert.equal(err.code, 'BAD_RECORD', what);
    assert.equal(err.data?.file, FILE, what);
    if (line !== null) assert.equal(err.data?.line, line, what);
    assert.equal(typeof err.data?.reason, 'string', what);
  }
  // an injected parser that raises its own BAD_RECORD (with a line) is passed through unchanged
  const own = new TroveError('BAD_RECORD', 'x', { data: { file: FILE, line: 42, reason: 'r' } });
  assert.equal(fails(() => parseStageRecord('stages: [\n', FILE, () => { throw own; })), own);
  // semantic errors found through the yaml fallback still name the file
  const viaYaml = fails(() => parseStageRecord('trove-stages: 1\nentity: m\nstages:\n  Prod: []\n', FILE, parseYaml));
  assert.equal(viaYaml.code, 'BAD_RECORD');
  assert.equal(fails(() => parseStageRecord('trove-stages: 1\nentity: m\nstages: [1]\n', FILE, parseYaml)).code, 'BAD_RECORD');
  assert.equal(fails(() => parseStageRecord(GOLDEN_TEXT.replace('trove-stages: 1', 'trove-stages: 2'), FILE)).code, 'NEWER_FORMAT');
  assert.equal(fails(() => parseStageRecord('trove-stages: 2\nentity: m\nstages:\n  dev:\n  - {}\n', FILE, parseYaml)).code, 'NEWER_FORMAT');
});
