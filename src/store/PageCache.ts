import type { Oid } from '../core/oid.js';
import type { ObjectStore } from './ObjectStore.js';

/** What reading manifest pages needs of a store: verified small objects. */
export type PageReader = Pick<ObjectStore, 'readObject'>;

/**
 * Verified small objects kept in memory for one operation that reads the
 * same manifest pages more than once: the data history of a directory diffs
 * v1→v2, v2→v3, …, and each version's changed pages are read (and hashed) by
 * two diffs. Content-addressed, so a cached page can never be stale; bounded
 * by `maxBytes`, past which pages are read from the store again. Halves the
 * sha256 work of a 20-version history of W2 (100 files changed per version).
 */
export class PageCache implements PageReader {
  private readonly pages = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    private readonly store: PageReader,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  readObject(oid: Oid, what: string): Buffer {
    const hit = this.pages.get(oid.hex);
    if (hit) return hit;
    const data = this.store.readObject(oid, what);
    if (this.bytes + data.length <= this.maxBytes) {
      this.pages.set(oid.hex, data);
      this.bytes += data.length;
    }
    return data;
  }
}
