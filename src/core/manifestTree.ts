import { createHash } from 'node:crypto';
import { createOid, type Oid } from './oid.js';
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

function cut<T>(items: readonly T[], key: (t: T) => string, level: number, mask: number, max: number): T[][] {
  const groups: T[][] = [];
  let cur: T[] = [];
  for (const item of items) {
    cur.push(item);
    if ((pathHash(key(item), level) & mask) === 0 || cur.length >= max) {
      groups.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0 || groups.length === 0) groups.push(cur);
  return groups;
}

/** Build the page tree of `entries`, which must be sorted by path and unique. */
export function buildManifestTree(entries: readonly ManifestEntry[]): BuiltTree {
  const pages = new Map<string, Buffer>();
  let level: ChildRef[] = cut(entries, (e) => e.path, 0, LEAF_MASK, LEAF_MAX).map((group) => ({
    first: group[0]?.path ?? '',
    files: group.length,
    size: group.reduce((s, e) => s + e.size, 0),
    oid: hashPage({ type: 'leaf', entries: group }, pages),
  }));
  let depth = 1;
  while (level.length > 1) {
    level = cut(level, (c) => c.first, depth, NODE_MASK, NODE_MAX).map((group) => ({
      first: group[0]!.first,
      files: group.reduce((s, c) => s + c.files, 0),
      size: group.reduce((s, c) => s + c.size, 0),
      oid: hashPage({ type: 'node', children: group }, pages),
    }));
    depth++;
  }
  const top = level[0]!;
  return { root: top.oid, pages, files: top.files, size: top.size };
}

/** Sort comparator for entries: by path (UTF-16 code units), the order a manifest keeps and the one pairEntries walks two lists in. */
export function compareEntries(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
