import type { CheckpointRecord, ExperimentRecord, StatusRecord } from '../../../src/core/experimentRecord.js';

/** The examples docs/formats.md "Experiments" shows byte for byte (formatsDoc test). */
export const G_ID = '5f0c9e2a7d4b4c1e9a3f6b8d2e1c0a97';
export const G_OID_CODE = `sha256:${'3c'.repeat(32)}`;
export const G_OID_DATA = `sha256:${'9e'.repeat(32)}`;
export const G_OID_MODEL1 = `sha256:${'a1'.repeat(32)}`;

export const G_EXPERIMENT: ExperimentRecord = {
  'trove-experiment': 1,
  id: G_ID,
  created: '2026-12-06T10:00:00.000Z',
  params: { learning_rate: 0.01, num_epochs: 100 },
  command: ['python', 'train.py', '--learning_rate', '0.01'],
  host: 'gpu-box',
  user: 'ada',
  python: '3.11.7',
  packages: { numpy: '1.26.4', torch: '2.2.1' },
  code: { commit: '8b1f2c3d4e5f60718293a4b5c6d7e8f901234567', path: '.', dirty: { kind: 'dir', oid: G_OID_CODE, size: 1843, files: 2 } },
  data: [{ path: 'data/iris.csv', kind: 'file', oid: G_OID_DATA }],
  primary_metric: { name: 'loss', goal: 'minimize' },
};

export const G_CHECKPOINTS: CheckpointRecord[] = [
  { id: '0d5e8a1b2c3d4e5f60718293a4b5c6d7', step: 1, created: '2026-12-06T10:00:05.000Z', metrics: { loss: 0.52, accuracy: 0.8 }, path: 'model.pth', data: { kind: 'file', oid: G_OID_MODEL1, size: 4096, files: 1 } },
  { id: '7c6b5a4938271605f4e3d2c1b0a99887', step: 2, created: '2026-12-06T10:00:06.000Z', metrics: { loss: NaN, accuracy: 0.1 }, path: null, data: null },
];

export const G_STATUS: StatusRecord = { status: 'stopped', updated: '2026-12-06T10:00:07.000Z', pid: 4242, host: 'gpu-box' };
