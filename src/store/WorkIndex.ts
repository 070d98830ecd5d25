import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, openSync, rmSync } from 'node:fs';
import { atomicWriteSync } from '../util/atomicWriteSync.js';
import { isRacy } from './StatCache.js';
import { dropSpillFile, openSpillFile, removeAbandonedSpills, type SpillFile } from './workIndexSpill.js';
import { fileBytes, preadAll, readFileText, writeAllAt } from './fdIO.js';
import { WORK_INDEX_VERSION, readWorkIndexBase } from './readWorkIndexBase.js';
import { writeWorkIndexBase, type BaseBlock } from './writeWorkIndexBase.js';
import { checkSplice, isRowBlock, journalLineBytes, parseBlock, type ChunkRecord, type ChunkRecordRow, type RowBlock, type SpilledSplice, type StatRow } from './workIndexRecords.js';

export { WORK_INDEX_VERSION } from './readWorkIndexBase.js';
export type { ChunkRecord, RowBlock, StatRow } from './workIndexRecords.js';

/** A journal may grow to this many bytes, or a quarter of the base's if more (at most JOURNAL_MAX), before it is folded in. */
const MIN_JOURNAL_BYTES = 64 * 1024;
/** Replaying a journal holds its rows in memory: cap it so memory stays bounded at any tree size. */
const JOURNAL_MAX = 8 * 1024 * 1024;

type Source = { readonly off: number; readonly len: number } | { readonly rows: readonly StatRow[] } | { readonly spill: RowBlock };
interface Slot {
  rec: ChunkRecord;
  src: Source;
}

export interface WorkIndexOptions {
  /** the clock racy rows are judged by (tests) */
  readonly now?: () => number;
  /** journal size that forces a fold (tests use small values) */
  readonly journalMax?: number;
}

/**
 * The work index of one tracked directory: what the last scan saw, cut into
 * chunks by the rule that cuts manifest leaves (`isLeafCut`), so an unchanged
 * chunk is a leaf page of the version it matched. Per chunk it keeps the scan
 * signature, the leaf id, the file count and size, and a block of stat rows
 * (`name, inode, size, mtime, mode, digest or link target`) read with one
 * `pread` when the chunk is suspect. Opening reads the header and the chunk
 * table only (~150 bytes a chunk, ~4,000 chunks at 1,000,000 files), so a
 * status that finds 3 chunks changed reads 3 blocks, not the tree.
 *
 * On disk (docs/formats.md, "Work index"): a base file and a journal of
 * splices made since (`<base>.log`), folded into a new base once it outgrows
 * a quarter of the base. Unchanged blocks are copied by byte range when
 * folding, so a save never serialises the whole tree. Like the stat cache it
 * is a cache: anything unreadable, torn or foreign is a miss, never an error,
 * and a row is a digest only while its file's inode, size and mtime are what
 * it recorded (racy rows are not kept).
 */
export class WorkIndex {
  private slots: Slot[] = [];
  private rootHex: string | undefined;
  private baseId: string | undefined;
  /** byte offset of the first row block in the base */
  private dataStart = 0;
  /** splices applied since the base (the journal's, then this process's): each journal line carries its sequence number */
  private applied = 0;
  /** splices made by this process, not yet saved: a journal line, or (rows in the spill file) the splice to serialise if it is journaled */
  private pending: (string | SpilledSplice)[] = [];
  /** bytes the pending splices take as journal lines */
  private pendingBytes = 0;
  /** this process's spill file (blocks of rows not yet saved), removed by save */
  private spill: SpillFile | undefined;
  /** blocks handed out by block() and not yet spliced: the spill file stays while any may still be */
  private outstanding = 0;
  /** the replay stopped before the journal's end (torn or conflicting line): appending after it would be lost, so the next save folds */
  private journalStopped = false;
  /** bytes of the journal read at open (undefined: none usable) */
  private journalBytes: number | undefined;
  private fd: number | undefined;
  private readonly now: () => number;
  private readonly journalMax: number;
  /** row blocks read with pread since open (tests count them) */
  blocksRead = 0;

  private constructor(readonly file: string, readonly path: string, options: WorkIndexOptions) {
    this.now = options.now ?? Date.now;
    this.journalMax = options.journalMax ?? JOURNAL_MAX;
  }

  /** Open the index at `file` for directory `path`: header and chunk table only; anything unusable opens empty. */
  static open(file: string, path: string, options: WorkIndexOptions = {}): WorkIndex {
    const w = new WorkIndex(file, path, options);
    try {
      w.readBase();
    } catch {
      // missing, torn or foreign base: an empty index (a cache miss costs rehashing, loses nothing)
      w.reset();
      return w;
    }
    w.replayJournal();
    return w;
  }

  private reset(): void {
    this.closeFd();
    this.slots = [];
    this.rootHex = undefined;
    this.baseId = undefined;
    this.journalBytes = undefined;
    this.journalStopped = false;
    this.applied = 0;
  }

  private readBase(): void {
    const fd = openSync(this.file, 'r');
    this.fd = fd;
    const base = readWorkIndexBase(fd, this.path);
    this.slots = base.chunks;
    this.dataStart = base.dataStart;
    this.baseId = base.id;
    this.rootHex = base.root;
  }

  private get journal(): string {
    return `${this.file}.log`;
  }

  /** Apply the journal's splices. A torn or unparsable line ends the replay (later lines depend on it). */
  private replayJournal(): void {
    let text: string;
    try {
      text = readFileText(this.journal);
    } catch {
      // no journal (the usual case after a fold): the base alone is the index
      return;
    }
    const lines = text.split('\n');
    try {
      const head = JSON.parse(lines[0] ?? '') as { version?: number; base?: string };
      if (head.version !== WORK_INDEX_VERSION || head.base !== this.baseId) return;
    } catch {
      // a torn or foreign journal head: the journal is ignored (a miss, not an error)
      return;
    }
    this.journalBytes = Buffer.byteLength(text);
    for (let i = 1; i < lines.length; i++) {
      if (lines[i] === '') continue;
      this.journalStopped = true; // until the line is applied
      try {
        const s = JSON.parse(lines[i]!) as { seq?: unknown; root?: unknown; from?: unknown; to?: unknown; chunks?: unknown; rows?: unknown };
        // A splice made from another state (two commands appending at once) would land on the wrong chunks: it and all after it are a miss.
        if (s.seq !== this.applied || !checkSplice(s, this.slots.length)) break;
        this.apply(s.root as string, s.from as number, s.to as number, s.chunks as ChunkRecordRow[], s.rows as StatRow[][]);
        this.journalStopped = false;
      } catch {
        // a torn line from a crash mid-append: skipped with whatever followed it; a miss only costs a rehash
        break;
      }
    }
  }

  /** The directory version the recorded chunks' leaves belong to. */
  root(): string | undefined {
    return this.rootHex;
  }

  chunks(): readonly ChunkRecord[] {
    return this.slots.map((s) => s.rec);
  }

  /** Index of the chunk recorded with this first path, or -1. */
  find(first: string): number {
    let lo = 0;
    let hi = this.slots.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const f = this.slots[mid]!.rec.first;
      if (f === first) return mid;
      if (f < first) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Chunk i's stat rows by name: one pread of its block. An unreadable block reads as no rows (a miss). */
  rows(i: number): ReadonlyMap<string, StatRow> {
    const out = new Map<string, StatRow>();
    const slot = this.slots[i];
    if (!slot) return out;
    let rows: readonly StatRow[];
    if ('rows' in slot.src) rows = slot.src.rows;
    else {
      try {
        rows = 'spill' in slot.src ? this.readSpilled(slot.src.spill) : this.readBlock(slot.src.off, slot.src.len);
      } catch {
        // a block that cannot be read or parsed is a cache miss: its files are hashed again
        return out;
      }
    }
    for (const r of rows) out.set(r[0], r);
    return out;
  }

  private readBlock(off: number, len: number): StatRow[] {
    if (len === 0) return [];
    if (this.fd === undefined) throw new Error('closed');
    const buf = preadAll(this.fd, this.dataStart + off, len);
    this.blocksRead++;
    return parseBlock(buf);
  }

  private readSpilled(b: RowBlock): StatRow[] {
    if (b.len === 0) return [];
    if (this.spill === undefined) throw new Error('spill closed');
    return parseBlock(preadAll(this.spill.fd, b.spillOff, b.len));
  }

  /**
   * Set `rows` aside in this process's spill file (racy rows dropped now, by
   * this index's clock) and return the handle to pass to splice. Written
   * without syncs: the file is scratch, removed by save.
   */
  block(rows: readonly StatRow[]): RowBlock {
    const now = this.now();
    const fresh = rows.filter((r) => !isRacy(r[3], now));
    const bytes = Buffer.from(fresh.map((r) => JSON.stringify(r) + '\n').join(''), 'utf8');
    this.spill ??= openSpillFile(this.file);
    this.outstanding++;
    const at = this.spill.size;
    writeAllAt(this.spill.fd, bytes, at);
    this.spill.size += bytes.length;
    return { spillOff: at, len: bytes.length, dropped: fresh.length !== rows.length };
  }

  /**
   * Replace chunks [from, to) by `chunks` (with `rows[k]` for chunks[k]) and
   * record that the index now matches `root`. Rows racy at this moment are
   * dropped, and a chunk that loses one loses its signature.
   */
  splice(root: string, from: number, to: number, chunks: readonly ChunkRecord[], rows: readonly (readonly StatRow[] | RowBlock)[]): void {
    if (from < 0 || to < from || to > this.slots.length || rows.length !== chunks.length) throw new RangeError('WorkIndex.splice: bad range');
    const now = this.now();
    const recs: ChunkRecordRow[] = [];
    const kept: (readonly StatRow[] | RowBlock)[] = [];
    let spilled = false;
    chunks.forEach((c, k) => {
      const r = rows[k]!;
      if (isRowBlock(r)) {
        // racy rows were dropped when the block was set aside
        spilled = true;
        this.outstanding = Math.max(0, this.outstanding - 1);
        recs.push([c.first, c.files, c.size, r.dropped ? null : c.sig, c.leaf]);
        kept.push(r);
        return;
      }
      const fresh = r.filter((x) => !isRacy(x[3], now));
      recs.push([c.first, c.files, c.size, fresh.length === r.length ? c.sig : null, c.leaf]);
      kept.push(fresh);
    });
    if (from === to && recs.length === 0 && root === this.rootHex) return;
    const splice: SpilledSplice = { seq: this.applied, root, from, to, recs, rows: kept };
    if (spilled) {
      // Serialised only if it is journaled (a large splice is folded instead): its length is known without building it.
      this.pending.push(splice);
      this.pendingBytes += journalLineBytes(splice);
    } else {
      const line = this.journalLine(splice);
      this.pending.push(line);
      this.pendingBytes += Buffer.byteLength(line);
    }
    this.apply(root, from, to, recs, kept);
  }

  /** A splice as a journal line (as JSON.stringify({seq, root, from, to, chunks, rows}) + newline, a spilled block's lines inlined). */
  private journalLine(sp: SpilledSplice): string {
    const rows = sp.rows.map((r) => (isRowBlock(r) ? (r.len === 0 ? '[]' : '[' + preadAll(this.spill!.fd, r.spillOff, r.len).toString('utf8').slice(0, -1).split('\n').join(',') + ']') : JSON.stringify(r)));
    return `{"seq":${sp.seq},"root":${JSON.stringify(sp.root)},"from":${sp.from},"to":${sp.to},"chunks":${JSON.stringify(sp.recs)},"rows":[${rows.join(',')}]}\n`;
  }

  private apply(root: string, from: number, to: number, recs: readonly ChunkRecordRow[], rows: readonly (readonly StatRow[] | RowBlock)[]): void {
    const slots: Slot[] = recs.map((r, k) => {
      const src = rows[k]!;
      return { rec: { first: r[0], files: r[1], size: r[2], sig: r[3], leaf: r[4] }, src: isRowBlock(src) ? { spill: src } : { rows: src } };
    });
    this.slots.splice(from, to - from, ...slots);
    this.rootHex = root;
    this.applied++;
  }

  /**
   * Forget every row at or under `prefix` (files checkout deleted): chunks that
   * may hold such a path lose their signature and leaf, so the next status
   * looks at them again.
   */
  dropRange(prefix: string): void {
    const end = prefix + '0'; // '0' follows '/': every path under prefix sorts in [prefix, end)
    const under = (name: string): boolean => name === prefix || name.startsWith(prefix + '/');
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const lo = this.slots[i]!.rec.first;
      const hi = this.slots[i + 1]?.rec.first;
      if (!(lo < end && (hi === undefined || hi > prefix))) continue;
      const rows = [...this.rows(i).values()].filter((r) => !under(r[0]));
      const rec = this.slots[i]!.rec;
      this.splice(this.rootHex ?? '', i, i + 1, [{ ...rec, sig: null, leaf: '' }], [rows]);
    }
  }

  /** Persist this process's splices: a journal append, or a fold into a new base when the journal has grown. Best effort. */
  save(): void {
    if (this.pending.length === 0) return;
    try {
      // A killed add's spill file (or fold temp) is swept by the next save of the same index.
      removeAbandonedSpills(this.file);
      const baseBytes = this.baseId === undefined ? 0 : fileBytes(this.file);
      const limit = Math.min(this.journalMax, Math.max(MIN_JOURNAL_BYTES, baseBytes / 4));
      const have = this.journalBytes ?? 0;
      if (this.baseId !== undefined && !this.journalStopped && have + this.pendingBytes <= limit) {
        const text = this.pending.map((p) => (typeof p === 'string' ? p : this.journalLine(p))).join('');
        if (this.journalBytes !== undefined) appendFileSync(this.journal, text);
        else atomicWriteSync(this.journal, JSON.stringify({ version: WORK_INDEX_VERSION, base: this.baseId }) + '\n' + text);
        this.journalBytes = have + Buffer.byteLength(text);
        // what the journal holds is small (at most journalMax): its spilled rows move to memory, so the spill file can go
        this.unspill();
      } else this.fold();
      this.pending = [];
      this.pendingBytes = 0;
      this.dropSpill();
    } catch {
      // an index that cannot be saved only costs speed next time
    }
  }

  private unspill(): void {
    for (const s of this.slots) if ('spill' in s.src) s.src = { rows: this.readSpilled(s.src.spill) };
  }

  /** Remove the spill file once no slot names it (after a fold or a journal append). */
  private dropSpill(): void {
    if (this.spill === undefined || this.outstanding > 0 || this.slots.some((s) => 'spill' in s.src)) return;
    dropSpillFile(this.spill);
    this.spill = undefined;
  }

  /** Write a new base: header, table, then blocks (base and spilled blocks copied by byte range). Temp + rename, then the journal goes. */
  private fold(): void {
    const id = randomBytes(8).toString('hex');
    const blocks: BaseBlock[] = [];
    const table: string[] = [];
    let off = 0;
    let files = 0;
    for (const s of this.slots) {
      let len: number;
      if ('rows' in s.src) {
        const b = Buffer.from(s.src.rows.map((r) => JSON.stringify(r) + '\n').join(''), 'utf8');
        blocks.push(b);
        len = b.length;
      } else if ('spill' in s.src) {
        // copied from the spill file by byte range, as base blocks are: a large scan's rows never sit in memory together
        blocks.push({ fd: this.spill!.fd, pos: s.src.spill.spillOff, len: s.src.spill.len });
        len = s.src.spill.len;
      } else {
        blocks.push({ fd: this.fd!, pos: this.dataStart + s.src.off, len: s.src.len });
        len = s.src.len;
      }
      table.push(JSON.stringify([s.rec.first, s.rec.files, s.rec.size, s.rec.sig, s.rec.leaf, off, len]) + '\n');
      off += len;
      files += s.rec.files;
    }
    const head = JSON.stringify({ version: WORK_INDEX_VERSION, id, path: this.path, root: this.rootHex ?? null, chunks: this.slots.length, files }) + '\n';
    // The new base first, then the journal it replaces: a crash in between leaves a journal naming the old base, which is ignored.
    writeWorkIndexBase(this.file, head + table.join(''), blocks);
    rmSync(this.journal, { force: true });
    // Reopen what was just written so later rows() reads see the new layout.
    this.closeFd();
    this.reset();
    this.readBase();
  }

  /** Release the base's file descriptor (the index stays usable for what is in memory) and an unsaved spill file. */
  close(): void {
    this.closeFd();
    if (this.spill !== undefined) this.unspillOrDrop();
  }

  private unspillOrDrop(): void {
    try {
      this.unspill();
    } catch {
      // unreadable scratch: those chunks' rows are a miss (rehash), never an error
      for (const s of this.slots) if ('spill' in s.src) s.src = { rows: [] };
    }
    this.dropSpill();
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // closing a read-only descriptor cannot lose data
    }
    this.fd = undefined;
  }
}
