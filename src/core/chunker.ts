/**
 * Content-defined chunking (FastCDC-style, gear hash) for large files.
 *
 * Why: model checkpoints and data sets are big and change in small ways — a few tensors rewritten
 * in place, rows appended, a header that grows and shifts everything after it. Fixed-size blocks
 * dedupe in-place edits but lose everything after an insertion, because every later block boundary
 * moves. Here a boundary is chosen by the content of the 32 bytes just before it, so after an edit
 * the boundaries re-synchronise within a chunk or two and every other chunk keeps its id. Appends
 * only touch the old last chunk.
 *
 * Algorithm (Xia et al., "FastCDC", USENIX ATC 2016), format v1:
 * - gear rolling hash `h = (h << 1) + GEAR[byte]` in 32 bits (see gearTable.ts); after 32 steps a
 *   byte is shifted out, so h depends only on the last 32 bytes;
 * - cut-point skipping: the first minSize bytes of a chunk are never hashed;
 * - normalized chunking, level 2: with b = floor(log2(avgSize)), bytes up to avgSize use the
 *   harder mask MASKS[b + 2], bytes after it the easier MASKS[b - 2]; a chunk ends after the byte
 *   at which `(h & mask) === 0`, or at maxSize;
 * - masks spread their 1-bits over the high half of the word, like FastCDC's: the low bits of a gear
 *   hash depend on the last few bytes only. MASKS[k] sets the first k bit positions of BIT_ORDER.
 *   For v1 (b = 18): MASK_S = MASKS[20] = 0xFBEFBE00, MASK_L = MASKS[16] = 0xDB6DB600.
 * On random data v1 chunks average ~290 KiB (the skipped minSize shifts the mean above avgSize).
 *
 * Hot path, tuned on the workload of bench/chunker-speed.mjs (512 MiB random, best of 3, Node 20,
 * one core; each variant in its own process; MiB/s of input, ~25% of which is skipped unhashed):
 * - straightforward loop (Uint32Array table, `>>> 0`, mask chosen per byte):  ~1070 MiB/s
 * - read the table through an Int32Array view so h and the table values stay int32 (`| 0`)
 *   instead of being boxed as doubles above 2^31:                               ~2040 (+90%)
 * - two loops, one per mask, instead of choosing the mask per byte:              ~2420 (+19%)
 * - two hash steps per iteration, both tested after computing them:              ~3200 (+32%)
 *   (plain unrolling by 2 or 4 with a test after each step gained nothing; 4 steps per iteration
 *   was erratic, 2100-3650)
 * - the loop in one small helper used for both phases, so it is optimised once with complete type
 *   feedback instead of being deoptimised and re-optimised per path: ~3500 MiB/s, stable.
 *   Phase 2 rebuilds h by re-hashing the 32 bytes before avgSize, which gives the same h as
 *   carrying it over since older bytes have been shifted out.
 */
import { GEAR } from './gearTable.js';

export interface ChunkerParams {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
}

/** Frozen parameters of chunker format v1. Changing them changes every chunk id: never edit, add a v2. */
export const CHUNKER_V1: ChunkerParams = Object.freeze({
  minSize: 64 * 1024,
  avgSize: 256 * 1024,
  maxSize: 1024 * 1024,
});

/** Order in which mask bits are taken: the pattern 110 from bit 31 down to bit 9, then its gaps. */
const BIT_ORDER = [
  31, 30, 28, 27, 25, 24, 22, 21, 19, 18, 16, 15, 13, 12, 10, 9, // 16 bits: v1 MASK_L
  29, 23, 17, 11, // 20 bits: v1 MASK_S
  26, 20, 14, 8, 7, 6, 5, 4, 3, 2, 1, 0,
];

/** MASKS[k]: k one-bits, as int32 so the hot loop compares int32 with int32. Part of format v1. */
const MASKS = new Int32Array(33);
for (let k = 1; k <= 32; k++) MASKS[k] = MASKS[k - 1]! | (1 << BIT_ORDER[k - 1]!);

/** Normalization level: how many bits harder/easier than log2(avgSize) the two masks are. */
const NC_LEVEL = 2;

/** The gear table viewed as int32: keeps every value a small int in optimised code (see top). */
const G = new Int32Array(GEAR.buffer, GEAR.byteOffset, GEAR.length);

/** Gear-hash window: after this many steps a byte no longer affects h. */
const WINDOW = 32;

/**
 * Hash buf[warm, from) without testing (only rebuilds h), then hash buf[from, to) and return the
 * index just past the first byte where `(h & mask) === 0`, or -1 when there is none.
 */
function scan(buf: Uint8Array, warm: number, from: number, to: number, mask: number): number {
  const g = G;
  let h = 0;
  let i = warm;
  for (; i < from; i++) h = ((h << 1) + g[buf[i]!]!) | 0;
  const last = to - 1;
  for (; i < last; i += 2) {
    // Two steps before testing: both table loads can be issued before the first test.
    const h1 = ((h << 1) + g[buf[i]!]!) | 0;
    h = ((h1 << 1) + g[buf[i + 1]!]!) | 0;
    if ((h1 & mask) === 0) return i + 1;
    if ((h & mask) === 0) return i + 2;
  }
  if (i < to) {
    h = ((h << 1) + g[buf[i]!]!) | 0;
    if ((h & mask) === 0) return i + 1;
  }
  return -1;
}

function checkParams(p: ChunkerParams): void {
  const { minSize, avgSize, maxSize } = p;
  const ok =
    Number.isSafeInteger(minSize) && Number.isSafeInteger(avgSize) && Number.isSafeInteger(maxSize) &&
    minSize >= 0 && minSize <= avgSize && avgSize <= maxSize && avgSize >= 8 && avgSize < 2 ** 30;
  if (!ok) throw new RangeError(`invalid chunker params ${JSON.stringify(p)}`);
}

/**
 * Length of the next chunk that starts at buf[start], looking only at buf[start, end).
 * - if end - start <= minSize: returns end - start
 * - never returns more than maxSize
 * - if no boundary is found in the window, returns min(end - start, maxSize). The caller must only
 *   call with end - start < maxSize at end of input (EOF); otherwise it supplies at least maxSize bytes.
 * Pure and deterministic; no allocation in the hot loop.
 */
export function nextCut(buf: Uint8Array, start: number, end: number, p: ChunkerParams = CHUNKER_V1): number {
  if (p !== CHUNKER_V1) checkParams(p);
  if (!(start >= 0 && start <= end && end <= buf.length)) {
    throw new RangeError(`nextCut window [${start}, ${end}) outside buffer of ${buf.length} bytes`);
  }
  let n = end - start;
  if (n <= p.minSize) return n;
  if (n > p.maxSize) n = p.maxSize;
  const bits = 31 - Math.clz32(p.avgSize);
  const first = start + p.minSize;
  const normal = start + (n < p.avgSize ? n : p.avgSize);
  let cut = scan(buf, first, first, normal, MASKS[bits + NC_LEVEL]!);
  if (cut >= 0) return cut - start;
  const warm = normal - WINDOW > first ? normal - WINDOW : first;
  cut = scan(buf, warm, normal, start + n, MASKS[bits - NC_LEVEL]!);
  return cut >= 0 ? cut - start : n;
}

/** Convenience for tests and small inputs: all chunk lengths of a whole buffer (sum == buf.length). */
export function chunkLengths(buf: Uint8Array, p: ChunkerParams = CHUNKER_V1): number[] {
  const out: number[] = [];
  for (let s = 0; s < buf.length; ) {
    const len = nextCut(buf, s, buf.length, p);
    out.push(len);
    s += len;
  }
  return out;
}
