import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManifestTree, compareEntries } from '../../../src/core/manifestTree.js';
import { createOid, type Oid } from '../../../src/core/oid.js';
import type { ManifestEntry } from '../../../src/core/manifest.js';
import { readLeafRefs } from '../../../src/store/manifestIO.js';
import { TroveError } from '../../../src/errors/index.js';
import { scanChunks, walkSorted } from '../../../src/workspace/scan/scanChunks.js';

/** Names whose order differs between "sort each directory by name" and compareEntries, unless directories sort as name + '/'. */
const TRICKY = ['a', 'a-b', 'a.b', 'a0', 'ab', 'a b', 'A', 'é', 'e\u0301', 'z', '\u{1F600}', '\uFF61', 'a~', '_', '-'];

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'trove-chunks-'));
}

test('walk order equals sort order: each directory sorted by name, or name + "/" for a directory', () => {
  const dir = tmp();
  try {
    // Every tricky name as a file, as a directory holding tricky names, and both at two depths.
    for (const [i, n] of TRICKY.entries()) {
      if (i % 2 === 0) writeFileSync(join(dir, n), n);
      else {
        mkdirSync(join(dir, n));
        for (const m of TRICKY) writeFileSync(join(dir, n, m), m);
        mkdirSync(join(dir, n, 'sub'));
        writeFileSync(join(dir, n, 'sub', 'x'), '');
        writeFileSync(join(dir, n, 'sub-'), '');
      }
    }
    symlinkSync('a', join(dir, 'a-link'));
    const walked = [...walkSorted(dir, 'data', undefined, [])].map((f) => f.path);
    const sorted = [...walked].sort((a, b) => compareEntries({ path: a }, { path: b }));
    assert.deepEqual(walked, sorted);
    assert.ok(walked.length > TRICKY.length * 3, 'the tree was walked');
    assert.ok(walked.indexOf('a-b/a') < walked.indexOf('a.b') || !walked.includes('a.b'), 'a directory "a-b" sorts as "a-b/" among its siblings');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A page reader over a built tree's pages (no store). */
function pagesReader(pages: Map<string, Buffer>) {
  return {
    readObject(o: Oid, what: string): Buffer {
      const b = pages.get(o.hex);
      if (!b) throw new TroveError('OBJECT_MISSING', `no page for ${what}`);
      return b;
    },
  };
}

test('chunks equal buildManifestTree leaves (property, 12 seeds of random trees on disk)', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const rnd = prng(seed * 7919);
    const dir = tmp();
    try {
      const files = 1 + Math.floor(rnd() * 900);
      const names = [...TRICKY, 'f', 'g', 'h0', 'h-1', 'x.y'];
      for (let i = 0; i < files; i++) {
        const depth = Math.floor(rnd() * 3);
        const parts: string[] = [];
        for (let d = 0; d < depth; d++) parts.push(names[Math.floor(rnd() * names.length)]!);
        const leaf = `${names[Math.floor(rnd() * names.length)]}${i}`;
        const sub = join(dir, ...parts);
        try {
          mkdirSync(sub, { recursive: true });
          writeFileSync(join(sub, leaf), 'x'.repeat(Math.floor(rnd() * 5)));
        } catch {
          // a name already taken by a file where a directory is wanted: skipped, the tree stays valid
        }
      }
      const chunks = [...scanChunks(dir, 'data', undefined)];
      const entries: ManifestEntry[] = chunks.flatMap((c) => c.files).map((f) => ({ path: f.path, mode: 'f', size: f.size, oid: createOid('sha256', '0'.repeat(64)) }));
      const tree = buildManifestTree(entries);
      const leaves = readLeafRefs(pagesReader(tree.pages), tree.root, 'data');
      assert.deepEqual(chunks.map((c) => [c.first, c.count, c.size]), leaves.map((l) => [l.first, l.files, l.size]), `seed ${seed}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a chunk holding a racy mtime has no signature; the others have one', () => {
  const dir = tmp();
  try {
    for (let i = 0; i < 600; i++) writeFileSync(join(dir, `f${String(i).padStart(4, '0')}`), '');
    const later = [...scanChunks(dir, 'data', undefined, { now: () => Date.now() + 60_000 })];
    assert.ok(later.length > 1 && later.every((c) => c.sig !== undefined));
    const newest = Math.max(...later.flatMap((c) => c.files.map((f) => f.mtimeMs)));
    const now = [...scanChunks(dir, 'data', undefined, { now: () => newest + 1 })];
    assert.ok(now.some((c) => c.sig === undefined), 'a chunk holding a file written in the tick the scan ran is unsigned');
    assert.ok(now.every((c) => c.sig === undefined || later.some((l) => l.sig === c.sig)), 'the others keep their signature');
    const again = [...scanChunks(dir, 'data', undefined, { now: () => Date.now() + 60_000 })];
    assert.deepEqual(again.map((c) => c.sig), later.map((c) => c.sig), 'the signature is stable');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
