import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
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
 *
 * On disk: a base file holding every entry, plus a journal of the rows
 * changed since (`<base>.log`). A command that changed a few rows (a hook
 * restoring 100 files of 20,000) appends them to the journal instead of
 * rewriting the whole base (2 MB for 20k files), and needs to read neither;
 * once the journal outgrows a quarter of the base, the next save folds it into
 * a new base. The journal names the base it extends, so a journal left beside
 * a newer base (a crash between writing the base and removing the journal) is
 * ignored.
 */
export const STAT_CACHE_VERSION = 2;
const RACY_MS = 2;
/** A journal may grow to this many bytes, or a quarter of the base's if more, before it is folded in. */
const MIN_JOURNAL_BYTES = 64 * 1024;
/** Enough of a file to hold the base's `{"version":2,"id":"…"` or the journal's header line. */
const HEAD_BYTES = 128;

export interface StatKey {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

type Row = [ino: number, size: number, mtimeMs: number, hex: string];

export class StatCache {
  /** rows set or deleted (undefined) since loading */
  private changed = new Map<string, Row | undefined>();
  private parsed: Record<string, Row> | undefined;
  /** id of the base file read, undefined when there was none (or it was unreadable) */
  private baseId: string | undefined;

  private constructor(private readonly file: string) {}

  /** Opens lazily: the file (2 MB for 20k files) is parsed on first use, which a no-change status never reaches. */
  static load(file: string): StatCache {
    return new StatCache(file);
  }

  private get journal(): string {
    return `${this.file}.log`;
  }

  private get loaded(): Record<string, Row> {
    if (this.parsed === undefined) {
      this.parsed = {};
      try {
        const json = JSON.parse(readFileSync(this.file, 'utf8')) as { version?: number; id?: string; entries?: Record<string, Row> };
        // Keep JSON.parse's own object (no Map rebuild: ~10 ms for 20k entries); changes go to the Map.
        if (json.version === STAT_CACHE_VERSION && json.entries && typeof json.id === 'string') {
          this.parsed = json.entries;
          this.baseId = json.id;
          this.replayJournal();
        }
      } catch {
        /* missing or corrupt: start empty */
      }
    }
    return this.parsed;
  }

  /** Apply the journal's rows to the base. A torn last line (a crash mid-append) is skipped, like any unparsable line. */
  private replayJournal(): void {
    let text: string;
    try {
      text = readFileSync(this.journal, 'utf8');
    } catch {
      // no journal (the usual case): the base alone is the cache; a cache miss only costs a rehash
      return;
    }
    const lines = text.split('\n');
    try {
      const head = JSON.parse(lines[0] ?? '') as { version?: number; base?: string };
      if (head.version !== STAT_CACHE_VERSION || head.base !== this.baseId) return;
    } catch {
      // a torn or foreign journal head: ignore the journal; a cache miss only costs a rehash
      return;
    }
    const entries = this.parsed!;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i] === '') continue;
      let rec: unknown;
      try {
        rec = JSON.parse(lines[i]!);
      } catch {
        // a torn line from a crash mid-append: skipped (documented above); a cache miss only costs a rehash
        continue;
      }
      if (!Array.isArray(rec) || typeof rec[0] !== 'string') continue;
      if (rec.length === 1) delete entries[rec[0]];
      else if (rec.length === 5 && typeof rec[4] === 'string') entries[rec[0]] = rec.slice(1) as Row;
    }
  }

  /** Whether the file has been read (by a lookup) in this process. */
  get isLoaded(): boolean {
    return this.parsed !== undefined;
  }

  /** Bytes a lookup would have to parse: the base and its journal (0 when there is no cache yet). */
  bytesToLoad(): number {
    return fileBytes(this.file) + fileBytes(this.journal);
  }

  private row(path: string): Row | undefined {
    if (this.changed.has(path)) return this.changed.get(path);
    return Object.hasOwn(this.loaded, path) ? this.loaded[path] : undefined;
  }

  get(path: string, st: StatKey): string | undefined {
    const row = this.row(path);
    if (!row || row[0] !== st.ino || row[1] !== st.size || row[2] !== st.mtimeMs) return undefined;
    return row[3];
  }

  /** Record a row. Does not read the file: a command that only writes rows (a restore) never parses it. */
  set(path: string, st: StatKey, hex: string): void {
    const row = this.parsed === undefined ? undefined : this.row(path);
    if (row && row[0] === st.ino && row[1] === st.size && row[2] === st.mtimeMs && row[3] === hex) return;
    this.changed.set(path, [st.ino, st.size, st.mtimeMs, hex]);
  }

  delete(path: string): void {
    if (this.parsed !== undefined && this.row(path) === undefined) return;
    this.changed.set(path, undefined);
  }

  /** Drop every entry under `prefix` (a path or a directory). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.changed.keys(), ...Object.keys(this.loaded)]) if (key === prefix || key.startsWith(prefix + '/')) this.delete(key);
  }

  save(now = Date.now()): void {
    if (this.changed.size === 0) return;
    // A row as new as the save is racy: not kept (recorded as a delete, so an older row for the path goes too).
    const rows = [...this.changed].map(([k, row]): [string, Row | undefined] => [k, row && !isRacy(row[2], now) ? row : undefined]);
    try {
      const baseId = this.parsed !== undefined ? this.baseId : readBaseId(this.file);
      const text = rows.map(([k, row]) => JSON.stringify(row ? [k, ...row] : [k]) + '\n').join('');
      const journalBytes = baseId !== undefined && readJournalBase(this.journal) === baseId ? fileBytes(this.journal) : undefined;
      // Dropping a directory's rows (its work index holds them now) shrinks the base: rewrite it rather than journal the deletes.
      const shrinks = this.parsed !== undefined && rows.length * 4 > Object.keys(this.parsed).length;
      if (baseId !== undefined && !shrinks && (journalBytes ?? 0) + text.length <= Math.max(MIN_JOURNAL_BYTES, fileBytes(this.file) / 4)) {
        if (journalBytes !== undefined) appendFileSync(this.journal, text);
        else atomicWriteSync(this.journal, JSON.stringify({ version: STAT_CACHE_VERSION, base: baseId }) + '\n' + text);
        if (this.parsed !== undefined) apply(this.parsed, rows);
      } else this.rewrite(rows);
      this.changed.clear();
    } catch {
      /* a cache that cannot be saved only costs speed next time */
    }
  }

  private rewrite(rows: [string, Row | undefined][]): void {
    const entries = this.loaded;
    apply(entries, rows);
    const id = randomBytes(8).toString('hex');
    // The new base first, then the journal it replaces: a crash in between leaves a journal naming the old base, which is ignored.
    atomicWriteSync(this.file, JSON.stringify({ version: STAT_CACHE_VERSION, id, entries }));
    rmSync(this.journal, { force: true });
    this.baseId = id;
  }
}

function apply(entries: Record<string, Row>, rows: readonly [string, Row | undefined][]): void {
  for (const [k, row] of rows) {
    if (row) entries[k] = row;
    else delete entries[k];
  }
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    // no file: zero bytes, which only decides when to compact the journal
    return 0;
  }
}

function readHead(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    // no cache file: an empty head reads as no base, so the cache starts empty (costs a rehash, loses nothing)
    return '';
  }
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    return buf.toString('utf8', 0, readSync(fd, buf, 0, HEAD_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

/** The id of the base file, read from its first bytes (the format puts it there), without parsing the rest. */
function readBaseId(file: string): string | undefined {
  return new RegExp(`^\\{"version":${STAT_CACHE_VERSION},"id":"([0-9a-f]{16})",`).exec(readHead(file))?.[1];
}

/** The base id named by the journal's header line, or undefined. */
function readJournalBase(file: string): string | undefined {
  const head = readHead(file);
  const nl = head.indexOf('\n');
  if (nl < 0) return undefined;
  try {
    const h = JSON.parse(head.slice(0, nl)) as { version?: number; base?: unknown };
    return h.version === STAT_CACHE_VERSION && typeof h.base === 'string' ? h.base : undefined;
  } catch {
    // an unparsable head means no usable base: the cache starts empty (costs a rehash, loses nothing)
    return undefined;
  }
}

export function isRacy(mtimeMs: number, savedAtMs: number): boolean {
  if (mtimeMs % 1000 === 0) return mtimeMs >= Math.floor(savedAtMs / 1000) * 1000 - 1000;
  return mtimeMs >= savedAtMs - RACY_MS;
}
