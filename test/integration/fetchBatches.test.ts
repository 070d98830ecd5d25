import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManifestEntry } from '../../src/core/manifest.js';
import { silentReporter, type Reporter } from '../../src/core/Reporter.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { fetchClosure } from '../../src/transfer/closure.js';
import { planSpans, type FetchWant } from '../../src/transfer/planSpans.js';
import { fastPolicy, pushedTree } from '../helpers/pushedTree.js';

const policy = fastPolicy;

test('a fetch of N files planned every file at once (2.7 GB at 1M files); now it plans at most fileBatch files at a time and fetches shared content once', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-fetchbatch-'));
  try {
    // 350 files, 300 distinct contents: the 50 repeats land in later batches than their first copy.
    const tree = await pushedTree(base);
    const { remote, roots } = tree;
    const entries: ManifestEntry[] = tree.entries;

    const dst = new ObjectStore(join(base, 'dst'));
    const bars: (number | undefined)[] = [];
    const reporter: Reporter = { ...silentReporter, start: (_t, total) => void bars.push(total) };
    const index = await RemoteIndex.load(remote, join(base, 'idx-fetch'), { jobs: 2, policy });
    const pagesOnly = await fetchClosure(remote, index, dst, roots, { jobs: 2, policy, reporter: silentReporter, pagesOnly: true });
    const stats = await fetchClosure(remote, index, dst, roots, { jobs: 2, policy, reporter, fileBatch: 100 });
    assert.deepEqual(stats.failed, []);
    assert.equal(stats.batches, 4, '350 files in batches of at most 100');
    assert.equal(stats.objects, 300, 'each distinct content fetched once, though its copies are in different batches');
    assert.equal(bars.length, 1, 'one progress bar for the whole fetch');
    assert.equal(bars[0], entries.reduce((t, e) => t + e.size, 0), 'its total: the sizes of the files the store lacked (shared content counted per file)');
    assert.ok(pagesOnly.objects > 0);
    for (const e of entries) if (e.mode !== 'l') assert.ok(dst.hasObject(e.oid), e.path);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('planSpans copied a span\'s items on every entry it added (quadratic in a 4 MiB span of small entries); a span now lists each adjacent entry once, in offset order', () => {
  const n = 5000;
  const hexes = Array.from({ length: n }, (_, i) => i.toString(16).padStart(64, '0'));
  const index = { locate: (kind: 'o' | 'f', hex: string) => ({ pack: 'p'.repeat(64), entry: { kind, hex, offset: parseInt(hex, 16) * 500, length: 500, digest: hex } }) };
  const wants: FetchWant[] = hexes.map((hex) => ({ kind: 'o', hex, what: hex }));
  const spans = planSpans(index, wants, { local: true, streaming: false, jobs: 2, display: 'remote', failed: [] });
  assert.equal(spans.length, 1, '2.5 MB of adjacent entries is one 4 MiB read');
  assert.equal(spans[0]!.items.length, n);
  assert.deepEqual(spans[0]!.items.map((it) => it.entry.offset), hexes.map((_, i) => i * 500));
  assert.equal(spans[0]!.end - spans[0]!.start, n * 500);
});
