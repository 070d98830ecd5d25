import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CheckpointRecord, type ExperimentRecord, type RunSummary } from '../../../src/core/experimentRecord.js';
import { metricStats, summarizeRun } from '../../../src/core/runSummary.js';
import { guessGoal, runMetrics } from '../../../src/core/runMetrics.js';

const ID = '0123456789abcdef0123456789abcdef';
const ck = (i: number, metrics: Record<string, unknown>): CheckpointRecord => ({ id: String(i).repeat(32).slice(0, 32), step: i * 10, created: '2026-12-06T10:00:00.000Z', metrics, path: null, data: null });
const experiment = (pm: ExperimentRecord['primary_metric']): ExperimentRecord => ({
  'trove-experiment': 1, id: ID, created: '2026-12-06T10:00:00.000Z', params: {}, command: [], host: 'h', user: 'u', python: null, packages: {},
  code: { commit: null, path: '.', dirty: null }, data: [], primary_metric: pm,
});
const status = { status: 'stopped' as const, updated: '2026-12-06T10:00:00.000Z', pid: null, host: 'h' };

test('guessGoal: loss/error-like names minimize, the rest maximize', () => {
  for (const n of ['loss', 'val_loss', 'Error', 'test_err', 'mse', 'MAE', 'rmse', 'perplexity', 'wer', 'cer']) assert.equal(guessGoal(n), 'minimize', n);
  for (const n of ['accuracy', 'f1', 'auc', 'reward', 'bleu']) assert.equal(guessGoal(n), 'maximize', n);
});

test('runMetrics: best follows the primary goal for the primary metric and the guess for the others', () => {
  const cs = [ck(1, { loss: 0.9, acc: 0.2, score: 5 }), ck(2, { loss: 0.4, acc: 0.7, score: 9 }), ck(3, { loss: 0.6, acc: 0.5, score: 1 })];
  // primary metric "score" MINIMIZED although its name would guess maximize
  const m = runMetrics(summarizeRun({ experiment: experiment({ name: 'score', goal: 'minimize' }), checkpoints: cs, status }));
  assert.deepEqual(m.score, { goal: 'minimize', goal_source: 'primary', best: 1, last: 1, min: 1, max: 9, last_step: 30, exact: true });
  assert.deepEqual(m.loss, { goal: 'minimize', goal_source: 'guess', best: 0.4, last: 0.6, min: 0.4, max: 0.9, last_step: 30, exact: true });
  assert.deepEqual(m.acc, { goal: 'maximize', goal_source: 'guess', best: 0.7, last: 0.5, min: 0.2, max: 0.7, last_step: 30, exact: true });
  const max = runMetrics(summarizeRun({ experiment: experiment({ name: 'loss', goal: 'maximize' }), checkpoints: cs, status }));
  assert.equal(max.loss!.best, 0.9);
  assert.equal(max.loss!.goal_source, 'primary');
});

test('runMetrics of a summary without metric_stats (older runs) falls back to the best and latest checkpoints, marked not exact', () => {
  const cs = [ck(1, { loss: 0.9, acc: 0.9 }), ck(2, { loss: 0.2, acc: 0.1 }), ck(3, { loss: 0.5, acc: 0.3, tag: 'x' })];
  const { metric_stats, ...old } = summarizeRun({ experiment: experiment({ name: 'loss', goal: 'minimize' }), checkpoints: cs, status });
  assert.ok(metric_stats);
  const m = runMetrics(old as RunSummary);
  assert.deepEqual(Object.keys(m), ['acc', 'loss']);
  assert.deepEqual(m.loss, { goal: 'minimize', goal_source: 'primary', best: 0.2, last: 0.5, min: 0.2, max: 0.5, last_step: 30, exact: false });
  // acc 0.9 at step 10 is in neither checkpoint: the fallback cannot know it
  assert.equal(m.acc!.best, 0.3);
  assert.equal(m.acc!.exact, false);
});

test('runMetrics: a metric whose values are all NaN has no best, its last is NaN', () => {
  const s = summarizeRun({ experiment: experiment(null), checkpoints: [ck(1, { loss: NaN })], status });
  assert.deepEqual(s.metric_stats, metricStats([ck(1, { loss: NaN })]));
  const m = runMetrics(s);
  assert.equal(m.loss!.best, null);
  assert.ok(Number.isNaN(m.loss!.last));
});
