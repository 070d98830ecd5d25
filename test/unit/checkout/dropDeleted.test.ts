import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkIndex, type ChunkRecord, type StatRow } from '../../../src/store/WorkIndex.js';
import { DROP_ONE_BY_ONE, dropDeleted } from '../../../src/workspace/checkout/dropDeleted.js';

const L = (c: string): string => c.repeat(64);
const OLD = { now: () => 2e12 };

/** An index of 6 chunks of 50 files each (f000..f299), rows not racy. */
function index(dir: string, name: string): WorkIndex {
  const w = WorkIndex.open(join(dir, `${name}.twi`), 'data', OLD);
  const chunks: ChunkRecord[] = [];
  const rows: StatRow[][] = [];
  for (let c = 0; c < 6; c++) {
    const names = Array.from({ length: 50 }, (_, i) => `f${String(c * 50 + i).padStart(3, '0')}`);
    chunks.push({ first: names[0]!, files: 50, size: 50, sig: L(String(c)), leaf: L('a') });
    rows.push(names.map((n, i): StatRow => [n, i + 1, 1, 1.7e12, 'f', L('e')]));
  }
  w.splice(L('b'), 0, 0, chunks, rows);
  return w;
}

test('dropping many deleted files splices each chunk holding some once, as dropRange per file would leave it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trove-drop-'));
  try {
    const gone = ['f003', 'f010', 'f049', 'f120', 'f121', 'f122', 'f123', 'f124', 'f125', 'f126', 'f299'];
    assert.ok(gone.length > DROP_ONE_BY_ONE, 'the batched pass runs');
    const batched = index(dir, 'a');
    const oneByOne = index(dir, 'b');
    let splices = 0;
    const splice = batched.splice.bind(batched);
    batched.splice = (...a) => {
      splices++;
      return splice(...a);
    };
    dropDeleted(batched, gone);
    for (const p of gone) oneByOne.dropRange(p);
    assert.equal(splices, 3, 'chunks 0, 2 and 5, once each');
    assert.deepEqual(batched.chunks(), oneByOne.chunks());
    for (let i = 0; i < 6; i++) assert.deepEqual([...batched.rows(i).keys()], [...oneByOne.rows(i).keys()]);
    assert.deepEqual(batched.chunks().map((c) => c.sig === null), [true, false, true, false, false, true]);
    assert.equal(batched.rows(2).has('f120'), false);
    assert.equal(batched.rows(2).has('f127'), true);
    assert.equal(batched.root(), L('b'), 'the root is the caller to set');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
