import { readFileSync } from 'node:fs';
import { atomicWriteSync } from '../util/atomicWriteSync.js';

/**
 * `(path, inode, size, mtime) → sha256` for files of the work tree, so status
 * and a repeated add read no contents of unchanged files (DVC's state db, git's
 * index stat data). A stale or unreadable entry is a miss, never an error: the
 * worst case is re-hashing.
 *
 * Racy-git guard: an entry whose mtime falls in the same timestamp tick as the
 * save is not trusted, because the file could still change inside that tick
 * without its mtime moving. The tick is RACY_MS on file systems with fine
 * timestamps, and a whole second where mtimes are whole seconds (FAT, some
 * network file systems, old ext3).
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
  private parsed: Record<string, Row> | undefined;
  private dirty = false;

  private constructor(private readonly file: string) {}

  /** Opens lazily: the file (2 MB for 20k files) is parsed on first use, which a no-change status never reaches. */
  static load(file: string): StatCache {
    return new StatCache(file);
  }

  private get loaded(): Record<string, Row> {
    if (this.parsed === undefined) {
      this.parsed = {};
      try {
        const json = JSON.parse(readFileSync(this.file, 'utf8')) as { version?: number; entries?: Record<string, Row> };
        // Keep JSON.parse's own object (no Map rebuild: ~10 ms for 20k entries); new rows go to the Map.
        if (json.version === STAT_CACHE_VERSION && json.entries) this.parsed = json.entries;
      } catch {
        /* missing or corrupt: start empty */
      }
    }
    return this.parsed;
  }

  private row(path: string): Row | undefined {
    return this.rows.get(path) ?? (Object.hasOwn(this.loaded, path) ? this.loaded[path] : undefined);
  }

  get(path: string, st: StatKey): string | undefined {
    const row = this.row(path);
    if (!row || row[0] !== st.ino || row[1] !== st.size || row[2] !== st.mtimeMs) return undefined;
    return row[3];
  }

  set(path: string, st: StatKey, hex: string): void {
    const row = this.row(path);
    if (row && row[0] === st.ino && row[1] === st.size && row[2] === st.mtimeMs && row[3] === hex) return;
    this.rows.set(path, [st.ino, st.size, st.mtimeMs, hex]);
    this.dirty = true;
  }

  delete(path: string): void {
    if (this.row(path) === undefined) return;
    this.rows.delete(path);
    if (Object.hasOwn(this.loaded, path)) delete this.loaded[path];
    this.dirty = true;
  }

  /** Drop every entry under `prefix` (a path or a directory). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.rows.keys(), ...Object.keys(this.loaded)]) if (key === prefix || key.startsWith(prefix + '/')) this.delete(key);
  }

  save(now = Date.now()): void {
    if (!this.dirty) return;
    const entries: Record<string, Row> = {};
    for (const [k, row] of Object.entries(this.loaded)) if (!this.rows.has(k)) entries[k] = row;
    for (const [k, row] of this.rows) if (!isRacy(row[2], now)) entries[k] = row;
    try {
      atomicWriteSync(this.file, JSON.stringify({ version: STAT_CACHE_VERSION, entries }));
      this.dirty = false;
    } catch {
      /* a cache that cannot be saved only costs speed next time */
    }
  }
}

export function isRacy(mtimeMs: number, savedAtMs: number): boolean {
  if (mtimeMs % 1000 === 0) return mtimeMs >= Math.floor(savedAtMs / 1000) * 1000 - 1000;
  return mtimeMs >= savedAtMs - RACY_MS;
}
