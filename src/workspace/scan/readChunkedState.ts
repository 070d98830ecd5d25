import { createHash } from 'node:crypto';
import { parsePage, serializePage, type ChildRef, type ManifestEntry } from '../../core/manifest.js';
import { createOid, formatOid, type Oid } from '../../core/oid.js';
import { readLeafRefs } from '../../store/manifestIO.js';
import type { ChunkRecord, RowBlock, StatRow, WorkIndex } from '../../store/WorkIndex.js';
import { absPath, type Repo } from '../Repo.js';
import { hashFiles, type FileToHash } from './hashFiles.js';
import { scanChunks, type ScanChunk } from './scanChunks.js';
import { scanThreads } from './scanThreaded.js';
import type { ScannedFile } from './scanTree.js';

/** What differs between a tracked directory and version B, found from the chunks that changed. */
export interface ChunkedState {
  /** B's entries in the leaves that no unchanged chunk matched, sorted by path */
  readonly expected: ManifestEntry[];
  /** the work tree's entries in the suspect chunks, sorted by path */
  readonly actual: ManifestEntry[];
  /** the suspect chunks' scanned files, in the order of `actual` */
  readonly scanned: ScannedFile[];
  /** sockets, fifos, devices in the directory */
  readonly skipped: string[];
  /** files whose content was read (no fresh row) */
  readonly hashed: number;
  /** chunks of the scan, and how many of them were suspect */
  readonly chunks: number;
  readonly suspects: number;
  /** files in the unchanged chunks (each equal to B there, so never in `expected` or `actual`) */
  readonly unchangedFiles: number;
  /** threads the stat scan ran on (scanThreads) */
  readonly threads: number;
  /**
   * Is all of B in the store, decided from markers: B's own, or the work
   * index's version R (whose leaves every unchanged chunk matched) plus a
   * look-up of B's other entries. Undefined when neither marker exists.
   */
  inStoreByMarkers(): boolean | undefined;
  /** Splice the work index with what this scan saw, so the next one finds these chunks unchanged (best effort, saved with the caches). */
  record(): void;
}

interface Suspect {
  readonly chunk: ScanChunk;
  /** the work index's record with the same first path, or -1 */
  readonly at: number;
  entries: ManifestEntry[];
  hashed: number;
}

/**
 * The status engine (scale plan P2): scan the directory in chunks cut like
 * B's leaves. A chunk is unchanged when its signature equals the work
 * index's record with the same first path and that record's leaf is B's leaf
 * there; it is then not looked at further. Everything else is suspect: its
 * rows come from one pread of the index's block (or hashing, for files whose
 * stat moved), and B's leaves that no unchanged chunk matched are read. The
 * two lists differ exactly where the directory differs from B, because the
 * unchanged parts are identical on both sides. Cost: the stat scan, B's node
 * pages, and what changed.
 */
export async function readChunkedState(repo: Repo, path: string, root: Oid, options: { progress?: string } = {}): Promise<ChunkedState> {
  const refs = readLeafRefs(repo.store, root, path);
  const refAt = new Map<string, ChildRef>(refs.map((r) => [r.first, r]));
  const index = repo.workIndex(path);
  const indexRoot = index.root();
  const records = index.chunks();
  const matched = new Set<string>();
  const order: (number | Suspect)[] = [];
  const skipped: string[] = [];
  const abs = absPath(repo, path);
  let chunks = 0;
  let unchangedFiles = 0;
  const threads = scanThreads(repo.config.core.jobs, records.reduce((n, r) => n + r.files, 0));
  for (const chunk of scanChunks(abs, path, repo.store.symlinkRoot(), { skipped, threads })) {
    chunks++;
    const at = index.find(chunk.first);
    const rec = at >= 0 ? records[at] : undefined;
    const ref = refAt.get(chunk.first);
    if (chunk.sig !== undefined && rec !== undefined && rec.sig === chunk.sig && rec.leaf !== '' && ref !== undefined && ref.oid.hex === rec.leaf) {
      matched.add(chunk.first);
      unchangedFiles += chunk.count;
      order.push(at);
    } else order.push({ chunk, at, entries: [], hashed: 0 });
  }
  const suspects = order.filter((o): o is Suspect => typeof o !== 'number');

  const expected: ManifestEntry[] = [];
  for (const ref of refs) {
    if (matched.has(ref.first)) continue;
    const page = parsePage(repo.store.readObject(ref.oid, path), `${formatOid(ref.oid).slice(0, 19)}… of ${path}`, path);
    if (page.type === 'leaf') for (const e of page.entries) expected.push(e);
  }

  // Digests of the suspect chunks' files: the index's rows while the stat still matches, else read.
  const todo: FileToHash[] = [];
  const fill: [Suspect, number][] = [];
  for (const s of suspects) {
    const rows = s.at >= 0 ? index.rows(s.at) : new Map<string, StatRow>();
    s.entries = s.chunk.files.map((f, k): ManifestEntry => {
      if (f.kind === 'link') return { path: f.path, mode: 'l', size: 0, target: f.target! };
      const mode = f.executable ? 'x' : 'f';
      let hex = f.knownHex;
      const row = rows.get(f.path);
      if (hex === undefined && row !== undefined && row[4] !== 'l' && row[1] === f.ino && row[2] === f.size && row[3] === f.mtimeMs) hex = row[5];
      if (hex === undefined) {
        todo.push({ repoPath: `${path}/${f.path}`, abs: `${abs}/${f.path}`, size: f.size, ino: f.ino, mtimeMs: f.mtimeMs });
        fill.push([s, k]);
        s.hashed++;
        hex = '';
      }
      return { path: f.path, mode, size: f.size, oid: createOid('sha256', hex || '0'.repeat(64)) };
    });
  }
  let hashed = 0;
  if (todo.length > 0) {
    // Misses fall back to the stat cache: rows from before the directory had a work index, and those checkout writes.
    const res = await hashFiles(repo, todo, { store: false, progress: options.progress ?? `Checking ${path}`, hashSmall: false, remember: false });
    hashed = res.hashed;
    fill.forEach(([s, k], i) => {
      const e = s.entries[k]!;
      s.entries[k] = { ...e, oid: createOid('sha256', res.hexes[i]!) } as ManifestEntry;
    });
  }
  const actual = suspects.flatMap((s) => s.entries);
  const scanned = suspects.flatMap((s) => s.chunk.files);

  return {
    expected,
    actual,
    scanned,
    skipped,
    hashed,
    chunks,
    suspects: suspects.length,
    unchangedFiles,
    threads,
    inStoreByMarkers(): boolean | undefined {
      if (repo.store.isComplete(root)) return true;
      if (indexRoot === undefined || !repo.store.isComplete(createOid('sha256', indexRoot))) return undefined;
      // Unchanged chunks matched leaves of the index's version, which is complete; B's other leaves were just read.
      const complete = expected.every((e) => e.mode === 'l' || repo.store.hasFile(e.oid));
      if (complete) repo.store.markComplete(root);
      return complete;
    },
    record(): void {
      // The directory's first index holds every row: its rows in the stat cache (from before) are dropped, so the cache stays file-sized.
      if (indexRoot === undefined) repo.statCache.deletePrefix(path);
      // A suspect chunk keeps B's leaf only when it equals it: every non-empty leaf in the index is then one of B's.
      spliceChunks(repo.workIndex(path), root.hex, order.map((o) => (typeof o === 'number' ? o : toNewChunk(o, (hex) => (refAt.get(o.chunk.first)?.oid.hex === hex ? hex : '')))));
    },
  };
}

/** The leaf page id a chunk's entries make (the chunk is cut where a leaf is). */
function leafHex(entries: readonly ManifestEntry[]): string {
  return createHash('sha256').update(serializePage({ type: 'leaf', entries: [...entries] })).digest('hex');
}

function rowOf(f: ScannedFile, e: ManifestEntry): StatRow {
  return [f.path, f.ino, f.size, f.mtimeMs, e.mode, e.mode === 'l' ? e.target : e.oid.hex];
}

/** A chunk to record: its record and its rows; `reread` when a file of it was read (its rows are new even if its record is not). */
export interface NewChunk {
  readonly rec: ChunkRecord;
  /** the rows, or (a large add) the block they were set aside in (WorkIndex.block) */
  readonly rows: readonly StatRow[] | RowBlock;
  readonly reread: boolean;
}

function toNewChunk(s: Suspect, leafFor: (hex: string) => string): NewChunk {
  const c = s.chunk;
  return {
    rec: { first: c.first, files: c.count, size: c.size, sig: c.sig ?? null, leaf: leafFor(leafHex(s.entries)) },
    rows: c.files.map((f, k) => rowOf(f, s.entries[k]!)),
    reread: s.hashed > 0,
  };
}

/** A chunk's record and rows once its entries are known; `leaf` is the leaf page those entries make. */
export function newChunk(chunk: ScanChunk, entries: readonly ManifestEntry[], reread: boolean): NewChunk {
  return {
    rec: { first: chunk.first, files: chunk.count, size: chunk.size, sig: chunk.sig ?? null, leaf: leafHex(entries) },
    rows: chunk.files.map((f, k) => rowOf(f, entries[k]!)),
    reread,
  };
}

/**
 * Record a scan in the work index: `order` lists, in scan order, the index
 * positions of unchanged chunks (kept as they are) and the new records of
 * the others. Between each two unchanged chunks the index's records are
 * replaced by the new ones found there; afterwards every non-empty leaf in
 * the index belongs to `rootHex`, which becomes the index's root. Spans
 * whose records would not change (a local edit seen again, nothing re-read)
 * are left alone, so a repeated status writes nothing.
 */
export function spliceChunks(index: WorkIndex, rootHex: string, order: readonly (number | NewChunk)[]): void {
  const records = index.chunks();
  const splices: { from: number; to: number; chunks: ChunkRecord[]; rows: (readonly StatRow[] | RowBlock)[] }[] = [];
  let prev = -1;
  let run: NewChunk[] = [];
  const flush = (next: number): void => {
    const from = prev + 1;
    const same = next - from === run.length && run.every((c, k) => !c.reread && sameRecord(c.rec, records[from + k]!));
    if (!same) splices.push({ from, to: next, chunks: run.map((c) => c.rec), rows: run.map((c) => c.rows) });
    run = [];
  };
  for (const o of order) {
    if (typeof o === 'number') {
      flush(o);
      prev = o;
    } else run.push(o);
  }
  flush(records.length);
  // Right to left, so the earlier ranges' positions still hold.
  for (const s of splices.reverse()) index.splice(rootHex, s.from, s.to, s.chunks, s.rows);
  if (splices.length === 0 && index.root() !== rootHex) index.splice(rootHex, 0, 0, [], []);
}

function sameRecord(a: ChunkRecord, b: ChunkRecord): boolean {
  return a.sig !== null && a.first === b.first && a.files === b.files && a.size === b.size && a.sig === b.sig && a.leaf === b.leaf;
}
