import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePage, serializePage, type ManifestEntry } from '../../../src/core/manifest.js';
import { buildManifestTree } from '../../../src/core/manifestTree.js';
import { parseOid } from '../../../src/core/oid.js';
import { TroveError } from '../../../src/errors/index.js';

const oid = (c: string) => parseOid(`sha256:${c.repeat(64)}`);

test('manifest leaf serialisation is byte-exact (golden)', () => {
  const bytes = serializePage({ type: 'leaf', entries: [
    { path: 'a b/ü.csv', mode: 'f', size: 3, oid: oid('1') },
    { path: 'bin/run', mode: 'x', size: 9, oid: oid('2') },
    { path: 'link', mode: 'l', size: 0, target: 'a b/ü.csv' },
  ] });
  assert.equal(bytes.toString('utf8'), `trove-manifest 1 leaf\n["a b/ü.csv","f",3,"sha256:${'1'.repeat(64)}"]\n["bin/run","x",9,"sha256:${'2'.repeat(64)}"]\n["link","l",0,"a b/ü.csv"]\n`);
});

test('manifest tree root id is stable for the same entries (golden)', () => {
  const entries: ManifestEntry[] = Array.from({ length: 1000 }, (_, i) => ({ path: `d${String(i % 7)}/f${String(i).padStart(5, '0')}`, mode: 'f' as const, size: i, oid: oid('3') })).sort((a, b) => (a.path < b.path ? -1 : 1));
  const tree = buildManifestTree(entries);
  assert.equal(tree.files, 1000);
  assert.equal(tree.root.hex, GOLDEN_ROOT);
});
// Pinned: a change here means manifest format v1 changed (the tree shape or the serialisation).
const GOLDEN_ROOT = 'ae8127ad76ab16f76c190675e8bdf35bd359618a27bef5d345570c9025a3c058';

test('changing one file in 100,000 rewrites only a few pages', () => {
  const entries: ManifestEntry[] = Array.from({ length: 100_000 }, (_, i) => ({ path: `data/${String(i).padStart(6, '0')}.jpg`, mode: 'f' as const, size: 1000, oid: oid('4') }));
  const a = buildManifestTree(entries);
  entries[54_321] = { ...entries[54_321]!, oid: oid('5') } as ManifestEntry;
  const b = buildManifestTree(entries);
  const fresh = [...b.pages.keys()].filter((k) => !a.pages.has(k));
  const freshBytes = fresh.reduce((s, k) => s + b.pages.get(k)!.length, 0);
  const totalBytes = [...a.pages.values()].reduce((s, p) => s + p.length, 0);
  assert.ok(fresh.length <= 4, `${fresh.length} new pages`);
  assert.ok(freshBytes < totalBytes / 50, `${freshBytes} of ${totalBytes} bytes rewritten`);
});

test('inserting a file moves at most a few page boundaries', () => {
  const entries: ManifestEntry[] = Array.from({ length: 20_000 }, (_, i) => ({ path: `x/${String(i * 2).padStart(6, '0')}`, mode: 'f' as const, size: 1, oid: oid('6') }));
  const a = buildManifestTree(entries);
  entries.splice(5000, 0, { path: `x/${String(10_001).padStart(6, '0')}`, mode: 'f', size: 1, oid: oid('6') });
  const b = buildManifestTree(entries);
  assert.ok([...b.pages.keys()].filter((k) => !a.pages.has(k)).length <= 4);
});

const hostile: [string, string][] = [
  ['dot-dot escape', `["../../etc/passwd","f",1,"sha256:${'1'.repeat(64)}"]`],
  ['absolute path', `["/etc/passwd","f",1,"sha256:${'1'.repeat(64)}"]`],
  ['NUL in path', `["a\\u0000b","f",1,"sha256:${'1'.repeat(64)}"]`],
  ['symlink out of the repository', `["l","l",0,"../../../../etc"]`],
  ['absolute symlink', `["l","l",0,"/etc/passwd"]`],
  ['path into .git', `[".git/hooks/pre-commit","f",1,"sha256:${'1'.repeat(64)}"]`],
];
for (const [name, line] of hostile) {
  test(`hostile manifest entry is refused: ${name}`, () => {
    assert.throws(() => parsePage(Buffer.from(`trove-manifest 1 leaf\n${line}\n`), 'obj'), (err: unknown) => err instanceof TroveError && (err.code === 'UNSAFE_PATH' || err.code === 'BAD_MANIFEST'));
  });
}

test('unsorted or duplicate manifest entries are refused', () => {
  const l = (p: string) => `["${p}","f",1,"sha256:${'1'.repeat(64)}"]`;
  assert.throws(() => parsePage(Buffer.from(`trove-manifest 1 leaf\n${l('b')}\n${l('a')}\n`), 'obj'), { code: 'BAD_MANIFEST' });
  assert.throws(() => parsePage(Buffer.from(`trove-manifest 1 leaf\n${l('a')}\n${l('a')}\n`), 'obj'), { code: 'BAD_MANIFEST' });
  assert.throws(() => parsePage(Buffer.from(`trove-manifest 1 leaf\n${l('a')}\n${l('a/b')}\n`), 'obj'), { code: 'BAD_MANIFEST' });
});
