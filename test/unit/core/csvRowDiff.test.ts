import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csvRowDiff, delimiterFor, parseRecords } from '../../../src/core/csvRowDiff.js';

describe('csvRowDiff', () => {
  test('rows re-ordered are not changes; duplicates count as a multiset', () => {
    const d = csvRowDiff('a,b\n1,x\n2,y\n2,y\n', 'a,b\n2,y\n1,x\n', ',');
    assert.deepEqual(d.counts, { from: 3, to: 2, added: 0, removed: 1, changed: 0, unchanged: 2 });
    assert.deepEqual(d.removed, [{ row: 3, cells: ['2', 'y'] }]);
  });

  test('an id column pairs a removed and an added row as changed, naming the columns that differ', () => {
    const d = csvRowDiff('name,id,score\nann,7,1\nbob,8,2\n', 'name,id,score\nann,7,3\ncid,9,4\n', ',');
    assert.equal(d.key, 'id');
    assert.deepEqual(d.changed, [{ key: '7', from: { row: 1, cells: ['ann', '7', '1'] }, to: { row: 1, cells: ['ann', '7', '3'] }, columns: [2] }]);
    assert.deepEqual(d.removed.map((r) => r.cells[1]), ['8']);
    assert.deepEqual(d.added.map((r) => r.cells[1]), ['9']);
  });

  test('no pairing when the key is not unique, or the headers differ', () => {
    assert.equal(csvRowDiff('id,v\n1,a\n1,b\n', 'id,v\n1,c\n', ',').changed.length, 0);
    const h = csvRowDiff('id,v\n1,a\n', 'id,w\n1,b\n', ',');
    assert.equal(h.header.changed, true);
    assert.equal(h.changed.length, 0);
    assert.equal(h.counts.added, 1);
  });

  test('quoted fields with commas, doubled quotes and newlines; BOM and CRLF', () => {
    const recs = parseRecords('\ufeffa,b\r\n"x,1","say ""hi""\nthere"\r\nlast,row', ',');
    assert.deepEqual(recs.map((r) => r.cells), [['a', 'b'], ['x,1', 'say "hi"\nthere'], ['last', 'row']]);
    assert.equal(recs[1]!.raw, '"x,1","say ""hi""\nthere"');
  });

  test('a quoted field spanning several lines is one record, and quotes in later rows do not confuse the split', () => {
    const recs = parseRecords('a,b\n"x\ny\nz",1\n2,"q"\n', ',');
    assert.deepEqual(recs.map((r) => r.cells), [['a', 'b'], ['x\ny\nz', '1'], ['2', 'q']]);
  });

  test('maxRows cuts the changed list too, and the count stays whole', () => {
    const from = 'id,v\n' + Array.from({ length: 30 }, (_, i) => `${i},a\n`).join('');
    const to = 'id,v\n' + Array.from({ length: 30 }, (_, i) => `${i},b\n`).join('');
    const d = csvRowDiff(from, to, ',', { maxRows: 5 });
    assert.equal(d.counts.changed, 30);
    assert.equal(d.changed.length, 5);
    assert.equal(d.counts.added + d.counts.removed, 0);
    assert.equal(d.truncated, true);
  });

  test('maxRows cuts the lists but not the counts', () => {
    const many = 'v\n' + Array.from({ length: 50 }, (_, i) => `${i}\n`).join('');
    const d = csvRowDiff('v\n', many, ',', { maxRows: 10 });
    assert.equal(d.added.length, 10);
    assert.equal(d.counts.added, 50);
    assert.equal(d.truncated, true);
  });

  test('the delimiter follows the extension', () => {
    assert.equal(delimiterFor('x/T.CSV'), ',');
    assert.equal(delimiterFor('a.tsv'), '\t');
    assert.equal(delimiterFor('a.json'), undefined);
  });
});
