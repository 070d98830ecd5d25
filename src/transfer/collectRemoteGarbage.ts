import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import { parsePage, type ManifestEntry } from '../core/manifest.js';
import { serializePackIndex, type PackEntry } from '../core/packIndex.js';
import { formatOid, type Oid } from '../core/oid.js';
import type { Reporter } from '../core/Reporter.js';
import { bufferBody, type Backend } from '../remote/Backend.js';
import { CONTENT_NAMED, indexKey, packKey, PACK_LIST_KEY, PACKS_PREFIX, packNamesFromListing } from '../remote/remoteLayout.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import { mapLimit } from '../util/mapLimit.js';
import type { TransferRoot } from './closure.js';
import { removeStaleUploads, STALE_TEMP_MS } from './removeStaleUploads.js';
import { fetchObjects, type FetchStats, type FetchWant } from './fetchObjects.js';
import type { RemoteIndex } from './RemoteIndex.js';
import { clearPushedRoots } from './pushedRoots.js';
import { sha256 } from './RemoteIndex.js';
import { withRetries, type RetryPolicy } from './withRetries.js';

export interface RemoteGcOptions {
  readonly dryRun: boolean;
  /** packs (and orphan packs) modified less than this long ago are never touched: a push may be under way */
  readonly graceMs: number;
  readonly jobs: number;
  readonly policy: RetryPolicy;
  readonly reporter: Reporter;
  /** directory of the local copies of this remote's pack indexes (pruned along with the remote) */
  readonly indexCacheDir?: string;
  readonly now?: number;
  /**
   * pointer versions recent pushes claimed (pushClaims.ts), live like `roots`;
   * but a page missing below one of them does not stop gc: a push writes its
   * claim only after sending every page it had, so such a version cannot be
   * fetched from this remote by anyone, and what is readable of it is kept
   */
  readonly claims?: readonly TransferRoot[];
  /** called before every deletion: throws when the exclusive lock may have lapsed (RemoteLock.assertHeld) */
  readonly guard?: () => void;
  /** temp uploads untouched this long are a killed push's (default STALE_TEMP_MS) */
  readonly tempAgeMs?: number;
}

export interface RemoteGcOutcome {
  readonly dryRun: boolean;
  readonly packs: number;
  /** objects and chunk lists the live pointers need that the remote holds */
  readonly liveObjects: number;
  readonly deadObjects: number;
  /** packs in which nothing is live: removed whole */
  readonly deletedPacks: string[];
  /** packs mostly dead: their live entries moved to a new pack, then removed */
  readonly repackedPacks: { readonly from: string; readonly to: string; readonly kept: number }[];
  /** packs without an index (interrupted pushes) older than the grace period: removed */
  readonly orphanPacks: string[];
  /** temp uploads of killed pushes (directory and SFTP remotes' tmp/): removed */
  readonly tempFiles: string[];
  /** packs with dead content left alone because they are younger than the grace period */
  readonly youngPacks: string[];
  /** packs whose live entries did not verify while re-packing: left alone (run fsck -r) */
  readonly skipped: { readonly pack: string; readonly reason: string }[];
  /** bytes the remote holds less afterwards (removed minus re-packed) */
  readonly freedBytes: number;
  readonly requests: number;
}

/** A pack is re-packed when less than this share of its bytes is live; otherwise dead bytes stay (cheaper than a rewrite). */
const REPACK_BELOW = 0.5;

/**
 * Remove from a remote what no live pointer needs. The live set is computed
 * from `roots` (every pointer in every ref, reflog, the index and the work
 * tree): their manifest pages and chunk lists are read locally or fetched
 * (they are small), so the walk is exact. Then per pack: nothing live → the
 * index goes first (the pack becomes invisible), then the data; mostly dead →
 * live entries are verified and written to a new pack + index before the old
 * index and pack go. At no point does an index name bytes that are absent,
 * and a crash between steps leaves at worst a duplicate or an orphan pack.
 *
 * What gc cannot know it does not delete: a page below a live root that is
 * neither here nor on the remote stops it before any deletion, and anything
 * younger than the grace period (a concurrent push whose commit this clone
 * has not seen) is left alone.
 */
export async function collectRemoteGarbage(backend: Backend, index: RemoteIndex, store: ObjectStore, roots: readonly TransferRoot[], options: RemoteGcOptions): Promise<RemoteGcOutcome> {
  if (backend.readOnly && !options.dryRun) {
    throw new TroveError('PERMISSION', `The remote ${backend.display} is read-only; gc -r cannot remove anything from it.`, { hint: 'Run it against a writable URL of the same storage, or use --dry-run to see what is unused.' });
  }
  const now = options.now ?? Date.now();
  let requests = 0;
  const live = await liveKeys(backend, index, store, roots, options.claims ?? [], options);
  requests += live.requests;

  const deletedPacks: string[] = [];
  const repackedPacks: { from: string; to: string; kept: number }[] = [];
  const youngPacks: string[] = [];
  const skipped: { pack: string; reason: string }[] = [];
  let freedBytes = 0;
  let liveObjects = 0;
  let deadObjects = 0;
  const isYoung = (key: string): boolean => {
    const t = index.listedKeys.get(key)?.mtime;
    // No mtime (a backend that cannot say): treat as new, never as old.
    return t === undefined || now - t < options.graceMs;
  };
  const idxSize = (name: string): number => index.listedKeys.get(indexKey(name))?.size ?? 0;
  const del = async (key: string): Promise<void> => {
    options.guard?.();
    requests++;
    await withRetries(() => backend.delete(key), options.policy).catch((err: unknown) => {
      throw new TroveError('REMOTE', `Could not remove ${key} from ${backend.display}: ${(err as Error).message.replace(/\.$/, '')}.`, { hint: 'Run trove gc -r again; what was removed stays removed and nothing live was touched.', cause: err });
    });
  };

  const plan: { name: string; size: number; entries: PackEntry[]; keep: PackEntry[] }[] = [];
  for (const [name, p] of index.packs) {
    const entries = p.entries();
    // Only the copy the index resolves to is live: a duplicate from concurrent pushers is dead weight.
    const keep = entries.filter((e) => live.keys.has(e.kind + e.hex) && index.locate(e.kind, e.hex)?.pack === name);
    liveObjects += keep.length;
    deadObjects += entries.length - keep.length;
    if (keep.length === entries.length) continue;
    if (isYoung(indexKey(name))) {
      youngPacks.push(name);
      continue;
    }
    plan.push({ name, size: p.size, entries, keep });
  }

  const total = plan.reduce((s, p) => s + p.size, 0);
  options.reporter.start(options.dryRun ? 'gc -r (dry run)' : 'gc -r', total || undefined, 'bytes');
  // Two at a time: a re-pack holds a whole pack (at most 64 MiB) in memory.
  await mapLimit(plan, Math.min(2, options.jobs), async (p) => {
    const liveBytes = p.keep.reduce((s, e) => s + e.length, 0);
    if (p.keep.length === 0) {
      if (!options.dryRun) {
        await del(indexKey(p.name));
        await del(packKey(p.name));
      }
      deletedPacks.push(p.name);
      freedBytes += p.size + idxSize(p.name);
    } else if (liveBytes < p.size * REPACK_BELOW) {
      if (options.dryRun) {
        repackedPacks.push({ from: p.name, to: '', kept: p.keep.length });
        freedBytes += p.size - liveBytes;
      } else {
        requests++;
        const data = await withRetries(() => backend.get(packKey(p.name)), options.policy);
        const bad = p.keep.find((e) => sha256(data.subarray(e.offset, e.offset + e.length)) !== e.digest);
        if (bad || data.length !== p.size) {
          skipped.push({ pack: p.name, reason: bad ? `${bad.kind === 'f' ? 'chunk list' : 'object'} ${bad.hex.slice(0, 12)}… does not match its digest` : `it is ${data.length} bytes, its index says ${p.size}` });
          options.reporter.advance(p.size);
          return;
        }
        const { text } = serializePackIndex(p.keep.map((e) => ({ kind: e.kind, hex: e.hex, length: e.length, digest: e.digest })));
        const to = sha256(Buffer.from(text));
        const body = Buffer.concat(p.keep.map((e) => data.subarray(e.offset, e.offset + e.length)));
        // New data, then its index, and only then the old index and data: the objects are never unindexed.
        options.guard?.();
        requests += 2;
        await withRetries(() => backend.put(packKey(to), bufferBody(body), CONTENT_NAMED), options.policy);
        await withRetries(() => backend.put(indexKey(to), bufferBody(Buffer.from(text)), CONTENT_NAMED), options.policy);
        await del(indexKey(p.name));
        await del(packKey(p.name));
        repackedPacks.push({ from: p.name, to, kept: p.keep.length });
        freedBytes += p.size + idxSize(p.name) - body.length - Buffer.byteLength(text);
      }
    }
    options.reporter.advance(p.size);
  });
  options.reporter.end();

  const stale = await removeStaleUploads(backend, index, { now, tempAgeMs: options.tempAgeMs ?? STALE_TEMP_MS, orphanAgeMs: options.graceMs, dryRun: options.dryRun, policy: options.policy, ...(options.guard ? { guard: options.guard } : {}) });
  requests += stale.requests;
  freedBytes += stale.bytes;
  const orphanPacks = stale.orphanPacks;

  const changed = deletedPacks.length + repackedPacks.length + orphanPacks.length > 0;
  if (changed && !options.dryRun) {
    if (options.indexCacheDir) {
      for (const n of [...deletedPacks, ...repackedPacks.map((r) => r.from)]) {
        rmSync(join(options.indexCacheDir, `${n}.tidx`), { force: true });
        rmSync(join(options.indexCacheDir, `${n}.idx`), { force: true });
      }
      // What a pushed-root marker vouched for may be what was just deleted.
      clearPushedRoots(options.indexCacheDir);
    }
    if (backend.canList) {
      // HTTP readers find packs through this list: it must stop naming what is gone.
      requests += 2;
      const names = packNamesFromListing((await withRetries(() => backend.list(PACKS_PREFIX), options.policy)).map((e) => e.key));
      await withRetries(() => backend.put(PACK_LIST_KEY, bufferBody(Buffer.from(names.map((n) => n + '\n').join('')))), options.policy);
    }
  }
  return { dryRun: options.dryRun, packs: index.packs.size, liveObjects, deadObjects, deletedPacks, repackedPacks, orphanPacks, tempFiles: stale.tempFiles, youngPacks, skipped, freedBytes, requests };
}

/**
 * Keys (`o<hex>` / `f<hex>`) of every remote entry the roots need. Pages and
 * chunk lists missing locally are fetched (verified, into the store); a live
 * root that exists nowhere is skipped (nothing of it can be found), but a
 * missing page *below* a readable root stops gc: its files are unknown.
 */
async function liveKeys(backend: Backend, index: RemoteIndex, store: ObjectStore, roots: readonly TransferRoot[], claims: readonly TransferRoot[], options: RemoteGcOptions): Promise<{ keys: Set<string>; requests: number }> {
  const keys = new Set<string>();
  const stats: FetchStats = { objects: 0, bytes: 0, requests: 0, failed: [] };
  const fetch = async (wants: FetchWant[]): Promise<void> => {
    if (wants.length === 0) return;
    await fetchObjects(backend, index, store, wants, { jobs: options.jobs, policy: options.policy, reporter: options.reporter, stats });
    if (stats.failed.length) {
      const f = stats.failed[0]!;
      throw new TroveError('REMOTE', `gc -r stopped without deleting anything: ${f.what} needs ${f.hex.slice(0, 12)}…, which could not be read from ${backend.display} (${f.message.replace(/\.$/, '')}).`, {
        hint: 'Run trove fsck -r REMOTE to check the remote, then run gc -r again.',
      });
    }
  };
  const files: { oid: Oid; what: string }[] = [];
  let level: { oid: Oid; what: string; root: boolean; lenient: boolean }[] = [];
  for (const [list, lenient] of [[roots, false], [claims, true]] as const) {
    for (const r of list) {
      if (r.kind === 'file') files.push({ oid: r.oid, what: r.what });
      else level.push({ oid: r.oid, what: r.what, root: true, lenient });
    }
  }
  // A page first met below a claim is met again below a ref: there, a missing page stops gc.
  const seen = new Set<string>();
  const seenStrict = new Set<string>();
  // No depth limit: pages are named by their hash, so the walk cannot cycle, and a
  // page below a limit would be walked by nobody, its files taken for dead.
  while (level.length > 0) {
    level = level.filter((p) => (p.lenient ? !seen.has(p.oid.hex) : !seenStrict.has(p.oid.hex) && Boolean(seenStrict.add(p.oid.hex))) && Boolean(seen.add(p.oid.hex)));
    await fetch(level.filter((p) => !store.hasObject(p.oid) && index.has('o', p.oid.hex)).map((p) => ({ kind: 'o', hex: p.oid.hex, what: p.what })));
    const next: typeof level = [];
    for (const p of level) {
      keys.add('o' + p.oid.hex);
      if (!store.hasObject(p.oid)) {
        if (p.root || p.lenient) continue; // this version was never stored anywhere that gc can see: none of its content is findable
        throw new TroveError('BAD_MANIFEST', `gc -r stopped without deleting anything: a manifest page ${formatOid(p.oid).slice(0, 19)}… of ${p.what} is neither in the local store nor on ${backend.display}.`, {
          hint: 'Run trove fsck and trove fsck -r REMOTE; gc -r runs once every live directory version can be read.',
          data: { path: p.what },
        });
      }
      const page = parsePage(store.readObject(p.oid, p.what), `${formatOid(p.oid).slice(0, 19)}… of ${p.what}`, p.what);
      if (page.type === 'node') for (const c of page.children) next.push({ oid: c.oid, what: p.what, root: false, lenient: p.lenient });
      else for (const e of page.entries as ManifestEntry[]) if (e.mode !== 'l') files.push({ oid: e.oid, what: `${p.what}/${e.path}` });
    }
    level = next;
  }
  // Chunked files: their chunk lists (fetched when only the remote has them) name the chunks.
  const lists: { oid: Oid; what: string }[] = [];
  const wants: FetchWant[] = [];
  for (const f of files) {
    if (keys.has('o' + f.oid.hex) || keys.has('f' + f.oid.hex)) continue;
    keys.add('o' + f.oid.hex);
    keys.add('f' + f.oid.hex);
    if (index.has('f', f.oid.hex) || store.readChunkList(f.oid)) {
      lists.push(f);
      if (!store.readChunkList(f.oid)) wants.push({ kind: 'f', hex: f.oid.hex, what: f.what });
    }
  }
  await fetch(wants);
  for (const f of lists) for (const c of store.readChunkList(f.oid) ?? []) keys.add('o' + c.oid.hex);
  return { keys, requests: stats.requests };
}
