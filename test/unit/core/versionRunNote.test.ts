import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRunNote, parseRunNote } from '../../../src/core/versionRunNote.js';
import { versionTagMessage } from '../../../src/core/versionRecord.js';

const EXP = '0123456789abcdef0123456789abcdef';
const CK = 'fedcba9876543210fedcba9876543210';
const record = { format: 1, entity: 'm', type: 'model', version: 'v1.0.0', path: 'm', dataOid: `sha256:${'a'.repeat(64)}`, dataKind: 'dir' as const, dataSize: 1, dataFiles: 1, uses: [], metrics: {} };

test('the run note exp promote writes after a version record reads back (step, no step, a note of the user before it)', () => {
  for (const step of [3, null, 0]) {
    const note = formatRunNote({ experiment: EXP, checkpoint: CK, step });
    assert.deepEqual(parseRunNote(versionTagMessage(record, note)), { experiment: EXP, checkpoint: CK, step });
    assert.deepEqual(parseRunNote(versionTagMessage(record, `retrained on the cleaned set\n\n${note}`)), { experiment: EXP, checkpoint: CK, step });
  }
});

test('a version registered by hand, or a note that only mentions an experiment, names no run', () => {
  assert.equal(parseRunNote(versionTagMessage(record)), null);
  assert.equal(parseRunNote(versionTagMessage(record, `see From experiment ${EXP} checkpoint ${CK}.`)), null);
  assert.equal(parseRunNote(versionTagMessage(record, `From experiment ${EXP.slice(0, 8)} checkpoint ${CK}.`)), null);
});
