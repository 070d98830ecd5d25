import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planPromotion, type PromotionInput } from '../../../src/core/planPromotion.js';
import { DEFAULT_REGISTRY, type RegisteredVersion, type StageAssignment } from '../../../src/core/registryTypes.js';
import { TroveError } from '../../../src/errors/index.js';

const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);
const version = (v: string, commit: string, deprecated = false): RegisteredVersion => ({ format: 1, entity: 'm', type: 'model', version: v, path: 'model/m', dataOid: 'sha256:' + 'a'.repeat(64), dataKind: 'dir', dataSize: 1, dataFiles: 1, uses: [], metrics: {}, tag: `m@${v}`, commit, time: 0, author: 'A <a@x>', deprecated });
const held = (v: string, commit: string): StageAssignment => ({ version: v, commit, assigned: '2026-01-01T00:00:00Z', by: 'A <a@x>' });
const input = (over: Partial<PromotionInput>): PromotionInput => ({ entity: 'm', entityDeprecated: false, version: version('v2.0.0', C2), stage: 'production', current: {}, config: DEFAULT_REGISTRY, assigned: '2026-02-01T00:00:00Z', by: 'B <b@x>', ...over });
const rule = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TroveError);
    assert.equal(err.code, 'USAGE');
    return String(err.data?.rule);
  }
  throw new Error('not refused');
};

test('production (versions: 1) replaces its holder', () => {
  const p = planPromotion(input({ current: { production: [held('v1.0.0', C1)] } }));
  assert.deepEqual(p.record.stages.production!.map((a) => a.version), ['v2.0.0']);
  assert.deepEqual(p.replaced.map((a) => a.version), ['v1.0.0']);
  assert.deepEqual(p.previous.map((a) => a.version), ['v1.0.0']);
  assert.deepEqual(p.assignment, { version: 'v2.0.0', commit: C2, assigned: '2026-02-01T00:00:00Z', by: 'B <b@x>' });
});

test('an unlimited stage keeps every holder, newest first', () => {
  const p = planPromotion(input({ stage: 'staging', current: { staging: [held('v1.0.0', C1)], production: [held('v1.0.0', C1)] } }));
  assert.deepEqual(p.record.stages.staging!.map((a) => a.version), ['v2.0.0', 'v1.0.0']);
  assert.deepEqual(p.replaced, []);
  assert.deepEqual(Object.keys(p.record.stages), ['staging', 'production']);
});

test('a stage with versions: 2 drops the oldest of three', () => {
  const config = { ...DEFAULT_REGISTRY, stages: [{ name: 'canary', versions: 2 }] };
  const p = planPromotion(input({ stage: 'canary', config, version: version('v3.0.0', C2), current: { canary: [held('v2.0.0', C2), held('v1.0.0', C1)] } }));
  assert.deepEqual(p.record.stages.canary!.map((a) => a.version), ['v3.0.0', 'v2.0.0']);
  assert.deepEqual(p.replaced.map((a) => a.version), ['v1.0.0']);
});

test('a stage that is not configured is refused with rule stage', () => {
  assert.equal(rule(() => planPromotion(input({ stage: 'prod' }))), 'stage');
});

test('a deprecated version, or a version of a deprecated entity, is refused with rule deprecated', () => {
  assert.equal(rule(() => planPromotion(input({ version: version('v2.0.0', C2, true) }))), 'deprecated');
  assert.equal(rule(() => planPromotion(input({ entityDeprecated: true }))), 'deprecated');
});

test('a version already in the stage is refused with rule assigned', () => {
  assert.equal(rule(() => planPromotion(input({ current: { production: [held('v2.0.0', C2)] } }))), 'assigned');
});

test('ordered stages: production needs staging first, unless force', () => {
  const config = { ...DEFAULT_REGISTRY, ordered: true };
  assert.equal(rule(() => planPromotion(input({ config }))), 'order');
  assert.doesNotThrow(() => planPromotion(input({ config, force: true })));
  assert.doesNotThrow(() => planPromotion(input({ config, current: { staging: [held('v2.0.0', C2)] } })));
  assert.doesNotThrow(() => planPromotion(input({ config, stage: 'dev' })));
});
