import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffStages, parseRawLog } from '../../../src/registry/stageHistory.js';
import type { StageRecord } from '../../../src/core/registryTypes.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

test('parseRawLog reads commits, their times, authors and raw changes (adds, modifications, renames)', () => {
  const text = `\x01c1\x001700000000\x00Ann <a@x>\x00\n:000000 100644 ${Z} ${A} A\x00.trove/registry/stages/m.yaml\x00\x01c2\x001700000100\x00Rita <r@x>\x00\n:100644 100644 ${A} ${B} M\x00.trove/registry/stages/m.yaml\x00:100644 100644 ${A} ${A} R100\x00.trove/registry/stages/old.yaml\x00.trove/registry/stages/new.yaml\x00`;
  const changes = parseRawLog(text);
  assert.deepEqual(changes.map((c) => [c.commit, c.time, c.author, c.before.slice(0, 1), c.after.slice(0, 1), c.file]), [
    ['c1', 1700000000, 'Ann <a@x>', '0', 'a', '.trove/registry/stages/m.yaml'],
    ['c2', 1700000100, 'Rita <r@x>', 'a', 'b', '.trove/registry/stages/m.yaml'],
    ['c2', 1700000100, 'Rita <r@x>', 'a', 'a', '.trove/registry/stages/new.yaml'],
  ]);
});

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
