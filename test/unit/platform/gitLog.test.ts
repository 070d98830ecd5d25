import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGitLog } from '../../../src/platform/gitLog.js';

const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const head = (sha: string, parents: string, subject: string) => `\x1e${sha}\x1f${parents}\x1f2026-01-02T03:04:05+01:00\x1fAnn Ö\x1fann@example.com\x1f${subject}\0`;

test('git log -z --raw records parse into commits with added, modified, renamed and deleted changes', () => {
  const out =
    head('c3', 'c2', 'drop it') + `\n:100644 000000 ${B} ${Z} D\0models/b.trove\0` +
    head('c2', 'c1 cx', 'merge; with "quotes" and \ttabs') + `\n:100644 100644 ${A} ${B} M\0models/b.trove\0:100644 100644 ${A} ${A} R100\0models/a.trove\0models/b.trove\0` +
    head('c1', '', 'first') + `\n:000000 100644 ${Z} ${A} A\0dir with space/ä.trove\0`;
  const commits = parseGitLog(Buffer.from(out));
  assert.deepEqual(commits.map((c) => c.commit), ['c3', 'c2', 'c1']);
  assert.deepEqual(commits[1]!.parents, ['c1', 'cx']);
  assert.deepEqual(commits[2]!.parents, []);
  assert.equal(commits[1]!.subject, 'merge; with "quotes" and \ttabs');
  assert.equal(commits[0]!.author, 'Ann Ö');
  assert.equal(commits[0]!.date, '2026-01-02T03:04:05+01:00');
  assert.deepEqual(commits[0]!.changes, [{ status: 'D', oldMode: '100644', newMode: '000000', oldOid: B, newOid: Z, path: 'models/b.trove' }]);
  assert.deepEqual(commits[1]!.changes, [
    { status: 'M', oldMode: '100644', newMode: '100644', oldOid: A, newOid: B, path: 'models/b.trove' },
    { status: 'R', score: 100, oldMode: '100644', newMode: '100644', oldOid: A, newOid: A, from: 'models/a.trove', path: 'models/b.trove' },
  ]);
  assert.deepEqual(commits[2]!.changes, [{ status: 'A', oldMode: '000000', newMode: '100644', oldOid: Z, newOid: A, path: 'dir with space/ä.trove' }]);
});

test('git log -z without --raw (commit headers only) and empty output parse', () => {
  assert.deepEqual(parseGitLog(''), []);
  const commits = parseGitLog(head('c2', 'c1', 'two') + head('c1', '', 'one').slice(0, -1));
  assert.deepEqual(commits.map((c) => [c.commit, c.subject, c.changes.length]), [['c2', 'two', 0], ['c1', 'one', 0]]);
});
