import { spawnSync } from 'node:child_process';
/**
 * Digit-like images for the registry flow tests (issue 14, seed 002): 8x8
 * grayscale PGM files (P5, maxval 16, the scale of scikit-learn's bundled
 * digits) drawn from 5x7 glyphs, shifted and speckled by a seeded generator,
 * so every run writes the same bytes. A nearest-centroid "model" trained on
 * them gives a real, reproducible accuracy to record as a metric.
 */

/** 5x7 glyphs of 0..9, one string per row. */
const GLYPHS: readonly (readonly string[])[] = [
  ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  ['####.', '....#', '....#', '.###.', '....#', '....#', '####.'],
  ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
  ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
];

/** xorshift32: deterministic, no dependency. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

export interface DigitSample {
  readonly label: number;
  /** 64 pixels, 0..16, row-major */
  readonly pixels: Uint8Array;
}

/** `count` samples, labels cycling 0..9, with `noise` (0..1) of the pixels flipped. */
export function makeDigits(count: number, seed: number, noise = 0.12): DigitSample[] {
  const next = rng(seed);
  const out: DigitSample[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    const glyph = GLYPHS[label]!;
    const dx = next() < 0.8 ? 1 : 2; // mostly centred, sometimes a pixel off
    const dy = next() < 0.8 ? 0 : 1; // mostly top-aligned, as scanned digits mostly are
    const pixels = new Uint8Array(64);
    for (let y = 0; y < 7; y++) for (let x = 0; x < 5; x++) if (glyph[y]![x] === '#') pixels[(y + dy) * 8 + x + dx] = 12 + Math.floor(next() * 5);
    for (let p = 0; p < 64; p++) if (next() < noise) pixels[p] = pixels[p]! > 0 ? 0 : 8 + Math.floor(next() * 9);
    out.push({ label, pixels });
  }
  return out;
}

/** A binary PGM (P5) of one sample. */
export function toPgm(s: DigitSample): Buffer {
  return Buffer.concat([Buffer.from('P5\n8 8\n16\n', 'ascii'), Buffer.from(s.pixels)]);
}

/** Nearest-centroid classifier: the mean image of each label. */
export function trainCentroids(samples: readonly DigitSample[]): number[][] {
  const sums = Array.from({ length: 10 }, () => new Array<number>(64).fill(0));
  const counts = new Array<number>(10).fill(0);
  for (const s of samples) {
    counts[s.label]!++;
    for (let p = 0; p < 64; p++) sums[s.label]![p]! += s.pixels[p]!;
  }
  return sums.map((row, l) => row.map((v) => Math.round((v / Math.max(1, counts[l]!)) * 1000) / 1000));
}

/** Share of `samples` the centroids classify correctly, rounded to 4 places as seed 002 prints it. */
export function accuracy(centroids: readonly (readonly number[])[], samples: readonly DigitSample[]): number {
  let right = 0;
  for (const s of samples) {
    let best = -1;
    let bestD = Infinity;
    centroids.forEach((c, l) => {
      let d = 0;
      for (let p = 0; p < 64; p++) d += (c[p]! - s.pixels[p]!) ** 2;
      if (d < bestD) [best, bestD] = [l, d];
    });
    if (best === s.label) right++;
  }
  return Math.round((right / samples.length) * 1e4) / 1e4;
}

/**
 * scikit-learn's bundled handwritten digits (1,797 real 8x8 scans, pixels
 * 0..16) when `python3` can import scikit-learn, else null (then tests use
 * makeDigits). Read once per process through one python3 call.
 */
let sklearnCache: DigitSample[] | null | undefined;
export function sklearnDigits(): DigitSample[] | null {
  if (sklearnCache !== undefined) return sklearnCache;
  const script = 'import json, sys\nfrom sklearn.datasets import load_digits\nd = load_digits()\njson.dump({"x": d.data.astype(int).tolist(), "y": d.target.tolist()}, sys.stdout)';
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  if (r.status !== 0) return (sklearnCache = null);
  const { x, y } = JSON.parse(r.stdout) as { x: number[][]; y: number[] };
  sklearnCache = x.map((px, i) => ({ label: y[i]!, pixels: Uint8Array.from(px) }));
  return sklearnCache;
}
