import { createHash } from 'node:crypto';
import { createOid, type Oid } from './oid.js';
import { TroveError } from '../errors/index.js';
import { serializePage, type ChildRef, type ManifestEntry, type ManifestPage } from './manifest.js';

/**
 * Splits a sorted entry list into a tree of pages (a "prolly tree"): a page
 * ends after an entry whose path hash matches the level's mask. Boundaries
 * depend only on paths, so editing a file rewrites exactly one leaf plus its
 * ancestors; adding or removing a file moves at most one boundary.
 *
 * Frozen in manifest format v1: FNV-1a 32 over UTF-16 code units seeded with
 * the level, leaf mask 0xff (~256 entries a page), node mask 0x3f (~64
 * children), hard caps 4096/1024 so a pathological name set cannot build one
 * giant page.
 */
export const LEAF_MASK = 0xff;
export const NODE_MASK = 0x3f;
export const LEAF_MAX = 4096;
export const NODE_MAX = 1024;

export interface BuiltTree {
  readonly root: Oid;
  /** every page of the tree, keyed by hex id, serialised */
  readonly pages: Map<string, Buffer>;
  readonly files: number;
  readonly size: number;
}

export function pathHash(path: string, level: number): number {
  let h = (0x811c9dc5 ^ level) >>> 0;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function hashPage(page: ManifestPage, pages: Map<string, Buffer>): Oid {
  const bytes = serializePage(page);
  const hex = createHash('sha256').update(bytes).digest('hex');
  pages.set(hex, bytes);
  return createOid('sha256', hex);
}

/**
 * The cut rule: does a group end after this item? `countSoFar` counts the
 * group's items including this one. Leaves use level 0 with LEAF_MASK and
 * LEAF_MAX (isLeafCut); node level `depth` uses NODE_MASK and NODE_MAX.
 */
function isCut(key: string, countSoFar: number, level: number, mask: number, max: number): boolean {
  return (pathHash(key, level) & mask) === 0 || countSoFar >= max;
}

/**
 * Does a manifest leaf end after the entry at `path`, `countSoFar` being the
 * number of entries in the leaf so far, this one included? The one rule that
 * cuts leaves, shared with the scan's chunks (work index), so an unchanged
 * chunk of files is exactly an unchanged leaf page.
 */
export function isLeafCut(path: string, countSoFar: number): boolean {
  return isCut(path, countSoFar, 0, LEAF_MASK, LEAF_MAX);
}

/** Does a leaf end after `path` whatever the count before it (its hash alone cuts)? A scan worker starting mid-sequence knows its chunks exactly only after such a cut. */
export function isLeafHashCut(path: string): boolean {
  return (pathHash(path, 0) & LEAF_MASK) === 0;
}

function cut<T>(items: readonly T[], key: (t: T) => string, level: number, mask: number, max: number): T[][] {
  const groups: T[][] = [];
  let cur: T[] = [];
  for (const item of items) {
    cur.push(item);
    if (isCut(key(item), cur.length, level, mask, max)) {
      groups.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0 || groups.length === 0) groups.push(cur);
  return groups;
}

/** What ManifestTreeBuilder.finish returns. */
export interface BuiltStream {
  readonly root: Oid;
  readonly files: number;
  readonly size: number;
  /** pages built since the last takePages (every leaf made from entries, every node), keyed by hex id, serialised */
  readonly newPages: Map<string, Buffer>;
}

/**
 * Builds the page tree of a sorted entry stream, taking whole leaves that are
 * already in the store as they are: `pushLeaf` of an unchanged leaf's
 * ChildRef costs nothing, so a version that changes one file in 1M rebuilds
 * one leaf and the ~62 node pages, instead of serialising and hashing every
 * page (scale plan S8). Gives exactly buildManifestTree's pages and root when
 * the pushed leaves are leaves that the full build of the same entries makes.
 *
 * Pure: holds the open leaf's entries, one ChildRef per leaf (about 4,000 at
 * 1M files) and the pages built and not yet taken. Node pages are built at
 * finish(), from the leaf refs, so a level with one item is the root exactly
 * as in the full build.
 */
export class ManifestTreeBuilder {
  private readonly leaves: ChildRef[] = [];
  private open: ManifestEntry[] = [];
  private last: string | undefined;
  private pages = new Map<string, Buffer>();
  private finished = false;

  /** `checkOrder: false` for buildManifestTree, whose callers sort and which never checked. */
  constructor(private readonly options: { readonly checkOrder?: boolean } = {}) {}

  /** Entries sorted by path, unique, and after everything pushed before. */
  pushEntries(sorted: Iterable<ManifestEntry>): void {
    this.checkOpen();
    for (const e of sorted) {
      if (this.options.checkOrder !== false && this.last !== undefined && !(this.last < e.path)) throw misuse(`entries are not sorted and unique at "${e.path.slice(0, 80)}"`);
      this.last = e.path;
      this.open.push(e);
      if (isLeafCut(e.path, this.open.length)) this.closeLeaf();
    }
  }

  /**
   * A whole leaf page already in the store. It must start a leaf: whatever
   * was pushed before it must have ended at a cut (as the leaves of a full
   * build do), and it must follow everything pushed before. Its entries are
   * not read, so the caller vouches that it ends where a full build would
   * cut (at a cut, or as the last leaf of the tree).
   */
  pushLeaf(ref: ChildRef): void {
    this.checkOpen();
    if (this.open.length > 0) throw misuse(`leaf "${ref.first.slice(0, 80)}" pushed while a leaf is open (after "${this.last?.slice(0, 80) ?? ''}"): entries before a pushed leaf must end at a cut`);
    if (this.last !== undefined && !(this.last < ref.first)) throw misuse(`leaf "${ref.first.slice(0, 80)}" does not follow "${this.last.slice(0, 80)}"`);
    this.leaves.push(ref);
    // A leaf's own last path is not known: only its first orders what follows it.
    this.last = ref.first;
  }

  /** Pages built so far and not yet taken, so a writer can store them as it goes; finish() returns only the rest. */
  takePages(): Map<string, Buffer> {
    const out = this.pages;
    this.pages = new Map();
    return out;
  }

  finish(): BuiltStream {
    this.checkOpen();
    this.finished = true;
    if (this.open.length > 0 || this.leaves.length === 0) this.closeLeaf();
    let level: ChildRef[] = this.leaves;
    let depth = 1;
    while (level.length > 1) {
      level = cut(level, (c) => c.first, depth, NODE_MASK, NODE_MAX).map((group) => ({
        first: group[0]!.first,
        files: group.reduce((s, c) => s + c.files, 0),
        size: group.reduce((s, c) => s + c.size, 0),
        oid: hashPage({ type: 'node', children: group }, this.pages),
      }));
      depth++;
    }
    const top = level[0]!;
    return { root: top.oid, files: top.files, size: top.size, newPages: this.takePages() };
  }

  private closeLeaf(): void {
    const group = this.open;
    this.open = [];
    this.leaves.push({
      first: group[0]?.path ?? '',
      files: group.length,
      size: group.reduce((s, e) => s + e.size, 0),
      oid: hashPage({ type: 'leaf', entries: group }, this.pages),
    });
  }

  private checkOpen(): void {
    if (this.finished) throw misuse('the builder is already finished');
  }
}

function misuse(why: string): TroveError {
  return new TroveError('INTERNAL', `Building a manifest tree: ${why}.`);
}

/** Build the page tree of `entries`, which must be sorted by path and unique. */
export function buildManifestTree(entries: readonly ManifestEntry[]): BuiltTree {
  const b = new ManifestTreeBuilder({ checkOrder: false });
  b.pushEntries(entries);
  const t = b.finish();
  return { root: t.root, pages: t.newPages, files: t.files, size: t.size };
}

/** Sort comparator for entries: by path (UTF-16 code units), the order a manifest keeps and the one pairEntries walks two lists in. */
export function compareEntries(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
