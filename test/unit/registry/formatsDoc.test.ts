import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serializeEntityRecord } from '../../../src/core/entityRecord.js';
import { versionTagMessage } from '../../../src/core/versionRecord.js';
import { serializeStageRecord } from '../../../src/core/stageRecord.js';
import {
  GOLDEN_ENTITY,
  GOLDEN_ENTITY_TEXT,
  GOLDEN_VERSION,
  GOLDEN_VERSION_MESSAGE,
  GOLDEN_STAGES,
  GOLDEN_STAGES_TEXT,
  GOLDEN_STAGE_ORDER,
  GOLDEN_METRICS_CSV,
} from './registryGoldens.js';

// dist/test/unit/registry/ → repository root
const FORMATS = fileURLToPath(new URL('../../../../docs/formats.md', import.meta.url));

function registryExamples(): string[] {
  const text = readFileSync(FORMATS, 'utf8');
  const start = text.indexOf('\n## Registry\n');
  assert.ok(start >= 0, 'docs/formats.md has a "## Registry" section');
  const next = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/\n```[a-z]*\n([\s\S]*?)```\n/g)].map((m) => m[1]!);
}

test('docs/formats.md shows the registry goldens byte for byte (entity, version record, stage file, metrics csv)', () => {
  const blocks = registryExamples();
  // the goldens are what the code writes ...
  assert.equal(serializeEntityRecord(GOLDEN_ENTITY), GOLDEN_ENTITY_TEXT);
  assert.equal(versionTagMessage(GOLDEN_VERSION), GOLDEN_VERSION_MESSAGE);
  assert.equal(serializeStageRecord(GOLDEN_STAGES, GOLDEN_STAGE_ORDER), GOLDEN_STAGES_TEXT);
  // ... and the page shows them
  for (const [what, golden] of [
    ['entity declaration', GOLDEN_ENTITY_TEXT],
    ['version record (tag message)', GOLDEN_VERSION_MESSAGE],
    ['stage file', GOLDEN_STAGES_TEXT],
    ['metrics table (CRLF shown as LF)', GOLDEN_METRICS_CSV.replace(/\r\n/g, '\n')],
  ] as const) {
    assert.ok(blocks.includes(golden), `docs/formats.md "Registry" shows the ${what} golden`);
  }
});
