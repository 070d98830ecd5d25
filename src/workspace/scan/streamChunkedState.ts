import { createHash } from 'node:crypto';
import { parsePage, serializePage, type ChildRef, type ManifestEntry } from '../../core/manifest.js';
import { createOid, formatOid, type Oid } from '../../core/oid.js';
import { readLeafRefs } from '../../store/manifestIO.js';
import type { ChunkRecord, RowBlock, StatRow, WorkIndex } from '../../store/WorkIndex.js';
import { absPath, type Repo } from '../Repo.js';
import { envInteger } from '../../util/envInteger.js';
import { hashFiles, type FileToHash } from './hashFiles.js';
import { scanChunks, type ScanChunk } from './scanChunks.js';
import { scanThreads } from './scanThreaded.js';
import type { ScannedFile } from './scanTree.js';

/** One stretch of the comparison: every entry of B and of the work tree in a range of paths, for the parts that may differ. */
export interface ChunkedBatch {
  /** B's entries in the range that no unchanged chunk matched, sorted by path */
  readonly expected: ManifestEntry[];
  /** the work tree's entries in the range's suspect chunks, sorted by path */
  readonly actual: ManifestEntry[];
  /** their scanned files, in the order of `actual` */
  readonly scanned: ScannedFile[];
}

/** What a streamed comparison (streamChunkedState) knows once every batch is out. */
export interface ChunkedSummary {
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
  /** batches delivered */
  readonly batches: number;
  /**
   * Is all of B in the store, decided from markers: B's own, or the work
   * index's version R (whose leaves every unchanged chunk matched) plus a
   * look-up of B's other entries. Undefined when neither marker exists, or
   * (B's own marker aside) when the stream was not asked (`inStore`).
   */
  inStoreByMarkers(): boolean | undefined;
  /** Splice the work index with what this scan saw, so the next one finds these chunks unchanged (best effort, saved with the caches). */
  record(): void;
}

interface Suspect {
  readonly chunk: ScanChunk;
  /** the work index's record with the same first path, or -1 */
  readonly at: number;
  /** its place in record()'s order: what to record, once its files' digests are known */
  readonly slot: { made?: NewChunk };
}

/** Suspect files and B's entries held before a batch goes out (TROVE_STATUS_BATCH_FILES): ~1 KB each across the lists. */
export const STATUS_BATCH_FILES = 32_768;

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
 *
 * Memory: the lists go to `onBatch` in path order, a range at a time, once
 * they hold TROVE_STATUS_BATCH_FILES entries: a range ends where both sides
 * are known up to it (the next chunk's or the next leaf's first path), so a
 * status with every chunk suspect (the first after a clone, a copy of the
 * tree, every mtime touched) holds one batch, not the tree: it held ~1.4 KB
 * a file, 1.4 GB at 1,000,000 files. The rows the work index learns from a
 * batch that is not the last are set aside on disk (WorkIndex.block).
 */
export async function streamChunkedState(repo: Repo, path: string, root: Oid, onBatch: (b: ChunkedBatch) => void | Promise<void>, options: { progress?: string; env?: NodeJS.ProcessEnv; /** answer inStoreByMarkers (status): B's unmatched entries are looked up as the batches pass */ inStore?: boolean } = {}): Promise<ChunkedSummary> {
  const batchFiles = envInteger(options.env ?? process.env, 'TROVE_STATUS_BATCH_FILES', STATUS_BATCH_FILES, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const refs = readLeafRefs(repo.store, root, path);
  const refAt = new Map<string, ChildRef>(refs.map((r) => [r.first, r]));
  const index = repo.workIndex(path);
  const indexRoot = index.root();
  const records = index.chunks();
  const matched = new Set<string>();
  // Index positions of unchanged chunks and the suspect ones, in scan order (record()).
  const order: (number | Suspect['slot'])[] = [];
  const skipped: string[] = [];
  const abs = absPath(repo, path);
  // Is all of B stored? Asked only when B has no marker of its own and the index's version has one.
  const checkStored = options.inStore === true && !repo.store.isComplete(root) && indexRoot !== undefined && repo.store.isComplete(createOid('sha256', indexRoot));
  let expectedStored = true;
  let chunks = 0;
  let suspectCount = 0;
  let unchangedFiles = 0;
  let hashed = 0;
  let batches = 0;
  // B's leaves before `nextRef` are decided (matched, or read into `expected`).
  let nextRef = 0;
  let expected: ManifestEntry[] = [];
  let actual: ManifestEntry[] = [];
  let scanned: ScannedFile[] = [];
  // suspect chunks whose digests are not resolved yet, and their file count
  let pending: Suspect[] = [];
  let pendingFiles = 0;

  const resolve = async (last: boolean): Promise<void> => {
    if (pending.length === 0) return;
    const made = await resolveSuspects(repo, path, abs, index, pending, options.progress);
    hashed += made.hashed;
    for (const [k, s] of pending.entries()) {
      const entries = made.entries[k]!;
      const nc = toNewChunk(s.chunk, entries, made.reread[k]!, (hex) => (refAt.get(s.chunk.first)?.oid.hex === hex ? hex : ''));
      // A batch that is not the last: its rows wait on disk, not in memory, for record().
      s.slot.made = last ? nc : { ...nc, rows: index.block(nc.rows as StatRow[]) };
      for (const e of entries) actual.push(e);
      for (const f of s.chunk.files) scanned.push(f);
    }
    pending = [];
    pendingFiles = 0;
  };
  /** Deliver everything before `bound` (everything when undefined): both sides are known there. */
  const emit = async (bound: string | undefined): Promise<void> => {
    await resolve(bound === undefined);
    const e = bound === undefined ? expected.length : lowerBound(expected, bound);
    const a = bound === undefined ? actual.length : lowerBound(actual, bound);
    if (e === 0 && a === 0 && bound !== undefined) return;
    const batch: ChunkedBatch = { expected: expected.slice(0, e), actual: actual.slice(0, a), scanned: scanned.slice(0, a) };
    expected = expected.slice(e);
    actual = actual.slice(a);
    scanned = scanned.slice(a);
    if (checkStored && expectedStored) expectedStored = batch.expected.every((x) => x.mode === 'l' || repo.store.hasFile(x.oid));
    batches++;
    await onBatch(batch);
  };
  const full = (): boolean => pendingFiles + actual.length + expected.length >= batchFiles;
  /** Read B's undecided leaves that start before `bound` (all when undefined); every chunk before `bound` has been scanned. */
  const readRefsBefore = async (bound: string | undefined): Promise<void> => {
    while (nextRef < refs.length && (bound === undefined || refs[nextRef]!.first < bound)) {
      const ref = refs[nextRef++]!;
      if (matched.has(ref.first)) continue;
      const page = parsePage(repo.store.readObject(ref.oid, path), `${formatOid(ref.oid).slice(0, 19)}… of ${path}`, path);
      if (page.type === 'leaf') for (const x of page.entries) expected.push(x);
      // Everything before the next leaf is known on both sides: a work tree missing a whole region has no chunk there to cut at.
      const next = refs[nextRef]?.first;
      if (full() && next !== undefined && (bound === undefined || next < bound)) await emit(next);
    }
  };

  const threads = scanThreads(repo.config.core.jobs, records.reduce((n, r) => n + r.files, 0));
  for (const chunk of scanChunks(abs, path, repo.store.symlinkRoot(), { skipped, threads })) {
    chunks++;
    await readRefsBefore(chunk.first);
    if (full()) await emit(chunk.first);
    const at = index.find(chunk.first);
    const rec = at >= 0 ? records[at] : undefined;
    const ref = refAt.get(chunk.first);
    if (chunk.sig !== undefined && rec !== undefined && rec.sig === chunk.sig && rec.leaf !== '' && ref !== undefined && ref.oid.hex === rec.leaf) {
      matched.add(chunk.first);
      unchangedFiles += chunk.count;
      order.push(at);
    } else {
      const slot = {};
      pending.push({ chunk, at, slot });
      order.push(slot);
      pendingFiles += chunk.count;
      suspectCount++;
    }
  }
  await readRefsBefore(undefined);
  await emit(undefined);

  return {
    skipped,
    hashed,
    chunks,
    suspects: suspectCount,
    unchangedFiles,
    threads,
    batches,
    inStoreByMarkers(): boolean | undefined {
      if (repo.store.isComplete(root)) return true;
      if (!checkStored) return undefined;
      // Unchanged chunks matched leaves of the index's version, which is complete; B's other leaves were just read.
      if (expectedStored) repo.store.markComplete(root);
      return expectedStored;
    },
    record(): void {
      // The directory's first index holds every row: its rows in the stat cache (from before) are dropped, so the cache stays file-sized.
      if (indexRoot === undefined) repo.statCache.deletePrefix(path);
      // A suspect chunk keeps B's leaf only when it equals it: every non-empty leaf in the index is then one of B's.
      spliceChunks(repo.workIndex(path), root.hex, order.map((o) => (typeof o === 'number' ? o : o.made!)));
    },
  };
}

/** The first position in sorted `entries` whose path is not before `bound`. */
function lowerBound(entries: readonly ManifestEntry[], bound: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.path < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The suspect chunks' entries: digests from the index's rows while the stat still matches, else read. */
async function resolveSuspects(repo: Repo, path: string, abs: string, index: WorkIndex, suspects: readonly Suspect[], progress: string | undefined): Promise<{ entries: ManifestEntry[][]; reread: boolean[]; hashed: number }> {
  const todo: FileToHash[] = [];
  const fill: [ManifestEntry[], number][] = [];
  const reread: boolean[] = [];
  const entries = suspects.map((s) => {
    const rows = s.at >= 0 ? index.rows(s.at) : new Map<string, StatRow>();
    let read = false;
    const out: ManifestEntry[] = [];
    for (const [k, f] of s.chunk.files.entries()) {
      if (f.kind === 'link') {
        out.push({ path: f.path, mode: 'l', size: 0, target: f.target! });
        continue;
      }
      const mode = f.executable ? 'x' : 'f';
      let hex = f.knownHex;
      const row = rows.get(f.path);
      if (hex === undefined && row !== undefined && row[4] !== 'l' && row[1] === f.ino && row[2] === f.size && row[3] === f.mtimeMs) hex = row[5];
      if (hex === undefined) {
        todo.push({ repoPath: `${path}/${f.path}`, abs: `${abs}/${f.path}`, size: f.size, ino: f.ino, mtimeMs: f.mtimeMs });
        fill.push([out, k]);
        read = true;
        hex = '';
      }
      out.push({ path: f.path, mode, size: f.size, oid: createOid('sha256', hex || '0'.repeat(64)) });
    }
    reread.push(read);
    return out;
  });
  let hashed = 0;
  if (todo.length > 0) {
    // Misses fall back to the stat cache: rows from before the directory had a work index, and those checkout writes.
    const res = await hashFiles(repo, todo, { store: false, progress: progress ?? `Checking ${path}`, hashSmall: false, remember: false });
    hashed = res.hashed;
    fill.forEach(([out, k], i) => {
      out[k] = { ...out[k]!, oid: createOid('sha256', res.hexes[i]!) } as ManifestEntry;
    });
  }
  return { entries, reread, hashed };
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

function toNewChunk(c: ScanChunk, entries: readonly ManifestEntry[], reread: boolean, leafFor: (hex: string) => string): NewChunk {
  return {
    rec: { first: c.first, files: c.count, size: c.size, sig: c.sig ?? null, leaf: leafFor(leafHex(entries)) },
    rows: c.files.map((f, k) => rowOf(f, entries[k]!)),
    reread,
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
