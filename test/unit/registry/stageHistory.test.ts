import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffStages } from '../../../src/registry/stageHistory.js';
import type { StageRecord } from '../../../src/core/registryTypes.js';

const A = 'a'.repeat(40);

test('diffStages: a replaced holder is an unassign by the committer, the new one an assign by who promoted', () => {
  const rec = (versions: string[]): StageRecord => ({ format: 1, entity: 'm', stages: { production: versions.map((v) => ({ version: v, commit: A, assigned: '2026-01-01T00:00:00Z', by: 'Ann <a@x>' })) } });
  const events = diffStages('m', rec(['v1.0.0']), rec(['v2.0.0']), { commit: 'c', time: 5, author: 'Rita <r@x>' });
  assert.deepEqual(events.map((e) => [e.kind, e.version, e.stage, e.author, e.committedBy]), [
    ['unassign', 'v1.0.0', 'production', 'Rita <r@x>', 'Rita <r@x>'],
    ['assign', 'v2.0.0', 'production', 'Ann <a@x>', 'Rita <r@x>'],
  ]);
  assert.deepEqual(diffStages('m', null, rec(['v2.0.0', 'v1.0.0']), { commit: 'c', time: 5, author: 'R' }).map((e) => e.version), ['v1.0.0', 'v2.0.0']);
  assert.deepEqual(diffStages('m', rec(['v1.0.0']), rec(['v1.0.0']), { commit: 'c', time: 5, author: 'R' }), []);
});
