import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PackEntry } from '../../../src/core/packIndex.js';
import { planSpans, type FetchFailure, type FetchWant } from '../../../src/transfer/planSpans.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** An index of packs: pack name → entries (offset, length); hexes are e0, e1, … in order. */
function indexOf(packs: Record<string, [offset: number, length: number][]>): { locate: (kind: 'o' | 'f', hex: string) => { pack: string; entry: PackEntry } | undefined; wants: FetchWant[] } {
  const byHex = new Map<string, { pack: string; entry: PackEntry }>();
  const wants: FetchWant[] = [];
  for (const [pack, entries] of Object.entries(packs)) {
    for (const [offset, length] of entries) {
      const hex = `e${byHex.size}`;
      byHex.set(hex, { pack, entry: { kind: 'o', hex, offset, length, digest: hex } });
      wants.push({ kind: 'o', hex, what: `data/${hex}` });
    }
  }
  return { locate: (kind, hex) => (kind === 'o' ? byHex.get(hex) : undefined), wants };
}

const opts = (over: Partial<{ local: boolean; streaming: boolean; jobs: number }> = {}, failed: FetchFailure[] = []) => ({ local: false, streaming: false, jobs: 4, display: 'remote X', failed, ...over });

test('planSpans: neighbours closer than the gap share one read, a far entry starts another, largest read first', () => {
  const { locate, wants } = indexOf({ p1: [[0, 10 * KiB], [20 * KiB, 10 * KiB], [10 * MiB, 1 * KiB]], p2: [[0, 2 * MiB]] });
  const spans = planSpans({ locate }, wants, opts());
  assert.deepEqual(spans.map((s) => [s.pack, s.start, s.end, s.items.map((i) => i.want.hex)]), [
    ['p2', 0, 2 * MiB, ['e3']],
    ['p1', 0, 30 * KiB, ['e0', 'e1']],
    ['p1', 10 * MiB, 10 * MiB + KiB, ['e2']],
  ]);
});

test('planSpans: a want the index lacks is reported as not on the remote, and a repeated want is read once', () => {
  const { locate, wants } = indexOf({ p1: [[0, 100]] });
  const failed: FetchFailure[] = [];
  const spans = planSpans({ locate }, [...wants, wants[0]!, { kind: 'f', hex: 'zz', what: 'data/gone' }], opts({}, failed));
  assert.equal(spans.length, 1);
  assert.equal(spans[0]!.items.length, 1);
  assert.deepEqual(failed, [{ what: 'data/gone', hex: 'zz', message: 'not on the remote remote X' }]);
});

test('planSpans: reads are capped by the span budget per job, a local directory at 4 MiB, a stream not at all', () => {
  // 40 adjacent 1 MiB entries in one pack.
  const { locate, wants } = indexOf({ p: Array.from({ length: 40 }, (_, i): [number, number] => [i * MiB, MiB]) });
  const longest = (o: ReturnType<typeof opts>): number => Math.max(...planSpans({ locate }, wants, o).map((s) => s.end - s.start));
  assert.equal(longest(opts({ jobs: 4 })), 16 * MiB, '64 MiB over 4 jobs');
  assert.equal(longest(opts({ jobs: 32 })), 4 * MiB, 'never below 4 MiB');
  assert.equal(longest(opts({ local: true })), 4 * MiB);
  assert.equal(longest(opts({ streaming: true })), 40 * MiB, 'a stream reads the whole pack in one request');
});

test('planSpans: a stream cannot go back, so an entry overlapping the previous one starts a new read', () => {
  const { locate, wants } = indexOf({ p: [[0, 100], [50, 100]] });
  assert.equal(planSpans({ locate }, wants, opts({ streaming: true })).length, 2);
  assert.equal(planSpans({ locate }, wants, opts()).length, 1, 'a ranged read may cover both');
});
