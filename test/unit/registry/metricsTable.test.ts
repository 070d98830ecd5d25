import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  metricsTable,
  metricsRowsFromSnapshot,
  toCsv,
  toMarkdown,
  toJsonRows,
  toText,
  metricsDiff,
  formatDate,
} from '../../../src/core/metricsTable.js';
import { makeSnapshot, mnistSnapshot } from '../../helpers/registrySnapshot.js';
import { GOLDEN_METRICS_CSV } from './registryGoldens.js';

function modelRows(snap = mnistSnapshot()) {
  // given in reverse to show the table orders rows itself
  return metricsRowsFromSnapshot(snap, [...snap.entities.get('modelmnist')!.versions].reverse());
}

test('metricsTable golden csv equals the 002 two-row table with --names mlgit', () => {
  const table = metricsTable(modelRows(), { names: 'mlgit' });
  assert.equal(toCsv(table), GOLDEN_METRICS_CSV);
  assert.deepEqual(toJsonRows(table), [
    { Date: '2021-03-25 14:52:42', Tag: 'handwritten__digits__modelmnist__1', 'Related dataset - (version)': 'mnist - (1)', 'Related labels - (version)': 'labelsmnist - (1)', accuracy: 0.9705 },
    { Date: '2021-03-25 14:55:52', Tag: 'handwritten__digits__modelmnist__2', 'Related dataset - (version)': 'mnist - (2)', 'Related labels - (version)': 'labelsmnist - (2)', accuracy: 0.9746 },
  ]);
  assert.equal(
    toMarkdown(table),
    '| Date | Tag | Related dataset - (version) | Related labels - (version) | accuracy |\n' +
      '| --- | --- | --- | --- | ---: |\n' +
      '| 2021-03-25 14:52:42 | handwritten__digits__modelmnist__1 | mnist - (1) | labelsmnist - (1) | 0.9705 |\n' +
      '| 2021-03-25 14:55:52 | handwritten__digits__modelmnist__2 | mnist - (2) | labelsmnist - (2) | 0.9746 |\n',
  );
});

test('metricsTable with GTO names; missing metrics are empty; odd cells are quoted', () => {
  const gto = metricsTable(modelRows(), { names: 'gto' });
  assert.deepEqual(gto.rows[0], ['2021-03-25 14:52:42', 'modelmnist@v1.0.0', 'mnist - (v1.0.0)', 'labelsmnist - (v1.0.0)', 0.9705]);
  assert.equal(toCsv(gto, { eol: '\n' }).split('\n')[1], '2021-03-25 14:52:42,modelmnist@v1.0.0,mnist - (v1.0.0),labelsmnist - (v1.0.0),0.9705');
  assert.equal(
    toText(gto),
    'Date                 Tag                Related dataset - (version)  Related labels - (version)  accuracy\n' +
      '2021-03-25 14:52:42  modelmnist@v1.0.0  mnist - (v1.0.0)             labelsmnist - (v1.0.0)        0.9705\n' +
      '2021-03-25 14:55:52  modelmnist@v2.0.0  mnist - (v2.0.0)             labelsmnist - (v2.0.0)        0.9746\n',
  );

  const snap = makeSnapshot([
    { name: 'd', type: 'dataset', versions: [{ version: 'v1.0.0' }, { version: 'v1.1.0' }] },
    { name: 'e', type: 'dataset', categories: ['c'], versions: [{ version: 'v1.0.0' }] },
    {
      name: 'm',
      type: 'model',
      categories: ['c'],
      versions: [
        { version: 'v1.0.0', uses: ['d@v1.1.0', 'e@v1.0.0', 'gone@v1.0.0'], metrics: { f1: 0.5, note: 'a, "b"' }, time: 0 },
        { version: 'v1.1.0', metrics: { loss: 0.25 }, time: 60 },
      ],
    },
  ]);
  const t = metricsTable(metricsRowsFromSnapshot(snap, snap.entities.get('m')!.versions), { names: 'mlgit' });
  assert.deepEqual(t.columns, ['Date', 'Tag', 'Related dataset - (version)', 'Related labels - (version)', 'f1', 'loss', 'note']);
  assert.deepEqual(t.rows, [
    ['1970-01-01 00:00:00', 'c__m__1', 'd - (v1.1.0), e - (1)', null, 0.5, null, 'a, "b"'],
    ['1970-01-01 00:01:00', 'm@v1.1.0', null, null, null, 0.25, null], // v1.1.0 has no ml-git number
  ]);
  assert.equal(toCsv(t).split('\r\n')[1], '1970-01-01 00:00:00,c__m__1,"d - (v1.1.0), e - (1)",,0.5,,"a, ""b"""');
  assert.ok(toMarkdown(metricsTable([], { names: 'gto' })).startsWith('| Date | Tag |'));
  assert.equal(formatDate(1616683962), '2021-03-25 14:52:42');
});

test('metricsDiff lists every metric of either version with the delta', () => {
  const snap = mnistSnapshot();
  const [v1, v2] = snap.entities.get('modelmnist')!.versions;
  assert.deepEqual(metricsDiff(v1!, v2!), [{ key: 'accuracy', a: 0.9705, b: 0.9746, delta: 0.0041 }]);
  assert.deepEqual(metricsDiff({ metrics: { a: 1, s: 'x', only: 2 } }, { metrics: { a: 0.5, s: 'y', new: 3 } }), [
    { key: 'a', a: 1, b: 0.5, delta: -0.5 },
    { key: 'new', a: null, b: 3, delta: null },
    { key: 'only', a: 2, b: null, delta: null },
    { key: 's', a: 'x', b: 'y', delta: null },
  ]);
});
