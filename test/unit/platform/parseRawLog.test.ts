import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isZeroOid, parseRawLog, rawLogFormat } from '../../../src/platform/parseRawLog.js';

// Hand-written `-z --raw` text for the shapes a test repository cannot easily
// make; test/integration/parseRawLog.test.ts reads real git output.
const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const head = (...fields: string[]): string => `\x1e${fields.join('\x1f')}\0`;

test('rawLogFormat puts a commit marker first and separates the placeholders', () => {
  assert.equal(rawLogFormat(['%H', '%ct', '%an <%ae>']), '--format=%x1e%H%x1f%ct%x1f%an <%ae>');
});

test('parseRawLog reads headers, adds, modifications, deletions, renames with their score and commits without changes', () => {
  const out =
    head('c3', 'one') + `\n:100644 000000 ${B} ${Z} D\0gone.trove\0` +
    head('c2', 'none') +
    head('c1', 'two') + `\n:100644 100755 ${A} ${B} M\0x\0:100644 100644 ${A} ${A} R087\0old name\0new name\0:000000 120000 ${Z} ${C} A\0link\0`;
  assert.deepEqual(parseRawLog(Buffer.from(out)), [
    { fields: ['c3', 'one'], changes: [{ status: 'D', oldMode: '100644', newMode: '000000', oldOid: B, newOid: Z, path: 'gone.trove' }] },
    { fields: ['c2', 'none'], changes: [] },
    {
      fields: ['c1', 'two'],
      changes: [
        { status: 'M', oldMode: '100644', newMode: '100755', oldOid: A, newOid: B, path: 'x' },
        { status: 'R', score: 87, oldMode: '100644', newMode: '100644', oldOid: A, newOid: A, from: 'old name', path: 'new name' },
        { status: 'A', oldMode: '000000', newMode: '120000', oldOid: Z, newOid: C, path: 'link' },
      ],
    },
  ]);
});

test('parseRawLog takes paths by position: a path holding a newline, a colon, the commit marker or non-ASCII is not a record', () => {
  const odd = ['\n:100644 100644 x y M', '\x1efake\x1fheader', 'dir with space/ä 名.trove', ':colon'];
  const out = head('c1') + '\n' + odd.map((p) => `:000000 100644 ${Z} ${A} A\0${p}\0`).join('') + `:100644 100644 ${A} ${A} C100\0${odd[1]}\0${odd[0]}\0`;
  const [commit, ...rest] = parseRawLog(out);
  assert.equal(rest.length, 0, 'one commit');
  assert.deepEqual(commit!.changes.map((c) => c.path), [...odd, odd[0]]);
  assert.equal(commit!.changes[4]!.from, odd[1]);
  assert.equal(commit!.changes[4]!.status, 'C');
});

test('parseRawLog without headers (--format=, diff-tree) puts every change in one entry, and empty output is no entry', () => {
  assert.deepEqual(parseRawLog(''), []);
  assert.deepEqual(parseRawLog(Buffer.alloc(0)), []);
  const out = `:000000 100644 ${Z} ${A} A\0a\0:100644 100644 ${A} ${B} M\0b\0`;
  assert.deepEqual(parseRawLog(out).map((c) => [c.fields, c.changes.map((x) => x.path)]), [[[], ['a', 'b']]]);
});

test('parseRawLog reads a combined (-c) record of a merge against its first parent, with one path', () => {
  const out = head('m') + `\n::100644 100644 100644 ${A} ${B} ${C} MM\0both\0:000000 100644 ${Z} ${A} A\0next\0`;
  assert.deepEqual(parseRawLog(out)[0]!.changes, [
    { status: 'M', oldMode: '100644', newMode: '100644', oldOid: A, newOid: C, path: 'both' },
    { status: 'A', oldMode: '000000', newMode: '100644', oldOid: Z, newOid: A, path: 'next' },
  ]);
});

test('isZeroOid: the all-zero id of an absent side, of either length', () => {
  assert.equal(isZeroOid(Z), true);
  assert.equal(isZeroOid('0'.repeat(64)), true);
  assert.equal(isZeroOid(A), false);
  assert.equal(isZeroOid('00a0'), false);
});
