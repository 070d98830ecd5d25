import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { TroveError } from '../errors/index.js';
import { serializePackIndex, type PackEntry, type PackEntryKind } from '../core/packIndex.js';
import type { Reporter } from '../core/Reporter.js';
import { bufferBody, type Backend, type Body } from '../remote/Backend.js';
import { VerifiedReadError, VerifiedReader } from '../store/VerifiedReader.js';
import { CONTENT_NAMED, indexKey, packKey, PACK_LIST_KEY, PACKS_PREFIX, packNamesFromListing, writeRemoteFormat } from '../remote/remoteLayout.js';
import type { RemoteIndex } from './RemoteIndex.js';
import { groupBySize } from '../util/groupBySize.js';
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
  /** set for a packed entry: its bytes are [offset, offset + size) of `path` (a local pack) */
  readonly offset?: number;
  /** sha256 of the bytes (equals hex for objects) */
  readonly digest: string;
  /**
   * A manifest page or a chunk list: what a fetch must read before it knows
   * which data to ask for. Packed apart from data (as restic keeps tree and
   * data blobs in separate packs), so those early reads are small ones from
   * small packs, and the data packs are later read whole.
   */
  readonly meta?: boolean;
}

export interface PushOutcome {
  readonly objects: number;
  readonly bytes: number;
  readonly packs: number;
  /** packs found on the remote from an interrupted push and reused without sending them again */
  readonly resumedPacks: number;
  readonly requests: number;
  readonly failed: { readonly what: string; readonly message: string }[];
  /** items the remote already had (each looked up once per batch that lists it, here) */
  readonly alreadyOnRemote: number;
  /** the most items one batch handed to this push (what it held at once) */
  readonly largestBatch: number;
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
 *
 * `items` is one list, or batches (closure.ts `closureBatches`): each batch is
 * deduplicated, planned and sent before the next is asked for, so the push
 * holds one batch. An item of a later batch that an earlier one sent is found
 * in the remote index, which learns each pack as it is sent.
 */
export async function pushObjects(backend: Backend, index: RemoteIndex, items: readonly PushItem[] | Iterable<{ readonly items: readonly PushItem[]; readonly last: boolean }>, options: { jobs: number; policy: RetryPolicy; reporter: Reporter }): Promise<PushOutcome> {
  const batches = isItemArray(items) ? [{ items, last: true }] : items;
  // Packs sent by this push: an item met again in a later batch is found in one of them, and is not "already on the remote".
  const sentHere = new Set<string>();
  let alreadyOnRemote = 0;
  let requests = 0;
  let bytes = 0;
  let objects = 0;
  let packCount = 0;
  let resumedPacks = 0;
  let largestBatch = 0;
  let reader: VerifiedReader | undefined;
  let started = false;
  let marked = index.hasMarker;
  const failed: { what: string; message: string }[] = [];
  try {
    for (const batch of batches) {
      largestBatch = Math.max(largestBatch, batch.items.length);
      // Keyed by the items' own hex strings (a kind + hex key per item was one more string each).
      const seen = { o: new Set<string>(), f: new Set<string>() };
      const todo = batch.items.filter((i) => {
        if (seen[i.kind].has(i.hex)) return false;
        seen[i.kind].add(i.hex);
        const pack = index.packOf(i.kind, i.hex);
        if (pack === undefined) return true;
        if (!sentHere.has(pack)) alreadyOnRemote++;
        return false;
      });
      if (todo.length === 0) continue;
      if (!marked) {
        await withRetries(() => writeRemoteFormat(backend), options.policy);
        requests++;
        marked = true;
      }
      const packs = planPacks(todo, options.jobs, { moreToCome: !batch.last });
      const total = todo.reduce((s, i) => s + i.size, 0);
      // Re-hashing what is sent is the main cost of a push to a local or mounted directory: on worker threads it uses every core.
      if (!reader && backend.local && (total >= THREADED_READ_MIN_BYTES || !batch.last)) reader = new VerifiedReader(Math.min(options.jobs, availableParallelism()));
      if (!started) {
        // A push in several batches does not know its total before the last one is listed.
        options.reporter.start('push', batch.last ? total : undefined, 'bytes');
        started = true;
      }
      const failures = await runQueue(packs, options.jobs, async (pack) => {
        const { text, entries, size } = serializePackIndex(pack.map((i) => ({ kind: i.kind, hex: i.hex, length: i.size, digest: i.digest })));
        const name = sha256(Buffer.from(text));
        if (index.listedPacks.get(name) === size) {
          resumedPacks++;
        } else {
          await withRetries(async () => {
            requests++;
            await backend.put(packKey(name), packBody(pack, size, options.reporter, reader), CONTENT_NAMED);
          }, options.policy);
        }
        await withRetries(async () => {
          requests++;
          await backend.put(indexKey(name), bufferBody(Buffer.from(text)), CONTENT_NAMED);
        }, options.policy);
        index.addPack(name, entries as PackEntry[], size);
        sentHere.add(name);
        bytes += size;
        objects += pack.length;
      });
      packCount += packs.length - failures.length;
      for (const f of failures) {
        const message = (f.error as Error).message;
        for (const i of f.item) failed.push({ what: `${i.kind === 'f' ? 'chunk list' : 'object'} ${i.hex.slice(0, 12)}`, message });
      }
    }
  } finally {
    if (started) options.reporter.end();
    await reader?.close();
  }
  if (packCount > 0) {
    // Remotes that cannot list (HTTP) read this; rebuilt from a fresh listing so it also names concurrent pushers' packs.
    try {
      const names = backend.canList ? packNamesFromListing((await backend.list(PACKS_PREFIX)).map((e) => e.key)) : [...index.packs.keys()];
      await withRetries(() => backend.put(PACK_LIST_KEY, bufferBody(Buffer.from(names.map((n) => n + '\n').join('')))), options.policy);
      requests += 2;
    } catch {
      /* only HTTP readers need it; the next push rewrites it */
    }
  }
  return { objects, bytes, packs: packCount, resumedPacks, requests, failed, alreadyOnRemote, largestBatch };
}

function isItemArray(x: readonly PushItem[] | Iterable<unknown>): x is readonly PushItem[] {
  return Array.isArray(x);
}

/**
 * Greedy packing in size order: enough packs to keep every job busy (two
 * per job; one when more batches follow), none above 64 MiB. Metadata (manifest pages, chunk lists) and data never share
 * a pack; the metadata packs come first.
 *
 * Entries of one local pack (items with an `offset`, same `path`) stay
 * together, in offset order, in a pack of their own: read as ranges of one
 * file, and when every entry of a local pack is sent, the remote pack's
 * index text is the local pack's, so it gets the same name (local packs are
 * named by their text index too) and a clone that fetches it can keep it.
 * A local pack over 64 MiB, or mixing metadata and data, is packed like
 * loose objects.
 */
export function planPacks(items: readonly PushItem[], jobs: number, options: { moreToCome?: boolean } = {}): PushItem[][] {
  const loose: PushItem[] = [];
  const byLocalPack = new Map<string, PushItem[]>();
  for (const i of items) {
    if (i.offset === undefined) loose.push(i);
    else {
      let group = byLocalPack.get(i.path);
      if (!group) byLocalPack.set(i.path, (group = []));
      group.push(i);
    }
  }
  const whole: PushItem[][] = [];
  for (const group of byLocalPack.values()) {
    const bytes = group.reduce((s, i) => s + i.size, 0);
    if (bytes > MAX_PACK_BYTES || !(group.every((i) => i.meta) || group.every((i) => !i.meta))) loose.push(...group);
    else whole.push(group.sort((a, b) => a.offset! - b.offset!));
  }
  const sorted = loose.sort((a, b) => b.size - a.size || (a.hex < b.hex ? -1 : 1));
  const total = sorted.reduce((s, i) => s + i.size, 0);
  // Two packs per job; one for a batch that more batches follow (they keep the jobs busy too): half as many remote packs.
  const target = Math.min(MAX_PACK_BYTES, Math.max(MIN_PACK_BYTES, Math.ceil(total / ((options.moreToCome ? 1 : 2) * Math.max(1, jobs)))));
  const meta = sorted.filter((i) => i.meta);
  const data = sorted.filter((i) => !i.meta);
  const isMeta = (p: PushItem[]): boolean => Boolean(p[0]!.meta);
  return [...whole.filter(isMeta), ...groupBySize(meta, target, (i) => i.size), ...whole.filter((p) => !isMeta(p)), ...groupBySize(data, target, (i) => i.size)];
}

/** Below this many bytes to send, starting reader threads (~30 ms each) costs more than it saves. */
export const THREADED_READ_MIN_BYTES = 16 * 1024 * 1024;
/** Store files are read in batches of about this many bytes, and up to READ_AHEAD batches per pack are in flight. */
const READ_BATCH_BYTES = 1024 * 1024;
const READ_AHEAD = 2;

/** `size` bytes of `path` from `offset` (a packed entry); shorter when the file is. */
async function readRange(path: string, offset: number, size: number): Promise<Buffer> {
  const fh = await fsp.open(path, 'r');
  try {
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await fh.read(buf, got, size - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

function packBody(pack: readonly PushItem[], size: number, reporter: Reporter, reader: VerifiedReader | undefined): Body {
  return {
    size,
    async *open() {
      if (reader) {
        yield* readThreaded(pack, reader, reporter);
        return;
      }
      for (const item of pack) {
        let data: Buffer;
        try {
          data = item.offset === undefined ? await fsp.readFile(item.path) : await readRange(item.path, item.offset, item.size);
        } catch (err) {
          throw vanished(item, err);
        }
        if (data.length !== item.size || createHash('sha256').update(data).digest('hex') !== item.digest) throw corruptLocal(item);
        reporter.advance(data.length);
        yield data;
      }
    },
  };
}

/** The pack's bytes from reader threads, a few batches ahead of the upload. */
async function* readThreaded(pack: readonly PushItem[], reader: VerifiedReader, reporter: Reporter): AsyncGenerator<Buffer> {
  const batches = groupBySize(pack, READ_BATCH_BYTES, (i) => i.size);
  const inFlight: { batch: PushItem[]; bytes: Promise<Buffer> }[] = [];
  let next = 0;
  const fill = (): void => {
    while (inFlight.length < READ_AHEAD && next < batches.length) {
      const batch = batches[next++]!;
      const bytes = reader.read(batch.map((i) => ({ path: i.path, size: i.size, digest: i.digest, ...(i.offset === undefined ? {} : { offset: i.offset }) })));
      bytes.catch(() => undefined); // observed when its turn comes; an abandoned upload must not leave an unhandled rejection
      inFlight.push({ batch, bytes });
    }
  };
  fill();
  while (inFlight.length > 0) {
    const { batch, bytes } = inFlight.shift()!;
    let data: Buffer;
    try {
      data = await bytes;
    } catch (err) {
      if (!(err instanceof VerifiedReadError)) throw err;
      const item = batch[err.index]!;
      throw err.problem === 'corrupt' ? corruptLocal(item) : vanished(item, err);
    }
    fill();
    reporter.advance(data.length);
    if (data.length > 0) yield data;
  }
}

function what(item: PushItem): string {
  return item.kind === 'f' ? 'chunk list' : 'object';
}

function vanished(item: PushItem, cause: unknown): TroveError {
  return new TroveError('OBJECT_MISSING', `The ${what(item)} ${item.hex.slice(0, 12)}… vanished from the local store during the push.`, { hint: 'Was trove gc running? Run trove push again.', cause });
}

function corruptLocal(item: PushItem): TroveError {
  // A packed entry names its pack: fsck repairs the pack, not a loose file.
  const where = item.offset === undefined ? '' : ` (in the local pack ${basename(item.path)} at offset ${item.offset})`;
  return new TroveError('CORRUPT_OBJECT', `The local ${what(item)} ${item.hex.slice(0, 12)}…${where} is corrupt; it was not pushed.`, { hint: 'Run trove fsck to remove it, then re-add the data or fetch it from a good copy.', ...(item.offset === undefined ? {} : { data: { pack: basename(item.path), offset: item.offset } }) });
}
