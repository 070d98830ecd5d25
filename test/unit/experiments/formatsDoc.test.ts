import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCheckpoints, parseExperiment, parseStatus, serializeCheckpoints, serializeExperiment, serializeStatus } from '../../../src/core/experimentRecord.js';
import { parseJournal, serializeJournalEvent } from '../../../src/core/experimentJournal.js';
import { parseCommitMessage, serializeCommitMessage, summarizeRun } from '../../../src/core/runSummary.js';
import { G_CHECKPOINTS, G_EXPERIMENT, G_STATUS } from './experimentGoldens.js';

const FORMATS = fileURLToPath(new URL('../../../../docs/formats.md', import.meta.url));

function experimentBlocks(): string[] {
  const text = readFileSync(FORMATS, 'utf8');
  const start = text.indexOf('\n## Experiments\n');
  assert.ok(start >= 0, 'docs/formats.md has a "## Experiments" section');
  const next = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/\n```[a-z]*\n([\s\S]*?)```\n/g)].map((m) => m[1]!);
}

test('docs/formats.md "Experiments" shows what the codec writes, byte for byte, and it parses back', () => {
  const blocks = experimentBlocks();
  const state = { experiment: G_EXPERIMENT, checkpoints: G_CHECKPOINTS, status: G_STATUS };
  const goldens = {
    'experiment.json': serializeExperiment(G_EXPERIMENT),
    'checkpoints.jsonl': serializeCheckpoints(G_CHECKPOINTS),
    'status.json': serializeStatus(G_STATUS),
    'commit message': serializeCommitMessage(summarizeRun(state)),
    journal: serializeJournalEvent({ event: 'checkpoint', checkpoint: G_CHECKPOINTS[1]!, primary_metric: null }) + serializeJournalEvent({ event: 'status', status: G_STATUS }),
  };
  for (const [what, golden] of Object.entries(goldens)) assert.ok(blocks.includes(golden), `docs/formats.md shows the ${what} golden`);
  assert.deepEqual(parseExperiment(blocks.find((b) => b.includes('"trove-experiment"'))!), G_EXPERIMENT);
  const cps = parseCheckpoints(goldens['checkpoints.jsonl']);
  assert.ok(Number.isNaN(cps[1]!.metrics.loss));
  assert.deepEqual(parseStatus(goldens['status.json']), G_STATUS);
  assert.equal(parseCommitMessage(goldens['commit message']).best!.id, G_CHECKPOINTS[0]!.id);
  assert.equal(parseJournal(goldens.journal).length, 2);
});
