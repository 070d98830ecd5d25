import { readFileSync } from 'node:fs';
import { parsePage, type ManifestEntry } from '../core/manifest.js';
import { createOid, formatOid, type Oid } from '../core/oid.js';
import { parseChunkList } from '../store/chunkList.js';
import { diffManifests } from '../store/diffManifests.js';
import { PageCache } from '../store/PageCache.js';
import { isTroveError } from '../errors/index.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import type { PushItem } from './pushObjects.js';
import { sha256 } from './RemoteIndex.js';

/** A tracked artifact as the transfer layer sees it. */
export interface TransferRoot {
  readonly kind: 'file' | 'dir';
  readonly oid: Oid;
  /** the data path, for messages */
  readonly what: string;
  /** for directories: only the files whose path inside the directory passes (granular pull) */
  readonly select?: (pathInDir: string) => boolean;
}

export interface LocalClosure {
  readonly items: PushItem[];
  /** content these roots need that the local store does not have */
  readonly missing: { readonly what: string; readonly hex: string }[];
  /** manifest pages read to find the items (what a push costs before it sends anything) */
  readonly pagesRead: number;
  /** directory roots walked from a pushed-root marker (only what differs from it) */
  readonly incremental: number;
}

export interface ClosureOptions {
  /**
   * A directory version of the same path whose whole closure is known to be on
   * the remote (transfer/pushedRoots.ts): only the pages and files that differ
   * from it are walked (S14). Not consulted for roots narrowed by `select`.
   */
  readonly base?: (root: TransferRoot) => Oid | undefined;
}

/**
 * Every store file the roots need, as far as the local store has them; for a
 * directory with a `base` known to be on the remote, only what differs from it.
 */
export function localClosure(store: ObjectStore, roots: readonly TransferRoot[], options: ClosureOptions = {}): LocalClosure {
  const walk = closureBatches(store, roots, { ...options, batchItems: Infinity });
  const items: PushItem[] = [];
  for (const b of walk.batches) for (const i of b.items) items.push(i);
  return { items, ...walk.result };
}

/**
 * Items a push holds at once, by default: a PushItem with its share of the
 * dedupe set and the pack plan costs ~1 KB, so a million of them was 856 MB.
 */
export const PUSH_BATCH_ITEMS = 50_000;

/** Manifest pages a closure walk keeps for the entry diff of an incremental push (the pages on the changed paths). */
const CLOSURE_PAGE_CACHE_BYTES = 8 * 1024 * 1024;

export interface ClosureBatch {
  readonly items: PushItem[];
  /** no batch follows (the first batch being the last: its sizes are the push's total) */
  readonly last: boolean;
}

/**
 * The closure of `localClosure`, handed out in batches of about `batchItems`
 * items as the manifests are walked, so a caller that sends each batch
 * before asking for the next holds one batch, not the tree. Within a batch
 * every item is listed once; across batches an item can come again (two
 * files with the same content far apart): the caller's remote index, which
 * learns every pack sent, filters those. Pages are remembered for the whole
 * walk (a few per thousand files), so a subtree two roots share is walked once.
 *
 * Entries of a local pack whose other entries have not been met yet are held
 * back for the next batch (up to half a batch of them): a local pack sent
 * whole in one batch keeps its name on the remote (pushObjects.planPacks).
 * `result` is complete once `batches` is exhausted.
 */
export function closureBatches(store: ObjectStore, roots: readonly TransferRoot[], options: ClosureOptions & { batchItems?: number } = {}): { batches: Generator<ClosureBatch>; result: Omit<LocalClosure, 'items'> } {
  const result = { missing: [] as { what: string; hex: string }[], pagesRead: 0, incremental: 0 };
  return { batches: walkBatches(store, roots, options, result), result };
}

function* walkBatches(store: ObjectStore, roots: readonly TransferRoot[], options: ClosureOptions & { batchItems?: number }, result: { missing: { what: string; hex: string }[]; pagesRead: number; incremental: number }): Generator<ClosureBatch> {
  const limit = Math.max(1, options.batchItems ?? PUSH_BATCH_ITEMS);
  const missing = result.missing;
  // Every page read goes through one verified cache: the pages walked for new pages are read again by the entry diff.
  // Bounded well below PageCache's default: a whole walk reads each page once, and its pages must not fill memory.
  const pages = new PageCache(
    {
      readObject: (oid: Oid, what: string): Buffer => {
        result.pagesRead++;
        return store.readObject(oid, what);
      },
    },
    CLOSURE_PAGE_CACHE_BYTES,
  );
  let items: PushItem[] = [];
  // Keyed by the hex strings the items hold anyway: a 'o' + hex key per object was one more string each.
  // Objects and chunk lists of the current batch only; pages for the whole walk.
  let doneObjects = new Set<string>();
  let doneLists = new Set<string>();
  const donePages = new Set<string>();
  let packCounts: Map<string, number> | undefined;
  const isDone = (hex: string): boolean => donePages.has(hex) || doneObjects.has(hex);
  const addObject = (hex: string, meta = false): boolean => {
    if (isDone(hex)) return true;
    const stored = store.entry('object', createOid('sha256', hex));
    // not stored whole: false makes addFile look for a chunk list, and record the object as missing if there is none
    if (!stored) return false;
    items.push({ kind: 'o', hex, size: stored.size, path: stored.path, digest: hex, ...(stored.location.packed ? { offset: stored.location.offset } : {}), ...(meta ? { meta } : {}) });
    (meta ? donePages : doneObjects).add(hex);
    return true;
  };
  const addFile = (oid: Oid, what: string): void => {
    if (doneLists.has(oid.hex) || addObject(oid.hex)) return;
    const path = store.entry('chunklist', oid)?.path;
    let bytes: Buffer | undefined;
    try {
      if (path !== undefined) bytes = readFileSync(path);
    } catch {
      // reported below: the object goes into missing, which the caller raises
    }
    if (path === undefined || bytes === undefined) {
      missing.push({ what, hex: oid.hex });
      return;
    }
    doneLists.add(oid.hex);
    items.push({ kind: 'f', hex: oid.hex, size: bytes.length, path, digest: sha256(bytes), meta: true });
    for (const c of parseChunkList(bytes.toString('utf8'), formatOid(oid))) {
      if (!addObject(c.oid.hex)) missing.push({ what, hex: c.oid.hex });
    }
  };
  /** The items to send now; entries of local packs not yet met whole stay for the next batch. */
  const cut = (last = false): PushItem[] => {
    if (last) return items.splice(0);
    packCounts ??= store.packEntryCounts();
    const groups = new Map<string, number>();
    for (const i of items) if (i.offset !== undefined) groups.set(i.path, (groups.get(i.path) ?? 0) + 1);
    let held = 0;
    for (const [path, n] of groups) {
      if (n < (packCounts.get(path) ?? 0)) held += n;
      else groups.delete(path);
    }
    // At most half a batch held, so the next cut is at least half a batch away.
    const out = held > 0 && held <= limit / 2 ? items.filter((i) => i.offset === undefined || !groups.has(i.path)) : items;
    items = out === items ? [] : items.filter((i) => i.offset !== undefined && groups.has(i.path));
    doneObjects = new Set(items.filter((i) => i.kind === 'o' && !i.meta).map((i) => i.hex));
    doneLists = new Set(items.filter((i) => i.kind === 'f').map((i) => i.hex));
    return out;
  };
  const full = (): boolean => items.length >= limit;

  for (const root of roots) {
    if (root.kind === 'file') {
      addFile(root.oid, root.what);
      if (full()) yield { items: cut(), last: false };
      continue;
    }
    const base = root.select ? undefined : options.base?.(root);
    if (base) {
      const changed = walkChanged(base, root);
      if (changed) {
        result.incremental++;
        // Pages first (what differs is known before any file is listed), then the files in batches.
        yield* changed;
        continue;
      }
    }
    yield* walk(root, root.oid, 0);
  }
  yield { items: cut(true), last: true };

  function* walk(root: TransferRoot, oid: Oid, depth: number): Generator<ClosureBatch> {
    if (isDone(oid.hex)) return;
    if (!addObject(oid.hex, true)) {
      missing.push({ what: root.what, hex: oid.hex });
      return;
    }
    const page = parsePage(pages.readObject(oid, root.what), `${formatOid(oid).slice(0, 19)}… of ${root.what}`, root.what);
    if (page.type === 'node') {
      if (depth < 32) for (const c of page.children) yield* walk(root, c.oid, depth + 1);
    } else {
      for (const e of page.entries) {
        if (e.mode === 'l' || (root.select && !root.select(e.path))) continue;
        addFile(e.oid, `${root.what}/${e.path}`);
        if (full()) yield { items: cut(), last: false };
      }
    }
  }

  /**
   * The pages of `root` that `base` lacks, level by level (a page with the
   * same oid on both sides is the same subtree, on the remote with the base),
   * then the files whose entries differ, as batches to hand out. Undefined when
   * the base cannot be read here (gc removed it): the caller walks the whole
   * tree. Nothing is recorded before it is decided.
   */
  function walkChanged(base: Oid, root: TransferRoot): Generator<ClosureBatch> | undefined {
    let a: Oid[] = [base];
    let b: Oid[] = [root.oid];
    const read = (o: Oid): ReturnType<typeof parsePage> | undefined => {
      try {
        return parsePage(pages.readObject(o, root.what), `${formatOid(o).slice(0, 19)}… of ${root.what}`, root.what);
      } catch (err) {
        if (isTroveError(err, 'OBJECT_MISSING')) return undefined;
        throw err;
      }
    };
    if (!read(base)) return undefined;
    const newPages: Oid[] = [];
    const addPage = (o: Oid): void => {
      if (!isDone(o.hex) && !addObject(o.hex, true)) missing.push({ what: root.what, hex: o.hex });
    };
    for (let depth = 0; b.length > 0 && depth <= 32; depth++) {
      const inA = new Set(a.map((o) => o.hex));
      const inB = new Set(b.map((o) => o.hex));
      a = a.filter((o) => !inB.has(o.hex));
      b = b.filter((o) => !inA.has(o.hex));
      const pa = a.map(read);
      if (pa.some((p) => p === undefined)) return undefined;
      const pb = b.map(read);
      // Leaves on either side, or trees of different heights: the rest of the new side is walked
      // whole below its differing pages (a superset, never less), and entries come from the walk.
      if (![...pa, ...pb].every((p) => p?.type === 'node')) {
        if (pa.every((p) => p?.type === 'leaf') && pb.every((p) => p?.type === 'leaf')) break;
        const rest = b;
        const at = depth;
        return (function* () {
          for (const o of newPages) addPage(o);
          for (const o of rest) yield* walk(root, o, at);
        })();
      }
      newPages.push(...b);
      a = pa.flatMap((p) => (p?.type === 'node' ? p.children.map((c) => c.oid) : []));
      b = pb.flatMap((p) => (p?.type === 'node' ? p.children.map((c) => c.oid) : []));
    }
    let changed: ManifestEntry[];
    try {
      changed = diffManifests(pages, base, root.oid, root.what).to;
    } catch (err) {
      if (isTroveError(err, 'OBJECT_MISSING')) return undefined;
      throw err;
    }
    const leaves = b;
    return (function* () {
      // The differing leaves of the new side are new pages; their differing entries are the files to send.
      for (const o of [...newPages, ...leaves]) addPage(o);
      for (const e of changed) {
        if (e.mode === 'l') continue;
        addFile(e.oid, `${root.what}/${e.path}`);
        if (full()) yield { items: cut(), last: false };
      }
    })();
  }
}

export { FETCH_FILE_BATCH, fetchClosure } from './fetchClosure.js';
