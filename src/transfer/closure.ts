import { readFileSync } from 'node:fs';
import { parsePage, type ManifestEntry } from '../core/manifest.js';
import { createOid, formatOid, type Oid } from '../core/oid.js';
import type { Reporter } from '../core/Reporter.js';
import { parseChunkList } from '../store/chunkList.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import type { Backend } from '../remote/Backend.js';
import { fetchObjects, type FetchStats, type FetchWant } from './fetchObjects.js';
import type { PushItem } from './pushObjects.js';
import type { RemoteIndex } from './RemoteIndex.js';
import { sha256 } from './RemoteIndex.js';
import type { RetryPolicy } from './withRetries.js';

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
}

/** Every store file the roots need, as far as the local store has them. */
export function localClosure(store: ObjectStore, roots: readonly TransferRoot[]): LocalClosure {
  const items: PushItem[] = [];
  const missing: { what: string; hex: string }[] = [];
  const done = new Set<string>();
  const addObject = (hex: string, meta = false): boolean => {
    if (done.has('o' + hex)) return true;
    const stored = store.entry('object', createOid('sha256', hex));
    // not stored whole: false makes addFile look for a chunk list, and record the object as missing if there is none
    if (!stored) return false;
    items.push({ kind: 'o', hex, size: stored.size, path: stored.path, digest: hex, ...(stored.location.packed ? { offset: stored.location.offset } : {}), ...(meta ? { meta } : {}) });
    done.add('o' + hex);
    return true;
  };
  const addFile = (oid: Oid, what: string): void => {
    if (done.has('f' + oid.hex) || addObject(oid.hex)) return;
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
    done.add('f' + oid.hex);
    items.push({ kind: 'f', hex: oid.hex, size: bytes.length, path, digest: sha256(bytes), meta: true });
    for (const c of parseChunkList(bytes.toString('utf8'), formatOid(oid))) {
      if (!addObject(c.oid.hex)) missing.push({ what, hex: c.oid.hex });
    }
  };
  for (const root of roots) {
    if (root.kind === 'file') {
      addFile(root.oid, root.what);
      continue;
    }
    const walk = (oid: Oid, depth: number): void => {
      if (done.has('o' + oid.hex)) return;
      if (!addObject(oid.hex, true)) {
        missing.push({ what: root.what, hex: oid.hex });
        return;
      }
      const page = parsePage(store.readObject(oid, root.what), `${formatOid(oid).slice(0, 19)}… of ${root.what}`, root.what);
      if (page.type === 'node') {
        if (depth < 32) for (const c of page.children) walk(c.oid, depth + 1);
      } else {
        for (const e of page.entries) if (e.mode !== 'l' && (!root.select || root.select(e.path))) addFile(e.oid, `${root.what}/${e.path}`);
      }
    };
    walk(root.oid, 0);
  }
  return { items, missing };
}

/**
 * Fetch what the roots need, level by level: manifest pages (the tree's
 * shape is only known once its upper pages are here), then file contents,
 * then the chunks named by fetched chunk lists. Each level is one batched,
 * parallel fetch; content already in the store is never requested.
 */
export async function fetchClosure(backend: Backend, index: RemoteIndex, store: ObjectStore, roots: readonly TransferRoot[], options: { jobs: number; policy: RetryPolicy; reporter: Reporter; pagesOnly?: boolean }): Promise<FetchStats> {
  const stats: FetchStats = { objects: 0, bytes: 0, requests: 0, failed: [] };
  const run = (wants: FetchWant[]): Promise<void> => (wants.length ? fetchObjects(backend, index, store, wants, { ...options, stats }) : Promise.resolve());

  // Level by level through directory pages.
  const files: { oid: Oid; what: string }[] = [];
  let pages: { oid: Oid; root: TransferRoot }[] = [];
  for (const r of roots) {
    if (r.kind === 'file') files.push({ oid: r.oid, what: r.what });
    else pages.push({ oid: r.oid, root: r });
  }
  const seenPages = new Set<string>();
  for (let depth = 0; pages.length > 0 && depth <= 32; depth++) {
    pages = pages.filter((p) => !seenPages.has(p.oid.hex) && seenPages.add(p.oid.hex));
    await run(pages.filter((p) => !store.hasObject(p.oid)).map((p) => ({ kind: 'o', hex: p.oid.hex, what: p.root.what })));
    const next: typeof pages = [];
    for (const p of pages) {
      if (!store.hasObject(p.oid)) continue; // reported as failed by fetchObjects
      const page = parsePage(store.readObject(p.oid, p.root.what), `${formatOid(p.oid).slice(0, 19)}… of ${p.root.what}`, p.root.what);
      if (page.type === 'node') for (const c of page.children) next.push({ oid: c.oid, root: p.root });
      else for (const e of page.entries as ManifestEntry[]) if (e.mode !== 'l' && (!p.root.select || p.root.select(e.path))) files.push({ oid: e.oid, what: `${p.root.what}/${e.path}` });
    }
    pages = next;
  }
  // A merge needs the directory versions' shape, not their content.
  if (options.pagesOnly) return stats;

  // File contents: whole objects, or chunk lists (then their chunks).
  const wants: FetchWant[] = [];
  const lists: { oid: Oid; what: string }[] = [];
  const seenFiles = new Set<string>();
  for (const f of files) {
    if (seenFiles.has(f.oid.hex)) continue;
    seenFiles.add(f.oid.hex);
    if (store.hasObject(f.oid)) continue;
    const localList = store.readChunkList(f.oid);
    if (localList) lists.push(f);
    else if (index.has('o', f.oid.hex)) wants.push({ kind: 'o', hex: f.oid.hex, what: f.what });
    else if (index.has('f', f.oid.hex)) {
      wants.push({ kind: 'f', hex: f.oid.hex, what: f.what });
      lists.push(f);
    } else stats.failed.push({ what: f.what, hex: f.oid.hex, message: `not on the remote ${backend.display}` });
  }
  // Chunk lists first (small), so the bar's total includes the chunks they name:
  // a total of whole objects and lists only showed `500 MiB/136 KiB` for a large chunked file.
  await run(wants.filter((w) => w.kind === 'f'));
  const contentWants = wants.filter((w) => w.kind === 'o');
  for (const f of lists) {
    const chunks = store.readChunkList(f.oid);
    if (!chunks) continue; // its fetch failed and was reported
    for (const c of chunks) if (!store.hasObject(c.oid)) contentWants.push({ kind: 'o', hex: c.oid.hex, what: f.what });
  }
  const counted = new Set<string>(); // a chunk shared by two files is fetched once
  let total = 0;
  for (const w of contentWants) {
    if (counted.has(w.hex)) continue;
    counted.add(w.hex);
    total += index.locate(w.kind, w.hex)?.entry.length ?? 0;
  }
  options.reporter.start('fetch', total || undefined, 'bytes');
  await run(contentWants);
  options.reporter.end();
  return stats;
}
