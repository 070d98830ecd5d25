import { readFileSync } from 'node:fs';
import { atomicWriteSync } from '../util/atomicWriteSync.js';

/**
 * `(path, inode, size, mtime) → sha256` for files of the work tree, so status
 * and a repeated add read no contents of unchanged files (DVC's state db, git's
 * index stat data). A stale or unreadable entry is a miss, never an error: the
 * worst case is re-hashing.
 *
 * Racy-git guard: an entry whose mtime is within RACY_MS of the moment it is
 * saved is not trusted, because the file could still change inside the same
 * timestamp tick without its mtime moving.
 */
export const STAT_CACHE_VERSION = 1;
const RACY_MS = 2;

export interface StatKey {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

type Row = [ino: number, size: number, mtimeMs: number, hex: string];

export class StatCache {
  private rows = new Map<string, Row>();
  private dirty = false;

  private constructor(private readonly file: string) {}

  static load(file: string): StatCache {
    const cache = new StatCache(file);
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; entries?: Record<string, Row> };
      if (parsed.version === STAT_CACHE_VERSION && parsed.entries) cache.rows = new Map(Object.entries(parsed.entries));
    } catch {
      /* missing or corrupt: start empty */
    }
    return cache;
  }

  get(path: string, st: StatKey): string | undefined {
    const row = this.rows.get(path);
    if (!row || row[0] !== st.ino || row[1] !== st.size || row[2] !== st.mtimeMs) return undefined;
    return row[3];
  }

  set(path: string, st: StatKey, hex: string): void {
    const row = this.rows.get(path);
    if (row && row[0] === st.ino && row[1] === st.size && row[2] === st.mtimeMs && row[3] === hex) return;
    this.rows.set(path, [st.ino, st.size, st.mtimeMs, hex]);
    this.dirty = true;
  }

  delete(path: string): void {
    if (this.rows.delete(path)) this.dirty = true;
  }

  /** Drop every entry under `prefix` (a path or a directory). */
  deletePrefix(prefix: string): void {
    for (const key of this.rows.keys()) if (key === prefix || key.startsWith(prefix + '/')) this.delete(key);
  }

  save(now = Date.now()): void {
    if (!this.dirty) return;
    const entries: Record<string, Row> = {};
    for (const [k, row] of this.rows) if (row[2] < now - RACY_MS) entries[k] = row;
    try {
      atomicWriteSync(this.file, JSON.stringify({ version: STAT_CACHE_VERSION, entries }));
      this.dirty = false;
    } catch {
      /* a cache that cannot be saved only costs speed next time */
    }
  }
}
