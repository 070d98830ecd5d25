import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePointer, serializePointer, createPointer } from '../../../src/core/pointer.js';
import { parseOid } from '../../../src/core/oid.js';
import { TroveError } from '../../../src/errors/index.js';

const HEX = 'a'.repeat(64);

test('pointer v1 serialisation is byte-exact (golden)', () => {
  const file = createPointer({ kind: 'file', oid: parseOid(`sha256:${HEX}`), size: 42, executable: true });
  assert.equal(serializePointer(file), `trove: 1\nkind: file\noid: sha256:${HEX}\nsize: 42\nmode: 755\n`);
  const dir = createPointer({ kind: 'dir', oid: parseOid(`sha256:${HEX}`), size: 10, files: 3 });
  assert.equal(serializePointer(dir), `trove: 1\nkind: dir\noid: sha256:${HEX}\nsize: 10\nfiles: 3\n`);
});

test('pointer round-trips and tolerates CRLF line endings', () => {
  const text = `trove: 1\r\nkind: dir\r\noid: sha256:${HEX}\r\nsize: 10\r\nfiles: 3\r\n`;
  const p = parsePointer(text, 'x.trove');
  assert.equal(p.kind, 'dir');
  assert.equal(p.files, 3);
  assert.equal(serializePointer(p), text.replace(/\r/g, ''));
});

const bad: [string, string][] = [
  ['garbage', 'hello world'],
  ['newer version', `trove: 2\nkind: file\noid: sha256:${HEX}\nsize: 1\n`],
  ['unknown kind', `trove: 1\nkind: pipe\noid: sha256:${HEX}\nsize: 1\n`],
  ['short digest', `trove: 1\nkind: file\noid: sha256:abc\nsize: 1\n`],
  ['unknown algorithm', `trove: 1\nkind: file\noid: md5:${HEX}\nsize: 1\n`],
  ['negative size', `trove: 1\nkind: file\noid: sha256:${HEX}\nsize: -1\n`],
  ['keys out of order', `trove: 1\noid: sha256:${HEX}\nkind: file\nsize: 1\n`],
  ['extra key', `trove: 1\nkind: file\noid: sha256:${HEX}\nsize: 1\npath: ../../etc/passwd\n`],
  ['NUL byte', `trove: 1\nkind: file\0\noid: sha256:${HEX}\nsize: 1\n`],
  ['too large', `trove: 1\n${'#'.repeat(2000)}\n`],
  ['dir without files', `trove: 1\nkind: dir\noid: sha256:${HEX}\nsize: 1\n`],
];
for (const [name, text] of bad) {
  test(`malformed pointer is rejected with BAD_POINTER naming the file: ${name}`, () => {
    assert.throws(() => parsePointer(text, 'models/m.pt.trove'), (err: unknown) => {
      assert.ok(err instanceof TroveError);
      assert.equal(err.code, 'BAD_POINTER');
      assert.match(err.message, /models\/m\.pt\.trove/);
      assert.ok(err.hint);
      return true;
    });
  });
}

test('newer pointer version hints at upgrading trove', () => {
  assert.throws(() => parsePointer(`trove: 9\nkind: file\noid: sha256:${HEX}\nsize: 1\n`, 'a.trove'), (err: TroveError) => /Upgrade trove/.test(err.hint ?? ''));
});
