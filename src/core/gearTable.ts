/**
 * The 256-entry gear table used by the content-defined chunker (see chunker.ts).
 *
 * Every chunk boundary trove ever writes depends on these exact values, so the table is part of
 * chunker format v1 and must never change. It is generated at module load by a tiny, fully
 * specified PRNG instead of being pasted as 256 literals: the generator is short enough to audit
 * and re-implement in any language, and the chunker's golden-vector tests pin its output.
 *
 * Generator ("splitmix32"): a Weyl sequence `state += 0x9E3779B9` (mod 2^32) starting from
 * GEAR_SEED, each state finalised with MurmurHash3's fmix32:
 *   z ^= z >>> 16; z *= 0x85EBCA6B; z ^= z >>> 13; z *= 0xC2B2AE35; z ^= z >>> 16   (all mod 2^32)
 * Entry i is the (i+1)-th output. Math.random is deliberately not used: it is unseeded.
 */

/** Seed of the v1 gear table: ASCII "trov". Frozen forever. */
export const GEAR_SEED = 0x74726f76;

function splitmix32Table(seed: number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  let state = seed >>> 0;
  for (let i = 0; i < n; i++) {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    out[i] = (z ^ (z >>> 16)) >>> 0;
  }
  return out;
}

/**
 * Gear table of chunker format v1: one pseudo-random 32-bit value per byte value.
 * Treat as read-only (typed arrays cannot be frozen); mutating it would corrupt chunk ids.
 */
export const GEAR: Uint32Array = splitmix32Table(GEAR_SEED, 256);
