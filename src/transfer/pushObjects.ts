import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { TroveError } from '../errors/index.js';
import { serializePackIndex, type PackEntry, type PackEntryKind } from '../core/packIndex.js';
import type { Reporter } from '../core/Reporter.js';
import { bufferBody, type Backend, type Body } from '../remote/Backend.js';
import { indexKey, packKey, PACK_LIST_KEY, PACKS_PREFIX, packNamesFromListing, writeRemoteFormat } from '../remote/remoteLayout.js';
import type { RemoteIndex } from './RemoteIndex.js';
import { runQueue } from './runQueue.js';
import { sha256 } from './RemoteIndex.js';
import { withRetries, type RetryPolicy } from './withRetries.js';

/** One local store file to send: an object, or the chunk list of a large file. */
export interface PushItem {
  readonly kind: PackEntryKind;
  readonly hex: string;
  readonly size: number;
  /** where it is in the local store */
  readonly path: string;
  /** sha256 of the bytes (equals hex for objects) */
  readonly digest: string;
}

export interface PushOutcome {
  readonly objects: number;
  readonly bytes: number;
  readonly packs: number;
  /** packs found on the remote from an interrupted push and reused without sending them again */
  readonly resumedPacks: number;
  readonly requests: number;
  readonly failed: { readonly what: string; readonly message: string }[];
}

export const MAX_PACK_BYTES = 64 * 1024 * 1024;
const MIN_PACK_BYTES = 4 * 1024 * 1024;

/**
 * Send the items the remote lacks, packed: many small objects become a few
 * large uploads (20,000 files ≈ a few dozen requests), big ones go first so the
 * long transfers start early. Per pack: data, then its index, each with
 * retries; a pack already on the remote at the right size (a push killed
 * between the two) is not sent again. Every object is re-hashed as it is read,
 * so a local object that rotted on disk is reported instead of spread.
 */
export async function pushObjects(backend: Backend, index: RemoteIndex, items: readonly PushItem[], options: { jobs: number; policy: RetryPolicy; reporter: Reporter }): Promise<PushOutcome> {
  const seen = new Set<string>();
  const todo = items.filter((i) => {
    const k = i.kind + i.hex;
    if (seen.has(k) || index.has(i.kind, i.hex)) return false;
    seen.add(k);
    return true;
  });
  let requests = 0;
  if (todo.length === 0) return { objects: 0, bytes: 0, packs: 0, resumedPacks: 0, requests, failed: [] };
  if (!index.hasMarker) {
    await withRetries(() => writeRemoteFormat(backend), options.policy);
    requests++;
  }
  const packs = planPacks(todo, options.jobs);
  const total = todo.reduce((s, i) => s + i.size, 0);
  options.reporter.start('push', total, 'bytes');
  let bytes = 0;
  let objects = 0;
  let resumedPacks = 0;
  const failures = await runQueue(packs, options.jobs, async (pack) => {
    const { text, entries, size } = serializePackIndex(pack.map((i) => ({ kind: i.kind, hex: i.hex, length: i.size, digest: i.digest })));
    const name = sha256(Buffer.from(text));
    if (index.listedPacks.get(name) === size) {
      resumedPacks++;
    } else {
      await withRetries(async () => {
        requests++;
        await backend.put(packKey(name), packBody(pack, size, options.reporter));
      }, options.policy);
    }
    await withRetries(async () => {
      requests++;
      await backend.put(indexKey(name), bufferBody(Buffer.from(text)));
    }, options.policy);
    index.addPack(name, entries as PackEntry[], size);
    bytes += size;
    objects += pack.length;
  });
  options.reporter.end();
  if (packs.length > failures.length) {
    // Remotes that cannot list (HTTP) read this; rebuilt from a fresh listing so it also names concurrent pushers' packs.
    try {
      const names = backend.canList ? packNamesFromListing((await backend.list(PACKS_PREFIX)).map((e) => e.key)) : [...index.packs.keys()];
      await withRetries(() => backend.put(PACK_LIST_KEY, bufferBody(Buffer.from(names.map((n) => n + '\n').join('')))), options.policy);
      requests += 2;
    } catch {
      /* only HTTP readers need it; the next push rewrites it */
    }
  }
  const failed = failures.flatMap((f) => {
    const message = (f.error as Error).message;
    return f.item.map((i) => ({ what: `${i.kind === 'f' ? 'chunk list' : 'object'} ${i.hex.slice(0, 12)}`, message }));
  });
  return { objects, bytes, packs: packs.length - failures.length, resumedPacks, requests, failed };
}

/** Greedy packing in size order: enough packs to keep every job busy, none above 64 MiB. */
function planPacks(items: PushItem[], jobs: number): PushItem[][] {
  const sorted = [...items].sort((a, b) => b.size - a.size || (a.hex < b.hex ? -1 : 1));
  const total = sorted.reduce((s, i) => s + i.size, 0);
  const target = Math.min(MAX_PACK_BYTES, Math.max(MIN_PACK_BYTES, Math.ceil(total / (2 * Math.max(1, jobs)))));
  const packs: PushItem[][] = [];
  let cur: PushItem[] = [];
  let curSize = 0;
  for (const item of sorted) {
    if (cur.length > 0 && curSize + item.size > target) {
      packs.push(cur);
      cur = [];
      curSize = 0;
    }
    cur.push(item);
    curSize += item.size;
  }
  if (cur.length) packs.push(cur);
  return packs;
}

function packBody(pack: readonly PushItem[], size: number, reporter: Reporter): Body {
  return {
    size,
    async *open() {
      for (const item of pack) {
        let data: Buffer;
        try {
          data = await fsp.readFile(item.path);
        } catch (err) {
          throw new TroveError('OBJECT_MISSING', `The ${item.kind === 'f' ? 'chunk list' : 'object'} ${item.hex.slice(0, 12)}… vanished from the local store during the push.`, { hint: 'Was trove gc running? Run trove push again.', cause: err });
        }
        if (data.length !== item.size || createHash('sha256').update(data).digest('hex') !== item.digest) {
          throw new TroveError('CORRUPT_OBJECT', `The local ${item.kind === 'f' ? 'chunk list' : 'object'} ${item.hex.slice(0, 12)}… is corrupt; it was not pushed.`, { hint: 'Run trove fsck to remove it, then re-add the data or fetch it from a good copy.' });
        }
        reporter.advance(data.length);
        yield data;
      }
    },
  };
}
