import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLsTree } from '../../../src/platform/parseLsTree.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

test('parseLsTree reads mode, type, id and the whole path after the first TAB (tabs, newlines, non-ASCII kept)', () => {
  const out = `100644 blob ${A}\tplain.txt\x00100755 blob ${B}\tdir/a\tb\nc ö.sh\x00040000 tree ${A}\tsub\x00120000 blob ${B}\tlink\0`;
  assert.deepEqual(parseLsTree(Buffer.from(out)), [
    { mode: '100644', type: 'blob', oid: A, path: 'plain.txt' },
    { mode: '100755', type: 'blob', oid: B, path: 'dir/a\tb\nc ö.sh' },
    { mode: '040000', type: 'tree', oid: A, path: 'sub' },
    { mode: '120000', type: 'blob', oid: B, path: 'link' },
  ]);
  assert.deepEqual(parseLsTree(''), []);
});
