/**
 * The golden examples of docs/formats.md "Registry": record objects and their
 * exact bytes. The unit tests check serialise/parse against them and
 * formatsDoc.test.ts checks the page still shows them.
 */
import type { EntityRecord, StageRecord, VersionRecord } from '../../../src/core/registryTypes.js';

export const GOLDEN_OID = `sha256:${'9f'.repeat(32)}`;

export const GOLDEN_ENTITY: EntityRecord = {
  format: 1,
  name: 'mnist',
  type: 'dataset',
  categories: ['handwritten', 'digits'],
  path: 'dataset/handwritten/digits/mnist',
  mutability: 'strict',
  description: 'MNIST digits, "as in 002"',
};
export const GOLDEN_ENTITY_TEXT =
  'trove-entity: 1\n' +
  'name: mnist\n' +
  'type: dataset\n' +
  'categories: [handwritten, digits]\n' +
  'path: dataset/handwritten/digits/mnist\n' +
  'mutability: strict\n' +
  'description: "MNIST digits, \\"as in 002\\""\n';

export const GOLDEN_VERSION: VersionRecord = {
  format: 1,
  entity: 'modelmnist',
  type: 'model',
  version: 'v2.0.0',
  path: 'model/handwritten/digits/modelmnist',
  dataOid: GOLDEN_OID,
  dataKind: 'dir',
  dataSize: 1843200,
  dataFiles: 1,
  uses: ['mnist@v2.0.0', 'labelsmnist@v2.0.0'],
  metrics: { loss: 0.081, accuracy: 0.9746, note: 'trained "fast"' },
};
export const GOLDEN_VERSION_BODY =
  'trove-version: 1\n' +
  'entity: modelmnist\n' +
  'type: model\n' +
  'version: v2.0.0\n' +
  'path: model/handwritten/digits/modelmnist\n' +
  `data-oid: ${GOLDEN_OID}\n` +
  'data-kind: dir\n' +
  'data-size: 1843200\n' +
  'data-files: 1\n' +
  'uses: labelsmnist@v2.0.0 mnist@v2.0.0\n' +
  'metric.accuracy: 0.9746\n' +
  'metric.loss: 0.081\n' +
  'metric.note: "trained \\"fast\\""\n';
export const GOLDEN_VERSION_MESSAGE = `Register modelmnist v2.0.0\n\n${GOLDEN_VERSION_BODY}`;

export const GOLDEN_C1 = '3b1f'.repeat(10);
export const GOLDEN_C2 = 'a0'.repeat(32);
export const GOLDEN_STAGE_ORDER = ['dev', 'staging', 'production'];
export const GOLDEN_STAGES: StageRecord = {
  format: 1,
  entity: 'modelmnist',
  stages: {
    staging: [],
    production: [
      { version: 'v2.0.0', commit: GOLDEN_C1, assigned: '2025-05-01T12:00:00Z', by: 'Ann <ann@example.com>' },
      { version: 'v1.0.0', commit: GOLDEN_C2, assigned: '2025-04-01T09:30:00Z', by: 'Bob "B" <bob@example.com>' },
    ],
  },
};
export const GOLDEN_STAGES_TEXT =
  'trove-stages: 1\n' +
  'entity: modelmnist\n' +
  'stages:\n' +
  '  staging: []\n' +
  '  production:\n' +
  '    - version: v2.0.0\n' +
  `      commit: ${GOLDEN_C1}\n` +
  '      assigned: 2025-05-01T12:00:00Z\n' +
  '      by: "Ann <ann@example.com>"\n' +
  '    - version: v1.0.0\n' +
  `      commit: ${GOLDEN_C2}\n` +
  '      assigned: 2025-04-01T09:30:00Z\n' +
  '      by: "Bob \\"B\\" <bob@example.com>"\n';

/** Seed 002's table, `trove metrics modelmnist --names mlgit --format csv`. */
export const GOLDEN_METRICS_CSV =
  'Date,Tag,Related dataset - (version),Related labels - (version),accuracy\r\n' +
  '2021-03-25 14:52:42,handwritten__digits__modelmnist__1,mnist - (1),labelsmnist - (1),0.9705\r\n' +
  '2021-03-25 14:55:52,handwritten__digits__modelmnist__2,mnist - (2),labelsmnist - (2),0.9746\r\n';
