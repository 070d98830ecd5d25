import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CHUNKER_V1, chunkLengths, nextCut, type ChunkerParams } from '../../../src/core/chunker.js';
import { GEAR } from '../../../src/core/gearTable.js';

const MiB = 1024 * 1024;
const SMALL: ChunkerParams = { minSize: 64, avgSize: 256, maxSize: 1024 };

/** Deterministic test input: xorshift32 (13, 17, 5) from `seed`, 4 little-endian bytes per step. */
function xorshiftBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    for (let k = 0; k < 4 && i + k < length; k++) out[i + k] = (x >>> (8 * k)) & 0xff;
  }
  return out;
}

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** Split buf into chunks; returns digest -> chunk length. */
function chunkDigests(buf: Uint8Array, p: ChunkerParams = CHUNKER_V1): Map<string, number> {
  const out = new Map<string, number>();
  let s = 0;
  for (const len of chunkLengths(buf, p)) {
    out.set(sha256(buf.subarray(s, s + len)), len);
    s += len;
  }
  return out;
}

/** Bytes of `after` that sit in chunks `before` does not have. */
function newChunkBytes(before: Uint8Array, after: Uint8Array): number {
  const old = chunkDigests(before);
  let bytes = 0;
  for (const [digest, len] of chunkDigests(after)) if (!old.has(digest)) bytes += len;
  return bytes;
}

function assertWellFormed(lengths: number[], total: number, p: ChunkerParams): void {
  assert.equal(lengths.reduce((a, b) => a + b, 0), total);
  lengths.forEach((len, i) => {
    assert.ok(len <= p.maxSize, `chunk ${i} is ${len} > maxSize`);
    if (i < lengths.length - 1) assert.ok(len >= p.minSize, `chunk ${i} is ${len} < minSize`);
  });
}

/** Textbook FastCDC gear loop with the documented masks, used as an independent oracle. */
function referenceLengths(buf: Uint8Array, p: ChunkerParams, maskS: number, maskL: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < buf.length; ) {
    const n = Math.min(buf.length - s, p.maxSize);
    let len = n;
    if (n > p.minSize) {
      let h = 0;
      for (let i = p.minSize; i < n; i++) {
        h = ((h << 1) + GEAR[buf[s + i]!]!) >>> 0;
        if (((h & (i < p.avgSize ? maskS : maskL)) >>> 0) === 0) {
          len = i + 1;
          break;
        }
      }
    }
    out.push(len);
    s += len;
  }
  return out;
}

test('gear table is the frozen v1 table', () => {
  assert.equal(GEAR.length, 256);
  assert.deepEqual(Array.from(GEAR.subarray(0, 4)), [0x0103471f, 0xb5b91d2d, 0x792d18a3, 0xb6717fa7]);
  const hex = Array.from(GEAR, (v) => v.toString(16).padStart(8, '0')).join('');
  assert.equal(sha256(hex), '65e50d0d4cca55ce2f6e409fd2b55a7d58e4644dc39208e7f697e4a861880543');
});

test('golden vectors: v1 cut lengths of 8 MiB of xorshift32 data are frozen', () => {
  const lengths = chunkLengths(xorshiftBytes(8 * MiB, 0x2545f491));
  assert.deepEqual(lengths, [
    332577, 351047, 93140, 309174, 317677, 256123, 327627, 406795, 305613, 69775, 325766, 263294, 284398, 371525, 207802,
    84504, 339052, 390134, 281237, 268037, 369340, 341125, 114804, 305037, 278498, 262884, 355120, 273156, 285543, 217804,
  ]);
});

test('golden vectors: v1 cut lengths of 3 MiB + 17 bytes of xorshift32 data are frozen', () => {
  const lengths = chunkLengths(xorshiftBytes(3 * MiB + 17, 0x9e3779b9));
  assert.deepEqual(lengths, [
    267628, 101923, 289812, 357438, 391651, 345655, 303521, 275205, 102314, 277512, 417398, 15688,
  ]);
});

test('golden vectors: small params (64/256/1024) on 1 MiB are frozen', () => {
  const lengths = chunkLengths(xorshiftBytes(MiB, 7), SMALL);
  assert.equal(lengths.length, 3573);
  assert.deepEqual(lengths.slice(0, 5), [463, 366, 377, 475, 279]);
  assert.equal(sha256(JSON.stringify(lengths)), '7654e3702af54839b84a7709e57a23ac4977da5cebc13a2a071153bde8f35e80');
});

test('matches a textbook gear loop using the documented masks', () => {
  const big = xorshiftBytes(8 * MiB, 42);
  assert.deepEqual(chunkLengths(big), referenceLengths(big, CHUNKER_V1, 0xfbefbe00, 0xdb6db600));
  const small = xorshiftBytes(MiB, 43);
  assert.deepEqual(chunkLengths(small, SMALL), referenceLengths(small, SMALL, 0xdb6c0000, 0xdb000000));
});

test('every chunk is within [minSize, maxSize] except the last, and lengths sum to the input', () => {
  const data = xorshiftBytes(8 * MiB + 12345, 3);
  const lengths = chunkLengths(data);
  assertWellFormed(lengths, data.length, CHUNKER_V1);
  const mean = data.length / lengths.length;
  assert.ok(mean > 200 * 1024 && mean < 400 * 1024, `mean chunk ${mean} far from avgSize`);
  // Input without content boundaries (all zeros) falls back to maxSize cuts.
  assertWellFormed(chunkLengths(new Uint8Array(3 * MiB + 5)), 3 * MiB + 5, CHUNKER_V1);
  const small = xorshiftBytes(MiB / 2, 4);
  assertWellFormed(chunkLengths(small, SMALL), small.length, SMALL);
});

test('empty input has no chunks; input up to minSize is one chunk', () => {
  assert.deepEqual(chunkLengths(new Uint8Array(0)), []);
  assert.deepEqual(chunkLengths(new Uint8Array(5)), [5]);
  assert.deepEqual(chunkLengths(xorshiftBytes(CHUNKER_V1.minSize, 5)), [CHUNKER_V1.minSize]);
  assert.equal(nextCut(new Uint8Array(10), 10, 10), 0);
});

test('inserting 100 bytes in the middle of 16 MiB keeps at least 85% of chunk bytes', () => {
  const data = xorshiftBytes(16 * MiB, 11);
  const mid = 8 * MiB + 333;
  const edited = new Uint8Array(data.length + 100);
  edited.set(data.subarray(0, mid));
  edited.set(xorshiftBytes(100, 12), mid);
  edited.set(data.subarray(mid), mid + 100);
  assert.ok(newChunkBytes(data, edited) <= 0.15 * edited.length);
});

test('overwriting 1 MiB in the middle changes at most 4 MiB of chunk bytes', () => {
  const data = xorshiftBytes(16 * MiB, 13);
  const edited = data.slice();
  edited.set(xorshiftBytes(MiB, 14), 7 * MiB + 99);
  const changed = newChunkBytes(data, edited);
  assert.ok(changed >= MiB && changed <= 4 * MiB, `changed ${changed}`);
});

test('appending 10 MiB keeps every chunk of the original except the last', () => {
  const data = xorshiftBytes(16 * MiB + 777, 15);
  const grown = new Uint8Array(data.length + 10 * MiB);
  grown.set(data);
  grown.set(xorshiftBytes(10 * MiB, 16), data.length);
  const before = chunkLengths(data);
  const after = chunkLengths(grown);
  assert.deepEqual(after.slice(0, before.length - 1), before.slice(0, -1));
});

test('nextCut looks only at [start, end): an offset window gives the same cut as a copy', () => {
  const data = xorshiftBytes(4 * MiB, 17);
  for (const [start, len] of [[12345, 3 * MiB], [1000, 200 * 1024], [777, 70 * 1024], [5, 1000]] as const) {
    const copy = data.slice(start, start + len);
    const expected = nextCut(copy, 0, len);
    assert.equal(nextCut(data, start, start + len), expected);
    assert.equal(nextCut(data.subarray(start - 5), 5, 5 + len), expected);
    // Different bytes after `end` must not matter.
    const tampered = data.slice();
    tampered.fill(0, start + len);
    assert.equal(nextCut(tampered, start, start + len), expected);
  }
  const small = xorshiftBytes(10_000, 18);
  assert.equal(nextCut(small, 300, 1300, SMALL), nextCut(small.slice(300, 1300), 0, 1000, SMALL));
});

test('invalid params or windows are rejected', () => {
  const buf = new Uint8Array(100);
  assert.throws(() => nextCut(buf, 0, 101), RangeError);
  assert.throws(() => nextCut(buf, 50, 40), RangeError);
  assert.throws(() => nextCut(buf, 0, 100, { minSize: 512, avgSize: 256, maxSize: 1024 }), RangeError);
  assert.throws(() => nextCut(buf, 0, 100, { minSize: 0, avgSize: 4, maxSize: 16 }), RangeError);
});
