import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unifiedDiff } from '../../../src/core/unifiedDiff.js';

test('unifiedDiff: one changed line gives one hunk with three lines of context', () => {
  const a = 'a\nb\nc\nd\ne\nf\ng\nh\n';
  const b = 'a\nb\nc\nd\nE\nf\ng\nh\n';
  assert.equal(unifiedDiff(a, b, 'a/x', 'b/x'), '--- a/x\n+++ b/x\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n');
});

test('unifiedDiff: equal texts give no diff; an added file counts from line 0 of /dev/null', () => {
  assert.equal(unifiedDiff('x\n', 'x\n', 'a', 'b'), '');
  assert.equal(unifiedDiff('', 'x\ny\n', '/dev/null', 'b/n.py'), '--- /dev/null\n+++ b/n.py\n@@ -0,0 +1,2 @@\n+x\n+y\n');
});

test('unifiedDiff: a missing final newline is a change and is marked as git marks it', () => {
  assert.equal(unifiedDiff('x\n', 'x', 'a', 'b'), '--- a\n+++ b\n@@ -1 +1 @@\n-x\n+x\n\\ No newline at end of file\n');
});

test('unifiedDiff: changes far apart make separate hunks; a huge rewrite falls back to remove-then-add quickly', () => {
  const lines = Array.from({ length: 40 }, (_, i) => `l${i}`);
  const b = [...lines];
  b[2] = 'X';
  b[35] = 'Y';
  const d = unifiedDiff(lines.join('\n') + '\n', b.join('\n') + '\n', 'a', 'b');
  assert.equal(d.match(/^@@/gm)?.length, 2);
  const big = Array.from({ length: 20000 }, (_, i) => `a${i}`).join('\n');
  const other = Array.from({ length: 20000 }, (_, i) => `b${i}`).join('\n');
  const t0 = Date.now();
  const r = unifiedDiff(big, other, 'a', 'b', { maxEdits: 100 });
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(r.split('\n').filter((l) => l.startsWith('-a')).length, 20000);
});
