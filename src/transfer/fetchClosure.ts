import { parsePage, type ManifestEntry } from '../core/manifest.js';
import { formatOid, type Oid } from '../core/oid.js';
import type { Reporter } from '../core/Reporter.js';
import { fromFsError } from '../errors/index.js';
import type { Backend } from '../remote/Backend.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import type { PackWriter } from '../store/pack/PackWriter.js';
import { envInteger } from '../util/envInteger.js';
import type { TransferRoot } from './closure.js';
import { fetchObjects, type FetchPacking, type FetchStats, type FetchWant } from './fetchObjects.js';
import type { RemoteIndex } from './RemoteIndex.js';
import type { RetryPolicy } from './withRetries.js';

/** Fetched manifest pages of one level are packed from this many on. */
const PAGE_PACK_MIN = 3;

/**
 * Files whose contents are planned and fetched at once (TROVE_FETCH_FILE_BATCH).
 * The plan (files, wants, located entries, spans) holds ~1 KB per file, and
 * V8 lets its heap grow to 3–4 times what is live before it collects: at
 * 200,000 files, `trove fetch` peaked at 386 MB RSS in batches of 100,000,
 * 314 MB in 50,000, 261 MB in 20,000 and 226 MB in 5,000, in the same time
 * (the batches share one pack writer, so their number costs no packs).
 */
export const FETCH_FILE_BATCH = 20_000;

/**
 * Fetch what the roots need, level by level: manifest pages (the tree's
 * shape is only known once its upper pages are here), then file contents,
 * then the chunks named by fetched chunk lists. Each level is one batched,
 * parallel fetch; content already in the store is never requested. File
 * contents go in batches of `fileBatch` files (leaf pages are read again per
 * batch), so memory does not grow with the tree; they all go into one pack
 * writer (full packs as the fetch goes, one partial pack at its end).
 */
export async function fetchClosure(backend: Backend, index: RemoteIndex, store: ObjectStore, roots: readonly TransferRoot[], options: { jobs: number; policy: RetryPolicy; reporter: Reporter; pagesOnly?: boolean; packs?: FetchPacking; fileBatch?: number }): Promise<FetchStats & { batches: number }> {
  const stats: FetchStats & { batches: number } = { objects: 0, bytes: 0, requests: 0, failed: [], batches: 0 };
  const run = (wants: FetchWant[], packMin?: number, packs?: FetchPacking): Promise<void> => (wants.length ? fetchObjects(backend, index, store, wants, { ...options, stats, ...(packMin ? { packMin } : {}), ...(packs ? { packs } : {}) }) : Promise.resolve());
  // The contents of every batch go into one writer: a writer per batch sealed a partial pack per batch, and 50 of them
  // (1M files in batches of 20,000) would start an automatic repack. It remembers the entries of its open pack only
  // (forgetSealed: the set was ~100 B an object), and fetchObjects lists the packs it sealed after each batch, so the
  // next batch finds their objects in the store and the open pack's with has().
  let shared: PackWriter | undefined;
  const contentPacks = (wants: number): FetchPacking | undefined => {
    if (options.packs) return options.packs;
    if (!shared && wants >= store.packMinObjects && store.packMaxObject > 0) shared = store.packWriter({ forgetSealed: true });
    // finish() after the last batch only (below): a batch's own FetchSink.finish must not seal a partial pack.
    const writer = shared;
    return writer && { writer: { append: (kind, hex, bytes) => writer.append(kind, hex, bytes), finish: () => [] }, maxObject: store.packMaxObject };
  };
  const sealShared = (): void => {
    try {
      shared?.finish();
    } catch (err) {
      throw fromFsError(err, 'sealing a local pack in', store.dir);
    } finally {
      if (shared) store.packs.refresh();
    }
  };

  // Level by level through directory pages; leaves are only remembered (their entries are read per batch below).
  const files: { oid: Oid; what: string }[] = [];
  const leaves: { oid: Oid; root: TransferRoot }[] = [];
  let pages: { oid: Oid; root: TransferRoot }[] = [];
  for (const r of roots) {
    if (r.kind === 'file') files.push({ oid: r.oid, what: r.what });
    else pages.push({ oid: r.oid, root: r });
  }
  const seenPages = new Set<string>();
  let estimate = 0;
  for (let depth = 0; pages.length > 0 && depth <= 32; depth++) {
    pages = pages.filter((p) => !seenPages.has(p.oid.hex) && seenPages.add(p.oid.hex));
    // A level's pages in one local pack as soon as that saves files (a pack is two).
    await run(pages.filter((p) => !store.hasObject(p.oid)).map((p) => ({ kind: 'o', hex: p.oid.hex, what: p.root.what })), PAGE_PACK_MIN);
    const next: typeof pages = [];
    for (const p of pages) {
      if (!store.hasObject(p.oid)) continue; // reported as failed by fetchObjects
      const page = parsePage(store.readObject(p.oid, p.root.what), `${formatOid(p.oid).slice(0, 19)}… of ${p.root.what}`, p.root.what);
      if (page.type === 'node') for (const c of page.children) next.push({ oid: c.oid, root: p.root });
      else {
        leaves.push(p);
        // The bar's total when the contents take several batches: what the store lacks, by the entries' sizes (a content two files share counts twice).
        if (!options.pagesOnly) for (const e of page.entries as ManifestEntry[]) if (e.mode !== 'l' && (!p.root.select || p.root.select(e.path)) && !store.hasObject(e.oid)) estimate += e.size;
      }
    }
    pages = next;
  }
  // A merge needs the directory versions' shape, not their content.
  if (options.pagesOnly) return stats;

  const limit = Math.max(1, options.fileBatch ?? envInteger(process.env, 'TROVE_FETCH_FILE_BATCH', FETCH_FILE_BATCH, { min: 1, max: Number.MAX_SAFE_INTEGER }));
  let started = false;
  const flush = async (last: boolean): Promise<void> => {
    const batch = files.splice(0);
    if (batch.length === 0 && (started || !last)) return;
    stats.batches++;
    await fetchFiles(batch, last && !started);
  };
  // One bar for the whole fetch: its total is exact when everything fits one batch, else the estimate above (an upper bound).
  const fetchFiles = async (batch: { oid: Oid; what: string }[], only: boolean): Promise<void> => {
    // File contents: whole objects, or chunk lists (then their chunks).
    const wants: FetchWant[] = [];
    const lists: { oid: Oid; what: string }[] = [];
    const seenFiles = new Set<string>(); // a later batch finds what an earlier one stored (hasObject)
    let total = 0;
    for (const f of batch) {
      if (seenFiles.has(f.oid.hex)) continue;
      seenFiles.add(f.oid.hex);
      if (store.hasObject(f.oid) || shared?.has('o', f.oid.hex)) continue;
      // The remote's whole object first: looking for a local chunk list first cost a failed read per file.
      const whole = index.locate('o', f.oid.hex);
      if (whole) {
        wants.push({ kind: 'o', hex: f.oid.hex, what: f.what });
        total += whole.entry.length;
      } else if (store.readChunkList(f.oid)) lists.push(f);
      else if (index.has('f', f.oid.hex)) {
        wants.push({ kind: 'f', hex: f.oid.hex, what: f.what });
        lists.push(f);
      } else stats.failed.push({ what: f.what, hex: f.oid.hex, message: `not on the remote ${backend.display}` });
    }
    // Chunk lists first (small), so the bar's total includes the chunks they name:
    // a total of whole objects and lists only showed `500 MiB/136 KiB` for a large chunked file.
    await run(wants.filter((w) => w.kind === 'f'));
    const contentWants = wants.filter((w) => w.kind === 'o');
    const counted = new Set<string>(); // a chunk shared by two files is fetched once
    for (const f of lists) {
      const chunks = store.readChunkList(f.oid);
      if (!chunks) continue; // its fetch failed and was reported
      for (const c of chunks) {
        if (store.hasObject(c.oid)) continue;
        contentWants.push({ kind: 'o', hex: c.oid.hex, what: f.what });
        if (counted.has(c.oid.hex)) continue;
        counted.add(c.oid.hex);
        total += index.locate('o', c.oid.hex)?.entry.length ?? 0;
      }
    }
    if (!started) options.reporter.start('fetch', (only ? total : estimate) || undefined, 'bytes');
    started = true;
    await run(contentWants, undefined, contentPacks(contentWants.length));
  };
  try {
    for (const leaf of leaves) {
      const page = parsePage(store.readObject(leaf.oid, leaf.root.what), `${formatOid(leaf.oid).slice(0, 19)}… of ${leaf.root.what}`, leaf.root.what);
      if (page.type !== 'leaf') continue; // read as a leaf above
      for (const e of page.entries as ManifestEntry[]) {
        if (e.mode === 'l' || (leaf.root.select && !leaf.root.select(e.path))) continue;
        files.push({ oid: e.oid, what: `${leaf.root.what}/${e.path}` });
        if (files.length >= limit) await flush(false);
      }
    }
    await flush(true);
    sealShared();
  } catch (err) {
    // What was verified and appended is kept (a retry skips it), as a batch's own writer keeps it; the first error is the one reported.
    try {
      sealShared();
    } catch {
      // the pack's temps are removed by the failed seal: its objects are fetched again next time
    }
    throw err;
  } finally {
    if (started) options.reporter.end();
  }
  return stats;
}
