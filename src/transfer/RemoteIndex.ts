import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import { parsePackIndex, type PackEntry, type PackEntryKind } from '../core/packIndex.js';
import type { Backend, RemoteEntry } from '../remote/Backend.js';
import { checkRemoteFormat, indexKey, PACK_LIST_KEY, PACKS_PREFIX, packNamesFromListing } from '../remote/remoteLayout.js';
import { atomicWriteSync } from '../util/atomicWriteSync.js';
import { mapLimit } from '../util/mapLimit.js';
import { withRetries, type RetryPolicy } from './withRetries.js';

export interface Located {
  readonly pack: string;
  readonly entry: PackEntry;
}

/**
 * What a remote holds: the union of its pack indexes. Indexes are immutable
 * and named by their own sha256, so they are cached locally for good (a
 * cached copy that does not hash to its name is fetched again); loading a
 * remote costs one listing plus the indexes pushed since last time.
 */
export class RemoteIndex {
  private readonly byKey = new Map<string, Located>();
  readonly packs = new Map<string, { size: number; entries: PackEntry[] }>();
  /** sizes of packs/*.pack as listed (only for remotes that can list), including packs whose index never arrived */
  readonly listedPacks = new Map<string, number>();
  /** every listed key below packs/ (size, and mtime where the backend reports it: gc -r's grace period) */
  readonly listedKeys = new Map<string, RemoteEntry>();
  /** indexes that could not be read or did not verify: their objects count as absent (a push rewrites them) */
  readonly badIndexes: { name: string; message: string }[] = [];
  requests = 0;

  private constructor(readonly backend: Backend, readonly hasMarker: boolean) {}

  static async load(backend: Backend, cacheDir: string, options: { jobs: number; policy: RetryPolicy }): Promise<RemoteIndex> {
    const marker = await withRetries(() => checkRemoteFormat(backend), options.policy);
    const index = new RemoteIndex(backend, marker);
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
    await mapLimit(names, options.jobs, async (name) => {
      try {
        const text = await index.readIndex(name, cacheDir, options.policy);
        const parsed = parsePackIndex(text, `${indexKey(name)} on ${backend.display}`);
        index.addPack(name, parsed.entries, parsed.size);
      } catch (err) {
        if (!(err instanceof TroveError) || (err.code !== 'CORRUPT_OBJECT' && err.code !== 'BAD_MANIFEST' && err.code !== 'NOT_FOUND')) throw err;
        index.badIndexes.push({ name, message: err.message });
      }
    });
    return index;
  }

  private async readIndex(name: string, cacheDir: string, policy: RetryPolicy): Promise<string> {
    const cached = join(cacheDir, `${name}.idx`);
    try {
      const text = readFileSync(cached);
      if (sha256(text) === name) return text.toString('utf8');
    } catch {
      /* not cached yet */
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
    try {
      atomicWriteSync(cached, text);
    } catch {
      /* the cache only saves a request next time */
    }
    return text.toString('utf8');
  }

  addPack(name: string, entries: PackEntry[], size: number): void {
    this.packs.set(name, { size, entries });
    for (const entry of entries) {
      const key = `${entry.kind}${entry.hex}`;
      if (!this.byKey.has(key)) this.byKey.set(key, { pack: name, entry });
    }
  }

  has(kind: PackEntryKind, hex: string): boolean {
    return this.byKey.has(`${kind}${hex}`);
  }

  locate(kind: PackEntryKind, hex: string): Located | undefined {
    return this.byKey.get(`${kind}${hex}`);
  }

  /** distinct objects and chunk lists the remote holds */
  get objectCount(): number {
    return this.byKey.size;
  }
}

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
