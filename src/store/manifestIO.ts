import { TroveError } from '../errors/index.js';
import { checkNoFileIsAParent, parsePage, type ChildRef, type ManifestEntry } from '../core/manifest.js';
import { buildManifestTree, ManifestTreeBuilder } from '../core/manifestTree.js';
import { createOid, formatOid, type Oid } from '../core/oid.js';
import { fromFsError } from '../errors/index.js';
import { objectFile } from './layout.js';
import { ObjectBatch, syncDirs, type WriterFs } from './objectWriter.js';
import type { PackWriter } from './pack/PackWriter.js';
import type { ObjectStore } from './ObjectStore.js';
import type { PageReader } from './PageCache.js';

/** Write the page tree of a directory version; returns its root id and bytes newly written. */
export function writeManifest(store: ObjectStore, entries: readonly ManifestEntry[]): { root: Oid; files: number; size: number; written: number } {
  const tree = buildManifestTree(entries);
  let written = 0;
  for (const [, bytes] of tree.pages) written += store.putBytes(bytes).written;
  return { root: tree.root, files: tree.files, size: tree.size, written };
}

/**
 * writeManifest for add, where a new version rewrites up to hundreds of
 * pages: one batch, so their data syncs run together on the thread pool and
 * their directories are synced once, where a durable write per page (a data
 * sync and a directory sync, one after another) made W2's "modify 100 files"
 * step 0.35 s -> 0.6 s.
 */
export async function writeManifestBatched(store: ObjectStore, entries: readonly ManifestEntry[], options: { /** the writer's file-system calls (tests) */ fs?: WriterFs } = {}): Promise<{ root: Oid; files: number; size: number; written: number }> {
  const tree = buildManifestTree(entries);
  // Many pages (a large first add: ~4,000 at 1M files) go into one local pack, durable on return; a few stay loose
  // (and so does a call with an injected fs: that is a test of this batch).
  if (!options.fs && tree.pages.size >= store.packMinObjects) {
    const { written } = await store.putObjects(tree.pages.values(), { meta: true });
    return { root: tree.root, files: tree.files, size: tree.size, written };
  }
  const batch = new ObjectBatch({ fsync: store.fsync, fs: options.fs });
  let written = 0;
  try {
    for (const [hex, bytes] of tree.pages) written += batch.add(objectFile(store.dir, createOid('sha256', hex)), bytes);
    await batch.commit();
    await syncDirs(batch.dirs, { fsync: store.fsync, fs: options.fs });
  } catch (err) {
    throw fromFsError(err, 'writing manifest pages into the store at', store.dir);
  }
  return { root: tree.root, files: tree.files, size: tree.size, written };
}

/** One piece of a sorted entry stream for writeManifestStream: entries, or a whole leaf already in the store. */
export type ManifestPart = { readonly entries: readonly ManifestEntry[] } | { readonly leaf: ChildRef };

/**
 * Write a directory version built from a stream of parts (ManifestTreeBuilder):
 * unchanged leaves pushed as ChildRefs are neither read nor rewritten, new
 * pages go into one batch as they are built (writeManifestBatched's one
 * batch, same durability), so add of one changed file in 1M writes ~3
 * pages. Leaves pushed as refs must be in the store already (the caller
 * checked completeness); returns the root and the bytes newly written.
 */
export async function writeManifestStream(store: ObjectStore, parts: Iterable<ManifestPart> | AsyncIterable<ManifestPart>, options: { /** the writer's file-system calls (tests) */ fs?: WriterFs } = {}): Promise<{ root: Oid; files: number; size: number; written: number }> {
  const builder = new ManifestTreeBuilder();
  const batch = new ObjectBatch({ fsync: store.fsync, fs: options.fs });
  let written = 0;
  // Pages wait here until there are packMinObjects of them (a large first add: ~4,000 at 1M files), then go
  // into one local pack as they are built, so memory stays one pack buffer; fewer stay loose, in one batch
  // (and so does a call with an injected fs: that is a test of the batch).
  let waiting: [string, Buffer][] = [];
  let writer: PackWriter | undefined;
  const toPack = (hex: string, bytes: Buffer): void => {
    const oid = createOid('sha256', hex);
    if (bytes.length > store.packMaxObject) written += store.putBytes(bytes).written;
    else if (!writer!.has('o', hex) && !store.hasObject(oid, { reload: false })) written += writer!.append('o', hex, bytes);
  };
  const put = (pages: Map<string, Buffer>): void => {
    for (const [hex, bytes] of pages) {
      if (writer) toPack(hex, bytes);
      else waiting.push([hex, bytes]);
    }
    if (!writer && !options.fs && waiting.length >= store.packMinObjects) {
      writer = store.packWriter();
      for (const [hex, bytes] of waiting) toPack(hex, bytes);
      waiting = [];
    }
  };
  let tree;
  try {
    for await (const part of parts) {
      if ('leaf' in part) builder.pushLeaf(part.leaf);
      else builder.pushEntries(part.entries);
      put(builder.takePages());
    }
    tree = builder.finish();
    put(tree.newPages);
    if (writer) {
      writer.finish();
      store.packs.refresh();
    } else {
      for (const [hex, bytes] of waiting) written += batch.add(objectFile(store.dir, createOid('sha256', hex)), bytes);
      await batch.commit();
      await syncDirs(batch.dirs, { fsync: store.fsync, fs: options.fs });
    }
  } catch (err) {
    writer?.abort();
    throw fromFsError(err, 'writing manifest pages into the store at', store.dir);
  }
  return { root: tree.root, files: tree.files, size: tree.size, written };
}

/**
 * The ChildRefs of every leaf of a directory version, in order, reading node
 * pages only, plus the first leaf on the leftmost path: pages do not record
 * their level, and every leaf of a tree is at the same depth (each level
 * groups all of the one below), so the leftmost path gives the height. A
 * one-leaf tree is that leaf, read for its first path, count and size. ~62
 * node pages at 1M files, against ~4,000 leaves readManifest reads. Throws
 * BAD_MANIFEST for a node page where a leaf must be and for an unbalanced
 * tree (a node page out of order with its ref), OBJECT_MISSING for an absent page.
 */
export function readLeafRefs(store: PageReader, root: Oid, what: string): ChildRef[] {
  const seen = new Map<string, ReturnType<typeof parsePage>>(); // the leftmost path, read once
  const read = (oid: Oid) => {
    const hit = seen.get(oid.hex);
    if (hit) return hit;
    const p = parsePage(store.readObject(oid, what), `${formatOid(oid).slice(0, 19)}… of ${what}`, what);
    if (p.type === 'node') seen.set(oid.hex, p);
    return p;
  };
  // The height: follow first children down to a leaf.
  let height = 0;
  let page = read(root);
  const top = page;
  while (page.type === 'node') {
    if (page.children.length === 0 || ++height > 32) throw badTree(root, what, 'a node page is empty or the tree is too deep');
    page = read(page.children[0]!.oid);
  }
  if (height === 0) {
    const entries = page.entries;
    return [{ first: entries[0]?.path ?? '', files: entries.length, size: entries.reduce((s, e) => s + e.size, 0), oid: root }];
  }
  let level: ChildRef[] = top.type === 'node' ? top.children : [];
  for (let d = 1; d < height; d++) {
    const next: ChildRef[] = [];
    for (const ref of level) {
      const p = read(ref.oid);
      if (p.type !== 'node') throw badTree(root, what, 'leaves at different depths');
      next.push(...p.children);
    }
    level = next;
  }
  for (let i = 1; i < level.length; i++) {
    if (!(level[i - 1]!.first < level[i]!.first)) throw badTree(root, what, 'pages are out of order');
  }
  return level;
}

/** Every page id of a tree (for gc and push), reading pages that are present. */
export function listManifestPages(store: PageReader, root: Oid, what: string): Oid[] {
  const out: Oid[] = [];
  walk(store, root, what, (oid) => out.push(oid), () => undefined);
  return out;
}

/**
 * Read all entries of a directory version, verified. Throws OBJECT_MISSING
 * naming `what` when a page is absent, BAD_MANIFEST / UNSAFE_PATH for a
 * corrupt or hostile one.
 */
export function readManifest(store: PageReader, root: Oid, what: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  walk(store, root, what, () => undefined, (leaf) => {
    for (const e of leaf) entries.push(e);
  });
  for (let i = 1; i < entries.length; i++) {
    if (!(entries[i - 1]!.path < entries[i]!.path)) throw badTree(root, what, 'pages are out of order');
  }
  checkNoFileIsAParent(entries, (why) => {
    throw badTree(root, what, why);
  });
  return entries;
}

/**
 * Every page id and every entry of a directory version, one leaf at a time
 * (gc's live marking: readManifest held all 1,000,000 entries of a version,
 * and listManifestPages read every page a second time). Entries are checked
 * to be in order across leaves; the file-is-a-parent check of readManifest
 * is left to the readers that place files, since which objects a version
 * keeps alive does not depend on it.
 */
export function forEachManifestEntry(store: PageReader, root: Oid, what: string, onPage: (oid: Oid) => void, onEntry: (e: ManifestEntry) => void): void {
  let last: string | undefined;
  walk(store, root, what, onPage, (leaf) => {
    for (const e of leaf) {
      if (last !== undefined && !(last < e.path)) throw badTree(root, what, 'pages are out of order');
      last = e.path;
      onEntry(e);
    }
  });
}

/**
 * The entries of a directory version, in path order, verified, read one
 * leaf page at a time as the iteration reaches it: memory is a page
 * (≤ 4,096 entries) and the node pages above it, not the tree
 * (`trove ls data` held all 1,000,000 entries of readManifest, then as many
 * listed files). With `under`, only the entries that are `under` itself or
 * lie below `under/`, and only the pages whose path range can hold them are
 * read (in a 100,000-file tree: the root, a node page or two and a leaf).
 * Entries are checked to be in order across leaves; like
 * forEachManifestEntry, the file-is-a-parent check of readManifest is left to
 * the readers that place files. Throws, when the iteration reaches the page,
 * OBJECT_MISSING naming `what` for an absent one, BAD_MANIFEST for a corrupt one.
 */
export function* iterateManifest(store: PageReader, root: Oid, what: string, options: { under?: string } = {}): Generator<ManifestEntry> {
  const under = options.under;
  // Every path equal to P or under "P/" sorts in [P, P + "0"): "/" is the code unit just below "0".
  const high = under === undefined ? undefined : under + '0';
  // Pages still to read, the next on top: at most a node page's children per level of the tree.
  const todo: { oid: Oid; depth: number }[] = [{ oid: root, depth: 0 }];
  let last: string | undefined;
  while (todo.length > 0) {
    const { oid, depth } = todo.pop()!;
    if (depth > 32) throw badTree(root, what, 'the tree is too deep');
    const page = parsePage(store.readObject(oid, what), `${formatOid(oid).slice(0, 19)}… of ${what}`, what);
    if (page.type === 'node') {
      // Child i holds the paths in [first(i), first(i+1)); pushed last to first, so the first is read next.
      for (let i = page.children.length - 1; i >= 0; i--) {
        const c = page.children[i]!;
        const next = page.children[i + 1]?.first;
        if (under === undefined || (c.first < high! && (next === undefined || next > under))) todo.push({ oid: c.oid, depth: depth + 1 });
      }
      continue;
    }
    for (const e of page.entries) {
      if (last !== undefined && !(last < e.path)) throw badTree(root, what, 'pages are out of order');
      last = e.path;
      if (under === undefined || e.path === under || e.path.startsWith(under + '/')) yield e;
    }
  }
}

function walk(store: PageReader, oid: Oid, what: string, onPage: (oid: Oid) => void, onLeaf: (entries: ManifestEntry[]) => void, depth = 0): void {
  if (depth > 32) throw badTree(oid, what, 'the tree is too deep');
  onPage(oid);
  const page = parsePage(store.readObject(oid, what), `${formatOid(oid).slice(0, 19)}… of ${what}`, what);
  if (page.type === 'leaf') onLeaf(page.entries);
  else for (const child of page.children) walk(store, child.oid, what, onPage, onLeaf, depth + 1);
}

function badTree(root: Oid, what: string, why: string): TroveError {
  return new TroveError('BAD_MANIFEST', `The directory manifest of ${what} is invalid: ${why}.`, { hint: 'Run trove fsck; re-add the directory if you still have it.', data: { path: what, oid: formatOid(root) } });
}

