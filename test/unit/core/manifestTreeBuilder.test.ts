import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { serializePage, type ChildRef, type ManifestEntry } from '../../../src/core/manifest.js';
import { buildManifestTree, isLeafCut, LEAF_MAX, ManifestTreeBuilder } from '../../../src/core/manifestTree.js';
import { createOid } from '../../../src/core/oid.js';
import { TroveError } from '../../../src/errors/index.js';
import { createRng } from '../../helpers/campaignKit.js';

const oid = (n: number) => createOid('sha256', n.toString(16).padStart(64, '0'));

function tree(n: number, rnd: () => number): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  for (let i = 0; i < n; i++) out.push({ path: `d${String(Math.floor(i / 500)).padStart(3, '0')}/f${String(i).padStart(6, '0')}.bin`, mode: 'f', size: 1 + Math.floor(rnd() * 4000), oid: oid(i) });
  return out;
}

/** Random edits: changed contents, deletions, insertions (sorted, unique). */
function edit(entries: ManifestEntry[], rnd: () => number, edits: number): ManifestEntry[] {
  const out = entries.slice();
  for (let k = 0; k < edits && out.length > 0; k++) {
    const i = Math.floor(rnd() * out.length);
    const r = rnd();
    if (r < 0.4) out[i] = { ...out[i]!, oid: oid(1e9 + k), size: k } as ManifestEntry;
    else if (r < 0.7) out.splice(i, 1);
    else out.push({ path: `${out[i]!.path}.new${k}`, mode: 'f', size: 7, oid: oid(2e9 + k) });
  }
  const seen = new Set<string>();
  return out.filter((e) => !seen.has(e.path) && seen.add(e.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The leaves a full build makes, by the shared cut rule, with their refs. */
function leavesOf(entries: readonly ManifestEntry[]): { entries: ManifestEntry[]; ref: ChildRef }[] {
  const groups: ManifestEntry[][] = [];
  let cur: ManifestEntry[] = [];
  for (const e of entries) {
    cur.push(e);
    if (isLeafCut(e.path, cur.length)) {
      groups.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0 || groups.length === 0) groups.push(cur);
  return groups.map((g) => {
    const hex = createHash('sha256').update(serializePage({ type: 'leaf', entries: g })).digest('hex');
    return { entries: g, ref: { first: g[0]?.path ?? '', files: g.length, size: g.reduce((s, e) => s + e.size, 0), oid: createOid('sha256', hex) } };
  });
}

/** Build `entries` pushing a random mix: whole leaves as refs, or their entries in random slices. */
function mixedBuild(entries: readonly ManifestEntry[], rnd: () => number) {
  const b = new ManifestTreeBuilder();
  const pushedLeaves = new Set<string>();
  const pages = new Map<string, Buffer>();
  for (const leaf of leavesOf(entries)) {
    if (rnd() < 0.6 && leaf.entries.length > 0) {
      b.pushLeaf(leaf.ref);
      pushedLeaves.add(leaf.ref.oid.hex);
    } else {
      let i = 0;
      while (i < leaf.entries.length) {
        const n = 1 + Math.floor(rnd() * leaf.entries.length);
        b.pushEntries(leaf.entries.slice(i, i + n));
        i += n;
      }
    }
    if (rnd() < 0.3) for (const [k, v] of b.takePages()) pages.set(k, v);
  }
  const t = b.finish();
  for (const [k, v] of t.newPages) pages.set(k, v);
  return { ...t, pages, pushedLeaves };
}

test('isLeafCut is the rule that cuts the leaves of a full build', () => {
  const entries = tree(20_000, createRng(1));
  const full = buildManifestTree(entries);
  const leaves = leavesOf(entries);
  assert.ok(leaves.length > 64, 'more than one node page');
  for (const l of leaves) assert.ok(full.pages.has(l.ref.oid.hex), 'every leaf cut by isLeafCut is a page of the full build');
  assert.equal(isLeafCut('x', LEAF_MAX), true, 'a leaf is cut at LEAF_MAX entries whatever the hash');
});

test('buildManifestTree of nothing is one empty leaf, as before (golden)', () => {
  const t = buildManifestTree([]);
  assert.equal(t.root.hex, createHash('sha256').update('trove-manifest 1 leaf\n').digest('hex'));
  assert.equal(t.files, 0);
  assert.equal(t.pages.size, 1);
});

test('any mix of pushLeaf (leaves a full build makes) and pushEntries gives the full build root', () => {
  // 40 edited 20k-entry trees (three node levels at most) and 300 small ones (one node page).
  const cases: [number, number][] = [...Array.from({ length: 40 }, (_, i): [number, number] => [i, 20_000]), ...Array.from({ length: 300 }, (_, i): [number, number] => [1000 + i, 1 + (i * 37) % 3000])];
  for (const [seed, n] of cases) {
    const rnd = createRng(seed);
    const entries = edit(tree(n, rnd), rnd, 1 + Math.floor(rnd() * 50));
    const full = buildManifestTree(entries);
    const mixed = mixedBuild(entries, rnd);
    assert.equal(mixed.root.hex, full.root.hex, `seed ${seed}`);
    assert.equal(mixed.files, full.files);
    assert.equal(mixed.size, full.size);
    for (const [hex, bytes] of mixed.pages) assert.ok(full.pages.get(hex)?.equals(bytes), `seed ${seed}: a page the full build does not make`);
    for (const hex of full.pages.keys()) assert.ok(mixed.pages.has(hex) || mixed.pushedLeaves.has(hex), `seed ${seed}: page ${hex.slice(0, 8)} neither built nor pushed`);
  }
});

test('reusing the unchanged leaves of the previous version rebuilds only changed leaves and nodes', () => {
  const rnd = createRng(7);
  const before = tree(100_000, rnd);
  const after = before.slice();
  after[54_321] = { ...after[54_321]!, oid: oid(5) } as ManifestEntry;
  const old = new Map(leavesOf(before).map((l) => [l.ref.oid.hex, l]));
  const b = new ManifestTreeBuilder();
  let reused = 0;
  for (const leaf of leavesOf(after)) {
    if (old.has(leaf.ref.oid.hex)) {
      b.pushLeaf(leaf.ref);
      reused++;
    } else b.pushEntries(leaf.entries);
  }
  const t = b.finish();
  assert.equal(t.root.hex, buildManifestTree(after).root.hex);
  // Node pages are all rebuilt (hashed, not read; ~62 at 1M files): the writer skips those already stored.
  const was = buildManifestTree(before).pages;
  const fresh = [...t.newPages.keys()].filter((k) => !was.has(k));
  assert.ok(fresh.length <= 1 + 3, `${fresh.length} new pages: one leaf and the nodes above it`);
  assert.equal([...t.newPages.values()].filter((p) => p.toString('utf8', 0, 21) === 'trove-manifest 1 leaf').length, 1, 'one leaf serialised');
  assert.ok(reused > 300);
});

test('the builder refuses entries out of order and a leaf pushed into an open leaf', () => {
  const isInternal = (err: unknown) => err instanceof TroveError && err.code === 'INTERNAL';
  const e = (path: string): ManifestEntry => ({ path, mode: 'f', size: 1, oid: oid(1) });
  assert.throws(() => new ManifestTreeBuilder().pushEntries([e('b'), e('a')]), isInternal);
  const b = new ManifestTreeBuilder();
  b.pushEntries([e('a')]);
  const open = isLeafCut('a', 1);
  if (!open) assert.throws(() => b.pushLeaf({ first: 'b', files: 1, size: 1, oid: oid(2) }), isInternal);
  const c = new ManifestTreeBuilder();
  c.pushLeaf({ first: 'm', files: 1, size: 1, oid: oid(2) });
  assert.throws(() => c.pushEntries([e('a')]), isInternal);
  c.finish();
  assert.throws(() => c.finish(), isInternal);
});
