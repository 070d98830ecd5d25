import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePointer, serializePointer, createPointer } from '../../../src/core/pointer.js';
import { parseOid } from '../../../src/core/oid.js';
import { TroveError } from '../../../src/errors/index.js';

const HEX = 'a'.repeat(64);
const SHA1 = '0123456789abcdef0123456789abcdef01234567';

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
  ['newer version', `trove: 3\nkind: file\noid: sha256:${HEX}\nsize: 1\n`],
  ['version 2 without a source block', `trove: 2\nkind: file\noid: sha256:${HEX}\nsize: 1\n`],
  ['a source block in version 1', `trove: 1\nkind: file\noid: sha256:${HEX}\nsize: 1\nsource:\n  url: "u"\n  path: "p"\n  commit: ${SHA1}\n`],
  ['source keys out of order', `trove: 2\nkind: file\noid: sha256:${HEX}\nsize: 1\nsource:\n  path: "p"\n  url: "u"\n  commit: ${SHA1}\n`],
  ['unknown source key', `trove: 2\nkind: file\noid: sha256:${HEX}\nsize: 1\nsource:\n  url: "u"\n  path: "p"\n  token: "x"\n  commit: ${SHA1}\n`],
  ['source without commit', `trove: 2\nkind: file\noid: sha256:${HEX}\nsize: 1\nsource:\n  url: "u"\n  path: "p"\n`],
  ['short source commit', `trove: 2\nkind: file\noid: sha256:${HEX}\nsize: 1\nsource:\n  url: "u"\n  path: "p"\n  commit: abc123\n`],
  ['unquoted source url', `trove: 2\nkind: file\noid: sha256:${HEX}\nsize: 1\nsource:\n  url: https://x\n  path: "p"\n  commit: ${SHA1}\n`],
  ['empty source path', `trove: 2\nkind: file\noid: sha256:${HEX}\nsize: 1\nsource:\n  url: "u"\n  path: ""\n  commit: ${SHA1}\n`],
  ['a key after the source block', `trove: 2\nkind: file\noid: sha256:${HEX}\nsize: 1\nsource:\n  url: "u"\n  path: "p"\n  commit: ${SHA1}\nmode: 755\n`],
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

test('pointer v2 with a source record is byte-exact (golden), and v1 pointers are unchanged by it', () => {
  const source = { url: 'https://example.com/org/data.git', path: 'images/cat "1".jpg', rev: 'main', remote: 'backup', commit: SHA1 };
  const file = createPointer({ kind: 'file', oid: parseOid(`sha256:${HEX}`), size: 42, executable: true, source });
  assert.equal(file.version, 2);
  assert.equal(
    serializePointer(file),
    `trove: 2\nkind: file\noid: sha256:${HEX}\nsize: 42\nmode: 755\nsource:\n  url: "https://example.com/org/data.git"\n  path: "images/cat \\"1\\".jpg"\n  rev: "main"\n  remote: "backup"\n  commit: ${SHA1}\n`,
  );
  const dir = createPointer({ kind: 'dir', oid: parseOid(`sha256:${HEX}`), size: 10, files: 3, source: { url: '/srv/git/data', path: 'images', commit: SHA1 } });
  const text = `trove: 2\nkind: dir\noid: sha256:${HEX}\nsize: 10\nfiles: 3\nsource:\n  url: "/srv/git/data"\n  path: "images"\n  commit: ${SHA1}\n`;
  assert.equal(serializePointer(dir), text);
  assert.deepEqual(parsePointer(text, 'images.trove'), dir);
  assert.deepEqual(parsePointer(serializePointer(file), 'x.trove').source, source);
  // Dropping the source gives back the v1 bytes exactly.
  const { source: _s, ...plain } = dir;
  assert.equal(serializePointer(createPointer(plain)), `trove: 1\nkind: dir\noid: sha256:${HEX}\nsize: 10\nfiles: 3\n`);
});

test('a v2 pointer tolerates CRLF and round-trips to LF', () => {
  const text = `trove: 2\r\nkind: file\r\noid: sha256:${HEX}\r\nsize: 1\r\nsource:\r\n  url: "u"\r\n  path: "p"\r\n  commit: ${SHA1}\r\n`;
  assert.equal(serializePointer(parsePointer(text, 'p.trove')), text.replace(/\r/g, ''));
});
