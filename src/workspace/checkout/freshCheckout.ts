import { setTimeout as sleep } from 'node:timers/promises';
import { TroveError } from '../../errors/index.js';
import { parsePage, type ChildRef, type ManifestEntry } from '../../core/manifest.js';
import { formatOid, type Oid } from '../../core/oid.js';
import type { WorkTreeDirs } from '../../platform/WorkTreeDirs.js';
import { readLeafRefs } from '../../store/manifestIO.js';
import type { LinkStrategy } from '../../store/ObjectStore.js';
import { isRacy } from '../../store/StatCache.js';
import type { ChunkRecord, RowBlock, StatRow } from '../../store/WorkIndex.js';
import type { Repo } from '../Repo.js';
import { placeEntries } from './placeEntries.js';

/**
 * Files planned and placed at once by a fresh checkout: a batch of whole
 * leaves, so memory does not grow with the directory. A batch holds ~1.1 KB
 * per file (entries, destinations, stat rows), and V8 lets the heap grow to
 * 3–4 times that before it collects: at 200,000 files the checkout peaked at
 * 390–410 MB RSS in batches of 65,536 and 217–220 MB in batches of 16,384.
 * Batches cost no time of their own: 100,000 files took 10.3–10.4 s in
 * batches of 65,536 and 9.9–12.5 s in 16,384. (Runs right after an `rm -rf`
 * of a checked-out tree were 2–5x slower, the more so the more batches, all
 * of it in ext4's inode allocation skipping recently deleted inodes: that is
 * what made batches look like a second each.)
 */
export const FRESH_BATCH_FILES = 16_384;

export interface FreshCheckoutOptions {
  /** files per batch (whole leaves; a leaf larger than this is one batch) */
  readonly batchFiles?: number;
  /** told each batch's file count before it is placed (tests count what is held at once) */
  readonly onBatch?: (files: number) => void;
}

/**
 * A whole directory checked out where nothing is (a fresh clone's pull, a
 * deleted directory): nothing can be dirty and nothing is deleted, so the
 * plan is "write every entry", made and applied a batch of leaves at a time
 * instead of reading the manifest whole, with a Stats per file and a
 * whole-tree stat cache on top (2.5 KB a file: 886 MB at 200,000 files).
 *
 * The manifest is checked whole first (order, no file that is also a
 * directory, every page present), holding one leaf at a time, so a bad or
 * incomplete manifest is refused with nothing written, as readManifest
 * refuses it. Each batch's placed files go into the work index as rows of
 * chunks cut at B's leaves (what the next status's scan cuts), unsigned, so
 * that status reads their digests from the rows instead of hashing the
 * files, and records signatures. The rows wait in the index's spill file
 * and are folded in once, by the save at the end of the command. The root
 * is saved as '' before anything is placed and gets B only after the last
 * batch: a checkout killed half way leaves no version switch mode could
 * trust (the next checkout repairs, and status hashes what it finds).
 */
/** The leaves of a fresh checkout, checked: what the apply step walks, and the bytes it will write. */
export interface FreshPlan {
  readonly refs: readonly ChildRef[];
  readonly bytes: number;
}

/** Read B's node pages and check every leaf (one at a time); throws OBJECT_MISSING for an absent page, BAD_MANIFEST as readManifest does. Nothing is written. */
export function planFresh(repo: Repo, path: string, root: Oid): FreshPlan {
  const refs = readLeafRefs(repo.store, root, path);
  checkLeaves(repo, path, refs);
  return { refs, bytes: refs.reduce((s, r) => s + r.size, 0) };
}

/** Place the planned leaves a batch at a time (see the module comment); OBJECT_MISSING and CORRUPT_OBJECT of files go to `problems`. */
export async function applyFresh(repo: Repo, root: string, plan: FreshPlan, strategy: LinkStrategy, problems: TroveError[], dirs: WorkTreeDirs, options: FreshCheckoutOptions = {}): Promise<{ written: number; deleted: number; unchanged: number }> {
  const { refs } = plan;
  const index = repo.workIndex(root);
  // Rows of a tree that is gone (the directory was deleted) describe nothing: the index restarts with this checkout's.
  index.splice('', 0, index.chunks().length, [], []);
  // Saved now, before anything is placed: a checkout killed half way must leave root '' on disk (so the next checkout
  // repairs), never the old W, which switch mode would trust for files this one had not placed yet.
  index.save();
  const limit = Math.max(1, options.batchFiles ?? FRESH_BATCH_FILES);
  let written = 0;
  for (let i = 0; i < refs.length; ) {
    const batch: ChildRef[] = [];
    let files = 0;
    while (i < refs.length && (batch.length === 0 || files + refs[i]!.files <= limit)) {
      files += refs[i]!.files;
      batch.push(refs[i++]!);
    }
    const leaves = batch.map((ref) => leafEntries(repo, ref, root));
    options.onBatch?.(leaves.reduce((n, l) => n + l.length, 0));
    const placed = await placeBatch(repo, root, leaves.flat(), strategy, problems, dirs);
    written += placed.count;
    await recordBatch(repo, root, batch, leaves, placed.rows);
  }
  return { written, deleted: 0, unchanged: 0 };
}

function leafEntries(repo: Repo, ref: ChildRef, root: string): ManifestEntry[] {
  const page = parsePage(repo.store.readObject(ref.oid, root), `${formatOid(ref.oid).slice(0, 19)}… of ${root}`, root);
  if (page.type !== 'leaf') throw badTree(root, 'a node page where a leaf must be');
  return page.entries;
}

/**
 * readManifest's checks, one leaf at a time: paths strictly increasing, and
 * no file that is also a parent directory. Sorted, the paths that begin with
 * a file's path come right after it, so only the files that are a string
 * prefix of the current path are kept (a stack as deep as such nesting).
 */
function checkLeaves(repo: Repo, path: string, refs: readonly ChildRef[]): void {
  let last: string | undefined;
  const prefixes: string[] = [];
  for (const ref of refs) {
    for (const e of leafEntries(repo, ref, path)) {
      if (last !== undefined && !(last < e.path)) throw badTree(path, 'pages are out of order');
      last = e.path;
      while (prefixes.length > 0 && !e.path.startsWith(prefixes[prefixes.length - 1]!)) prefixes.pop();
      for (const p of prefixes) if (e.path[p.length] === '/') throw badTree(path, `"${p}" is both a file and a directory`);
      prefixes.push(e.path);
    }
  }
}

function badTree(what: string, why: string): TroveError {
  return new TroveError('BAD_MANIFEST', `The directory manifest of ${what} is invalid: ${why}.`, { hint: 'Run trove fsck; re-add the directory if you still have it.', data: { path: what } });
}

interface Placed {
  count: number;
  /** per placed file (not links): its stat numbers, by the entry's path */
  rows: Map<string, StatRow>;
}

/** One batch's writes (placeEntries), with the placed files' stat rows. */
async function placeBatch(repo: Repo, root: string, writes: readonly ManifestEntry[], strategy: LinkStrategy, problems: TroveError[], dirs: WorkTreeDirs): Promise<Placed> {
  const rows = new Map<string, StatRow>();
  const count = await placeEntries(repo, root, writes, strategy, problems, dirs, (e, _p, st) => rows.set(e.path, [e.path, st.ino, st.size, st.mtimeMs, e.mode, e.oid.hex]));
  return { count, rows };
}

/** Longest wait for the racy tick of a batch's newest file: past it its rows are kept; on whole-second file systems they are not waited for. */
const RACY_WAIT_MS = 20;

/**
 * One unsigned chunk per leaf, appended to the work index, with the rows of
 * the files placed (a file that could not be placed has none: status reads
 * it). Rows within the racy tick are dropped by the index, so the newest
 * files' tick is waited out when it is a few milliseconds.
 */
async function recordBatch(repo: Repo, root: string, refs: readonly ChildRef[], leaves: readonly ManifestEntry[][], rows: ReadonlyMap<string, StatRow>): Promise<void> {
  let newest = 0;
  for (const r of rows.values()) newest = Math.max(newest, r[3]);
  // isRacy's tick is 2 ms on fine-grained file systems: 3 ms past the newest mtime its rows are kept.
  const wait = newest + 3 - Date.now();
  if (isRacy(newest, Date.now()) && wait > 0 && wait <= RACY_WAIT_MS) await sleep(wait);
  const index = repo.workIndex(root);
  const chunks: ChunkRecord[] = [];
  const blocks: RowBlock[] = [];
  refs.forEach((ref, k) => {
    const block: StatRow[] = [];
    // Links have no row to keep (status reads their targets); a file that could not be placed has none either.
    for (const e of leaves[k]!) {
      const r = e.mode === 'l' ? undefined : rows.get(e.path);
      if (r) block.push(r);
    }
    chunks.push({ first: ref.first, files: ref.files, size: ref.size, sig: null, leaf: '' });
    // Set aside in the index's spill file, as add does: memory keeps ~40 bytes a chunk, and the save at the end of the
    // command folds them in by byte range once (a save per batch rewrote the whole base each time: ~1 GB of writes at 1M files).
    blocks.push(index.block(block));
  });
  const at = index.chunks().length;
  index.splice('', at, at, chunks, blocks);
}
