import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import { parsePackIndex, type PackEntry, type PackEntryKind } from '../core/packIndex.js';
import { encodeLocalPackIndex, parseTidxHead, TIDX_HEAD_BYTES } from '../core/localPackIndex.js';
import type { Backend, RemoteEntry } from '../remote/Backend.js';
import { checkRemoteFormat, indexKey, PACK_LIST_KEY, PACKS_PREFIX, packNamesFromListing } from '../remote/remoteLayout.js';
import { atomicWriteSync } from '../util/atomicWriteSync.js';
import { mapLimit } from '../util/mapLimit.js';
import { withRetries, type RetryPolicy } from './withRetries.js';
import { BUCKET_CACHE_BYTES, compareAt, listsOf, openCached, RemotePack, searchBucket, type Bucket } from './RemotePack.js';

export { BUCKET_CACHE_BYTES, RemotePack } from './RemotePack.js';

export interface Located {
  readonly pack: string;
  readonly entry: PackEntry;
}

/**
 * What a remote holds: the union of its pack indexes. Indexes are immutable
 * and named by their own sha256, so each is fetched once, verified against
 * its name, and converted into a cached binary index sorted by object
 * (`<name>.tidx`, the local pack index format of core/localPackIndex.ts) kept for good. Loading a
 * remote costs one listing, the indexes pushed since last time, and a
 * streaming hash of each cached file (a rotted cache is rebuilt, never
 * believed: a wrong "the remote has it" would make a push skip data).
 * Memory is O(packs): a lookup reads one fan-out bucket per pack with a
 * pread and bisects it; buckets are kept up to BUCKET_CACHE_BYTES.
 */
export class RemoteIndex {
  readonly packs = new Map<string, RemotePack>();
  /** sizes of packs/*.pack as listed (only for remotes that can list), including packs whose index never arrived */
  readonly listedPacks = new Map<string, number>();
  /** every listed key below packs/ (size, and mtime where the backend reports it: gc -r's grace period) */
  readonly listedKeys = new Map<string, RemoteEntry>();
  /** indexes that could not be read or did not verify: their objects count as absent (a push rewrites them) */
  readonly badIndexes: { name: string; message: string }[] = [];
  requests = 0;
  /** fan-out buckets read so far (what a lookup costs in preads; tests count it) */
  bucketReads = 0;
  /** buckets kept in memory, oldest first (from keptHead) */
  private readonly kept: { pack: RemotePack; b: number }[] = [];
  private keptHead = 0;
  private bucketBytes = 0;
  /** pack order of lookups: the listing's (a duplicate from concurrent pushers resolves to the first) */
  private order: RemotePack[] = [];

  private constructor(
    readonly backend: Backend,
    readonly hasMarker: boolean,
    private readonly cacheDir: string,
    private readonly bucketBudget: number,
  ) {}

  static async load(backend: Backend, cacheDir: string, options: { jobs: number; policy: RetryPolicy; bucketCacheBytes?: number }): Promise<RemoteIndex> {
    const marker = await withRetries(() => checkRemoteFormat(backend), options.policy);
    const index = new RemoteIndex(backend, marker, cacheDir, options.bucketCacheBytes ?? BUCKET_CACHE_BYTES);
    index.requests++;
    let names: string[];
    if (backend.canList) {
      const listing = await withRetries(() => backend.list(PACKS_PREFIX), options.policy);
      index.requests += Math.max(1, Math.ceil(listing.length / 1000));
      for (const e of listing) {
        const m = /^packs\/([0-9a-f]{64})\.pack$/.exec(e.key);
        if (m) index.listedPacks.set(m[1]!, e.size);
        index.listedKeys.set(e.key, e);
      }
      names = packNamesFromListing(listing.map((e) => e.key));
    } else {
      names = await readPackList(backend, options.policy);
      index.requests++;
    }
    const loaded = new Map<string, RemotePack>();
    await mapLimit(names, options.jobs, async (name) => {
      try {
        loaded.set(name, await index.openPack(name, options.policy));
      } catch (err) {
        if (!(err instanceof TroveError) || (err.code !== 'CORRUPT_OBJECT' && err.code !== 'BAD_MANIFEST' && err.code !== 'NOT_FOUND')) throw err;
        index.badIndexes.push({ name, message: err.message });
      }
    });
    for (const name of names) {
      const p = loaded.get(name);
      if (p) index.register(p);
    }
    return index;
  }

  /** The cached binary index of a pack, verified; else the remote's text index, verified, converted and cached. */
  private async openPack(name: string, policy: RetryPolicy): Promise<RemotePack> {
    const cached = join(this.cacheDir, `${name}.tidx`);
    try {
      const pack = openCached(cached, name);
      if (pack) return pack;
    } catch (err) {
      if (!(err instanceof TroveError)) throw err;
      // a newer or damaged cache file: rebuilt from the remote below
    }
    const text = await this.readIndex(name, policy);
    const parsed = parsePackIndex(text, `${indexKey(name)} on ${this.backend.display}`);
    return this.cachePack(name, parsed.entries, parsed.size);
  }

  /** Encode and cache a verified index; kept in memory when the cache cannot be written. */
  private cachePack(name: string, entries: readonly PackEntry[], size: number): RemotePack {
    // The local index is strictly sorted: a (kind, oid) a hand-made index lists twice keeps its first entry.
    const seen = new Set<string>();
    const unique = entries.filter((e) => !seen.has(e.kind + e.hex) && seen.add(e.kind + e.hex));
    const data = encodeLocalPackIndex({ packSize: size, packSha256: UNKNOWN_PACK_SHA256, entries: unique });
    const file = join(this.cacheDir, `${name}.tidx`);
    let written = false;
    try {
      atomicWriteSync(file, data);
      written = true;
    } catch {
      /* the cache only saves a request next time: this session keeps the index in memory */
    }
    const head = parseTidxHead(data.subarray(0, TIDX_HEAD_BYTES), data.length, file);
    return new RemotePack(name, head.packSize, head.count, head.fanout, listsOf(head.count, data.length), written ? file : undefined, written ? undefined : data);
  }

  private async readIndex(name: string, policy: RetryPolicy): Promise<string> {
    // A text copy cached by an earlier trove: verified by its name, converted, then removed.
    const legacy = join(this.cacheDir, `${name}.idx`);
    try {
      const text = readFileSync(legacy);
      rmSync(legacy, { force: true });
      if (sha256(text) === name) return text.toString('utf8');
    } catch {
      /* not cached by an earlier trove */
    }
    // Transient faults get the whole retry budget; a body that does not hash to
    // its name is re-read twice (a flipped bit in transit), then believed.
    let corrupt = 0;
    const text = await withRetries(async () => {
      this.requests++;
      const data = await this.backend.get(indexKey(name));
      if (sha256(data) !== name) {
        throw new TroveError('CORRUPT_OBJECT', `The pack index ${indexKey(name)} on ${this.backend.display} does not match its name (corrupt or truncated).`, { retryable: ++corrupt <= 2, hint: 'Run trove fsck -r REMOTE --thorough; push again from a clone that has the data.' });
      }
      return data;
    }, policy);
    return text.toString('utf8');
  }

  private register(pack: RemotePack): void {
    if (this.packs.has(pack.name)) return;
    this.packs.set(pack.name, pack);
    this.order.push(pack);
  }

  /** A pack this process just wrote to the remote (its entries verified as they were read). */
  addPack(name: string, entries: PackEntry[], size: number): void {
    if (this.packs.has(name)) return;
    this.register(this.cachePack(name, entries, size));
  }

  has(kind: PackEntryKind, hex: string): boolean {
    return this.find(kind, hex) !== undefined;
  }

  /** The name of a pack that holds the entry (no read of its offset or length, as `locate` does). */
  packOf(kind: PackEntryKind, hex: string): string | undefined {
    return this.find(kind, hex)?.pack.name;
  }

  locate(kind: PackEntryKind, hex: string): Located | undefined {
    const hit = this.find(kind, hex);
    return hit && { pack: hit.pack.name, entry: hit.pack.entryAt(hit.i, kind, hex) };
  }

  private find(kind: PackEntryKind, hex: string): { pack: RemotePack; i: number } | undefined {
    if (this.order.length === 0 || hex.length !== 64) return undefined;
    const key = Buffer.from(hex, 'hex');
    if (key.length !== 32) return undefined;
    const words = new Uint32Array(8);
    for (let w = 0; w < 8; w++) words[w] = key.readUInt32BE(w * 4);
    const b = key[0]!;
    const k = kind.charCodeAt(0);
    for (const pack of this.order) {
      const lo = b === 0 ? 0 : pack.fanout[b - 1]!;
      const hi = pack.fanout[b]!;
      if (lo === hi) continue;
      const bucket = this.bucket(pack, b, lo, hi);
      const at = searchBucket(bucket.oids, words);
      if (at < 0) continue;
      // An oid can be there twice, once per kind ('f' sorts before 'o'): look at the neighbours too.
      for (const j of [at, at - 1, at + 1]) {
        if (j >= 0 && j < hi - lo && bucket.kinds[j] === k && compareAt(bucket.oids, j, words) === 0) return { pack, i: lo + j };
      }
    }
    return undefined;
  }

  /** A fan-out bucket's oids and kinds (two preads), kept while they fit the budget. */
  private bucket(pack: RemotePack, b: number, lo: number, hi: number): Bucket {
    const hit = pack.buckets[b];
    if (hit) return hit;
    this.bucketReads++;
    const data: Bucket = { oids: pack.read(pack.sections.oids + lo * 32, (hi - lo) * 32), kinds: pack.read(pack.sections.kinds + lo, hi - lo) };
    const size = (hi - lo) * 33;
    if (size <= this.bucketBudget) {
      // Oldest first out: lookups in oid order reuse the newest buckets.
      while (this.bucketBytes + size > this.bucketBudget && this.kept.length > this.keptHead) {
        const old = this.kept[this.keptHead++]!;
        const buf = old.pack.buckets[old.b];
        if (buf) this.bucketBytes -= buf.kinds.length * 33;
        old.pack.buckets[old.b] = undefined;
      }
      if (this.keptHead > 4096 && this.keptHead * 2 > this.kept.length) {
        this.kept.splice(0, this.keptHead);
        this.keptHead = 0;
      }
      pack.buckets[b] = data;
      this.kept.push({ pack, b });
      this.bucketBytes += size;
    }
    return data;
  }

  /** Close the cached indexes' descriptors (lookups reopen them on demand). */
  close(): void {
    for (const p of this.order) p.close();
  }

  /** distinct objects and chunk lists the remote holds (counts a duplicate across packs once; walks every pack) */
  get objectCount(): number {
    const keys = new Set<string>();
    for (const p of this.order) for (const e of p.entries()) keys.add(e.kind + e.hex);
    return keys.size;
  }
}

/** The remote cache's pack-sha256 field: unknown (zero), as a remote names a pack by its text index. */
const UNKNOWN_PACK_SHA256 = '0'.repeat(64);

async function readPackList(backend: Backend, policy: RetryPolicy): Promise<string[]> {
  try {
    const text = (await withRetries(() => backend.get(PACK_LIST_KEY), policy)).toString('utf8');
    return text.split('\n').filter((l) => /^[0-9a-f]{64}$/.test(l));
  } catch (err) {
    if (err instanceof TroveError && err.code === 'NOT_FOUND') return [];
    throw err;
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
