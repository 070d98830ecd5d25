import { TroveError } from '../errors/index.js';

/**
 * A set of sha256 object ids as one sorted buffer of 32-byte records: gc's
 * live set (scale plan S18). A `Set` of 1M hex strings costs ~150 MB of heap;
 * this costs 32 MB outside it, and a lookup is a binary search in the
 * bucket of the first byte.
 *
 * Build with `add` (any order, duplicates allowed), then `seal()` once;
 * `has` is valid after sealing.
 */
export class SortedOidSet {
  private buf: Buffer = Buffer.alloc(32 * 1024);
  private n = 0;
  private sealed = false;
  /** bucket b is records [start[b], start[b + 1]) once sealed */
  private readonly start = new Uint32Array(257);

  /** Number of distinct ids (after seal) or of ids added so far (before). */
  get size(): number {
    return this.n;
  }

  /** Add a 64-hex-digit sha256. */
  add(hex: string): void {
    if (this.sealed) throw new TroveError('INTERNAL', 'SortedOidSet: add after seal.');
    if ((this.n + 1) * 32 > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.n * 32);
      this.buf = bigger;
    }
    if (this.buf.write(hex, this.n * 32, 32, 'hex') !== 32 || hex.length !== 64) throw new TroveError('INTERNAL', `SortedOidSet: not a sha256: ${hex}`);
    this.n++;
  }

  /** Sort and deduplicate (a counting pass by first byte, then a comparison sort per bucket). */
  seal(): this {
    if (this.sealed) return this;
    const src = this.buf;
    const counts = new Uint32Array(257);
    for (let i = 0; i < this.n; i++) counts[src[i * 32]! + 1]!++;
    for (let b = 1; b <= 256; b++) counts[b]! += counts[b - 1]!;
    const next = counts.slice(0, 256);
    const out = Buffer.alloc(this.n * 32);
    for (let i = 0; i < this.n; i++) src.copy(out, next[src[i * 32]!]!++ * 32, i * 32, i * 32 + 32);
    // sort each bucket, then drop duplicates while compacting into `out` itself
    let w = 0;
    for (let b = 0; b < 256; b++) {
      const lo = counts[b]!;
      const hi = counts[b + 1]!;
      this.start[b] = w;
      if (hi === lo) continue;
      const order = Array.from({ length: hi - lo }, (_, k) => lo + k).sort((x, y) => out.compare(out, y * 32, y * 32 + 32, x * 32, x * 32 + 32));
      const bucket = Buffer.alloc((hi - lo) * 32);
      order.forEach((rec, k) => out.copy(bucket, k * 32, rec * 32, rec * 32 + 32));
      for (let k = 0; k < hi - lo; k++) {
        if (w > this.start[b]! && bucket.compare(out, (w - 1) * 32, w * 32, k * 32, k * 32 + 32) === 0) continue;
        bucket.copy(out, w * 32, k * 32, k * 32 + 32);
        w++;
      }
    }
    this.start[256] = w;
    this.buf = out.subarray(0, w * 32);
    this.n = w;
    this.sealed = true;
    return this;
  }

  /** Is this 64-hex-digit sha256 in the set? (after seal) */
  has(hex: string): boolean {
    if (!this.sealed) throw new TroveError('INTERNAL', 'SortedOidSet: has before seal.');
    const key = Buffer.from(hex, 'hex');
    if (key.length !== 32) return false;
    let lo = this.start[key[0]!]!;
    let hi = this.start[key[0]! + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = key.compare(this.buf, mid * 32, mid * 32 + 32);
      if (c === 0) return true;
      if (c > 0) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }
}
