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

const MASK_S = 0xfbefbe00 | 0;
const MASK_L = 0xdb6db600 | 0;
const G = new Int32Array(GEAR.buffer, GEAR.byteOffset, GEAR.length);

export function nextCut(buf: Uint8Array, start: number, end: number, p: ChunkerParams = CHUNKER_V1): number {
  let n = end - start;
  if (n <= p.minSize) return n;
  if (n > p.maxSize) n = p.maxSize;
  const normal = n < p.avgSize ? n : p.avgSize;
  const g = G;
  let h = 0;
  let i = start + p.minSize;
  const b1 = start + normal;
  const b2 = start + n;
  for (; i < b1; i++) {
    h = ((h << 1) + g[buf[i]!]!) | 0;
    if ((h & MASK_S) === 0) return i + 1 - start;
  }
  for (; i < b2; i++) {
    h = ((h << 1) + g[buf[i]!]!) | 0;
    if ((h & MASK_L) === 0) return i + 1 - start;
  }
  return n;
}

export function chunkLengths(buf: Uint8Array, p: ChunkerParams = CHUNKER_V1): number[] {
  const out: number[] = [];
  for (let s = 0; s < buf.length; ) {
    const len = nextCut(buf, s, buf.length, p);
    out.push(len);
    s += len;
  }
  return out;
}
