import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

test('imports between layers go one way only (scripts/check-layers.mjs)', async () => {
  const { checkLayers } = await import(fileURLToPath(new URL('../../../scripts/check-layers.mjs', import.meta.url)));
  const problems: string[] = checkLayers(fileURLToPath(new URL('../../../src', import.meta.url)));
  assert.deepEqual(problems, []);
});
