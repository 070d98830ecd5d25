import { test } from 'node:test';
import assert from 'node:assert/strict';
import { differingParams, matchesFilter, parseRunFilter, runCsvTable, runTable, sortRuns, toCsv, toMarkdown, type RunSummary } from '../../../src/core/expQuery.js';
import { isTroveError } from '../../../src/errors/index.js';

function run(id: string, params: Record<string, unknown>, metrics: Record<string, unknown>, extra: Partial<RunSummary> = {}): RunSummary {
  return {
    id: id.padEnd(32, '0'),
    created: `2026-01-0${id.length}T00:00:00.000Z`,
    updated: '2026-01-09T00:00:00.000Z',
    status: 'stopped',
    host: 'h',
    user: 'u',
    pid: null,
    params,
    primary_metric: { name: 'loss', goal: 'minimize' },
    checkpoints: 1,
    best: { id: 'c'.repeat(32), step: 3, metrics },
    latest: { id: 'd'.repeat(32), step: 4, metrics },
    ...extra,
  };
}

test('parseRunFilter reads every operator and value kind', () => {
  assert.deepEqual(parseRunFilter('accuracy > 0.9'), { key: 'accuracy', op: '>', value: 0.9, text: 'accuracy > 0.9' });
  assert.equal(parseRunFilter('lr==1e-3').value, 0.001);
  assert.equal(parseRunFilter('lr == 1e-3').op, '=');
  assert.equal(parseRunFilter('status != "crashed"').value, 'crashed');
  assert.equal(parseRunFilter('opt = adam').value, 'adam');
  assert.equal(parseRunFilter('x <= -2').value, -2);
  assert.equal(parseRunFilter('flag = true').value, true);
  for (const op of ['=', '!=', '<', '<=', '>', '>=']) assert.equal(parseRunFilter(`k ${op} 1`).op, op);
});

test('parseRunFilter without an operator or a value is USAGE bad-filter', () => {
  for (const bad of ['accuracy', 'accuracy >', '> 3', 'a ~ 3', '']) {
    assert.throws(() => parseRunFilter(bad), (e: unknown) => isTroveError(e, 'USAGE') && (e as any).data.reason === 'bad-filter', bad);
  }
});

test('matchesFilter: params, best metrics, fields; numbers as numbers; a missing key never matches', () => {
  const r = run('a', { lr: 0.01, opt: 'adam' }, { accuracy: 0.95, loss: NaN });
  assert.ok(matchesFilter(r, parseRunFilter('accuracy > 0.9')));
  assert.ok(!matchesFilter(r, parseRunFilter('accuracy > 0.96')));
  assert.ok(matchesFilter(r, parseRunFilter('lr = 0.01')));
  assert.ok(matchesFilter(r, parseRunFilter('opt = adam')));
  assert.ok(matchesFilter(r, parseRunFilter('opt != sgd')));
  assert.ok(matchesFilter(r, parseRunFilter('status = stopped')));
  assert.ok(matchesFilter(r, parseRunFilter('step >= 3')));
  assert.ok(!matchesFilter(r, parseRunFilter('missing = 1')));
  assert.ok(!matchesFilter(r, parseRunFilter('loss < 1')), 'NaN compares false');
  assert.ok(matchesFilter(run('b', {}, { loss: { $float: 'Infinity' } }), parseRunFilter('loss > 1000')));
});

test('sortRuns: ascending, descending, missing last either way', () => {
  const a = run('a', { lr: 0.1 }, {});
  const b = run('bb', { lr: 0.01 }, {});
  const c = run('ccc', {}, {});
  assert.deepEqual(sortRuns([a, b, c], 'lr').map((r) => r.id[0]), ['b', 'a', 'c']);
  assert.deepEqual(sortRuns([c, a, b], '-lr').map((r) => r.id[0]), ['a', 'b', 'c']);
  assert.deepEqual(sortRuns([c, b, a], 'started').map((r) => r.id[0]), ['a', 'b', 'c']);
  assert.throws(() => sortRuns([a], '-'), (e: unknown) => isTroveError(e, 'USAGE'));
});

test('differingParams: only keys whose values differ; all of them for one run', () => {
  const a = run('a', { lr: 0.1, batch: 32, nested: { x: 1 } }, {});
  const b = run('b', { lr: 0.01, batch: 32, nested: { x: 2 }, extra: true }, {});
  assert.deepEqual(differingParams([a, b]), ['extra', 'lr', 'nested']);
  assert.deepEqual(differingParams([a]), ['batch', 'lr', 'nested']);
  assert.deepEqual(differingParams([]), []);
});

test('tables: text columns, CSV quoting, Markdown escaping', () => {
  const a = run('a', { lr: 0.1, note: 'x,"y"' }, { loss: 0.25 });
  const b = run('b', { lr: 0.01, note: 'a|b' }, { loss: 0.5 });
  const t = runTable([a, b]);
  assert.deepEqual(t.header, ['experiment', 'started', 'status', 'host', 'user', 'lr', 'note', 'latest checkpoint', 'best checkpoint']);
  assert.equal(t.rows[0]![8], 'ccccccc (step 3), loss: 0.25');
  const csv = toCsv(runCsvTable([a, b])).split('\n');
  assert.ok(csv[1]!.includes(',"x,""y""",'), csv[1]);
  assert.ok(toMarkdown(runCsvTable([a, b])).includes('a\\|b'));
});
