import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePage, type ManifestEntry } from '../../../src/core/manifest.js';
import { createOid } from '../../../src/core/oid.js';
import { ObjectStore } from '../../../src/store/ObjectStore.js';
import { readLeafRefs, readManifest, writeManifest, writeManifestStream, type ManifestPart } from '../../../src/store/manifestIO.js';

const oid = (n: number) => createOid('sha256', n.toString(16).padStart(64, '0'));
const tree = (n: number): ManifestEntry[] => Array.from({ length: n }, (_, i) => ({ path: `d${String(i % 97).padStart(2, '0')}/f${String(i).padStart(7, '0')}`, mode: 'f' as const, size: i % 1000, oid: oid(i) })).sort((a, b) => (a.path < b.path ? -1 : 1));

function withStore(fn: (store: ObjectStore) => Promise<void> | void) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-unit-'));
    try {
      await fn(new ObjectStore(join(dir, 'store')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** A store whose reads are counted, split into leaf and node pages. */
function counting(store: ObjectStore) {
  const reads = { leaf: 0, node: 0 };
  return {
    reads,
    readObject(o: Parameters<ObjectStore['readObject']>[0], what: string) {
      const bytes = store.readObject(o, what);
      reads[parsePage(bytes, 'x').type]++;
      return bytes;
    },
  };
}

test('readLeafRefs gives every leaf of a 100k tree reading node pages and one leaf', withStore((store) => {
  const entries = tree(100_000);
  const root = writeManifest(store, entries).root;
  const spy = counting(store);
  const refs = readLeafRefs(spy, root, 'data');
  assert.ok(refs.length > 300);
  assert.equal(spy.reads.leaf, 1, 'one leaf: the height');
  assert.ok(spy.reads.node < 12, `${spy.reads.node} node pages`);
  assert.equal(refs.reduce((s, r) => s + r.files, 0), 100_000);
  // Each ref is exactly its leaf page: first path, count, size.
  let i = 0;
  for (const r of refs) {
    const leaf = readManifest(store, r.oid, 'data');
    assert.equal(leaf[0]!.path, r.first);
    assert.equal(leaf.length, r.files);
    assert.deepEqual(leaf, entries.slice(i, i + r.files));
    i += r.files;
  }
}));

test('readLeafRefs of a one-leaf tree and of an empty tree', withStore((store) => {
  const small = tree(3);
  const r1 = writeManifest(store, small).root;
  assert.deepEqual(readLeafRefs(store, r1, 'data'), [{ first: small[0]!.path, files: 3, size: small.reduce((s, e) => s + e.size, 0), oid: r1 }]);
  const r0 = writeManifest(store, []).root;
  assert.deepEqual(readLeafRefs(store, r0, 'data'), [{ first: '', files: 0, size: 0, oid: r0 }]);
}));

test('writeManifestStream of reused leaves and new entries writes the same root, and only the new pages', withStore(async (store) => {
  const before = tree(50_000);
  const old = writeManifest(store, before);
  const after = before.slice();
  after[20_000] = { ...after[20_000]!, oid: oid(1e9) } as ManifestEntry;
  const want = writeManifest(new ObjectStore(join(store.dir, '..', 'other')), after);
  // Parts: each leaf of `before` reused unless it holds the changed entry.
  const parts: ManifestPart[] = [];
  let i = 0;
  for (const ref of readLeafRefs(store, old.root, 'data')) {
    if (i <= 20_000 && 20_000 < i + ref.files) parts.push({ entries: after.slice(i, i + ref.files) });
    else parts.push({ leaf: ref });
    i += ref.files;
  }
  async function* stream() {
    yield* parts;
  }
  const got = await writeManifestStream(store, stream());
  assert.equal(got.root.hex, want.root.hex);
  assert.equal(got.files, 50_000);
  assert.ok(got.written > 0 && got.written < want.written / 20, `${got.written} bytes written of ${want.written}`);
  assert.deepEqual(readManifest(store, got.root, 'data'), after);
}));
