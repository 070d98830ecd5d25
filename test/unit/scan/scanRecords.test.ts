import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeScanRecords, ScanRecords } from '../../../src/workspace/scan/scanRecords.js';
import type { ScannedFile } from '../../../src/workspace/scan/scanTree.js';

const FILES: ScannedFile[] = [
  { path: 'a\nb/c', kind: 'file', size: 3, ino: 12, mtimeMs: 1733512345678.1234, executable: true },
  { path: 'l', kind: 'link', size: 0, ino: 2 ** 40, mtimeMs: 1e12, executable: false, target: '../x\ny' },
  { path: 's', kind: 'file', size: 9, ino: 1, mtimeMs: 5, executable: false, knownHex: 'ab'.repeat(32) },
  { path: 'é/😀', kind: 'file', size: 0, ino: 0, mtimeMs: -1.5, executable: false },
];

function records(files: readonly ScannedFile[], capacity?: number): ScanRecords {
  const r = new ScanRecords(capacity);
  for (const f of files) r.push(f);
  return r;
}

test('scan records decode into the same files (names and link targets holding newlines, non-ASCII names, store links)', () => {
  assert.deepStrictEqual(decodeScanRecords(records(FILES).copy()), FILES);
});

test('scan records grow past their first buffer without losing a byte', () => {
  const many: ScannedFile[] = [];
  for (let i = 0; i < 3000; i++) many.push({ path: `d${i % 7}/${'n'.repeat(i % 90)}${i}`, kind: 'file', size: i, ino: i * 7, mtimeMs: 1.7e12 + i / 3, executable: i % 5 === 0 });
  const r = records(many, 16);
  assert.deepStrictEqual(decodeScanRecords(r.copy()), many);
  // a range decodes alone: the worker posts chunks as ranges of one buffer
  const one = records(many.slice(0, 10), 16).length;
  assert.deepStrictEqual(decodeScanRecords(r.copy(0, one)), many.slice(0, 10));
});

test('a chunk signature changes with every field a status must notice, and with where one path ends', () => {
  const base = records(FILES).sha256();
  assert.equal(records(FILES).sha256(), base, 'the same files sign the same');
  const changed: [string, ScannedFile[]][] = [
    ['mtime by 0.0001 ms', [{ ...FILES[0]!, mtimeMs: 1733512345678.1235 }, ...FILES.slice(1)]],
    ['inode', [{ ...FILES[0]!, ino: 13 }, ...FILES.slice(1)]],
    ['size', [{ ...FILES[0]!, size: 4 }, ...FILES.slice(1)]],
    ['executable bit', [{ ...FILES[0]!, executable: false }, ...FILES.slice(1)]],
    ['link target', [FILES[0]!, { ...FILES[1]!, target: '../x\nz' }, ...FILES.slice(2)]],
    ['store-link digest', [...FILES.slice(0, 2), { ...FILES[2]!, knownHex: 'ac'.repeat(32) }, FILES[3]!]],
    ['path', [...FILES.slice(0, 3), { ...FILES[3]!, path: 'é/😁' }]],
    ['a file gone', FILES.slice(1)],
  ];
  for (const [what, files] of changed) assert.notEqual(records(files).sha256(), base, what);
  const f = (path: string): ScannedFile => ({ path, kind: 'file', size: 1, ino: 1, mtimeMs: 1, executable: false });
  assert.notEqual(records([f('ab'), f('c')]).sha256(), records([f('a'), f('bc')]).sha256());
});
