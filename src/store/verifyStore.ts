import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Reporter } from '../core/Reporter.js';
import { isTroveError } from '../errors/index.js';
import { createOid, formatOid } from '../core/oid.js';
import { ingestMany } from './ingestPool.js';
import type { ObjectStore, StoredEntry } from './ObjectStore.js';
import { verifyPacks, type PackFsckResult } from './pack/verifyPacks.js';
import { packedEntry } from './storeListing.js';

export interface FsckResult {
  readonly checked: number;
  readonly bytes: number;
  /** corrupt entries found, and removed from the store; `pack` names the local pack a packed one was in */
  readonly corrupt: { kind: 'object' | 'chunklist'; oid: string; reason: string; pack?: string }[];
  /** local packs whose index could not be read: retired, their entries are absent until fetched again */
  readonly badPacks: { pack: string; reason: string }[];
  /** chunk lists whose chunks are absent (kept: the list is right, the store is incomplete) */
  readonly incomplete: { oid: string; reason: string }[];
}

/**
 * Loose objects are hashed this many at a time: one batch's entries and
 * outcomes in memory (a few MB), never the store's. fsck listed the whole
 * store first, an object per entry, packed ones included (231 MB at 200,000
 * files); each batch starts its own threads (~30 ms, 60 batches at 1,000,000
 * loose objects).
 */
const HASH_BATCH = 16_384;

/**
 * Re-hash every object (on every core) and check every chunk list against
 * the content it describes. Corrupt entries are removed so that the next
 * fetch or add can heal them; they are reported, never silently served.
 * Memory does not grow with the store: packs are checked one at a time,
 * loose objects a batch at a time, chunk lists as they are listed.
 */
export async function verifyStore(store: ObjectStore, options: { reporter: Reporter; jobs?: number; fsync?: boolean }): Promise<FsckResult> {
  // Loose objects are re-hashed file by file, packed entries pack by pack (verifyPacks); every chunk list, loose or
  // packed, is also checked against the chunks it names. An entry both loose and packed is checked twice.
  const corrupt: FsckResult['corrupt'] = [];
  const incomplete: FsckResult['incomplete'] = [];
  // The progress total: a first listing of the loose files that keeps only the sum (a stat each, beside a read each to hash).
  let total = 0;
  for (const e of store.listLoose()) total += e.size;
  options.reporter.start('Verifying', total, 'bytes');
  let packs: PackFsckResult;
  let checked = 0;
  let bytes = 0;
  try {
    packs = verifyPacks(store.dir, { fsync: options.fsync ?? true });
    corrupt.push(...packs.corrupt);
    // What verifyPacks retired, rewrote or listed as bad (through its own PackSet) is seen from here on.
    store.packs.refresh();
    let batch: StoredEntry[] = [];
    const hashBatch = async (): Promise<void> => {
      const outcomes = await ingestMany(batch.map((o) => ({ path: o.path, size: o.size })), null, { jobs: options.jobs ?? 0, onDone: (item) => options.reporter.advance(item.size) });
      outcomes.forEach((o, i) => {
        const e = batch[i]!;
        if (!o.ok || o.result.hex !== e.oid.hex) remove(store, e, o.ok ? 'content does not match its id' : o.message, corrupt);
      });
      batch = [];
    };
    for (const e of store.listLoose('object')) {
      checked++;
      bytes += e.size;
      batch.push(e);
      if (batch.length >= HASH_BATCH) await hashBatch();
    }
    if (batch.length > 0) await hashBatch();
    // Chunk lists after every object: a corrupt chunk, removed above, makes its list incomplete, not wrong.
    for (const e of chunkLists(store)) {
      if (!e.location.packed) {
        checked++;
        bytes += e.size;
      }
      let reason: string | undefined;
      try {
        reason = checkChunkList(store, e);
      } catch (err) {
        // A newer format is not corruption: keep it and say so.
        incomplete.push({ oid: formatOid(e.oid), reason: (err as Error).message });
        continue;
      }
      if (reason?.startsWith('chunk ')) incomplete.push({ oid: formatOid(e.oid), reason });
      else if (reason) remove(store, e, reason, corrupt);
      options.reporter.advance(e.size);
    }
  } finally {
    options.reporter.end();
  }
  if (corrupt.length > 0 || incomplete.length > 0 || packs.badPacks.length > 0) store.clearCompleteMarks();
  return { checked: checked + packs.checked, bytes: bytes + packs.bytes, corrupt, incomplete, badPacks: packs.badPacks };
}

/** Every chunk list: packed ones (each once, from its newest pack), then loose ones. */
function* chunkLists(store: ObjectStore): Generator<StoredEntry> {
  for (const c of store.packs.chunkLists()) yield packedEntry('chunklist', createOid('sha256', c.hex), c);
  yield* store.listLoose('chunklist');
}

function checkChunkList(store: ObjectStore, e: StoredEntry): string | undefined {
  let chunks;
  try {
    chunks = store.readChunkList(e.oid);
  } catch (err) {
    if (isTroveError(err, 'NEWER_FORMAT')) throw err;
    return (err as Error).message;
  }
  if (!chunks) return 'unreadable';
  const h = createHash('sha256');
  for (const c of chunks) {
    let data: Buffer;
    try {
      data = readFileSync(store.objectPath(c.oid));
    } catch {
      // reported: the returned problem names the chunk
      return `chunk ${formatOid(c.oid)} is missing`;
    }
    h.update(data);
  }
  return h.digest('hex') === e.oid.hex ? undefined : 'its chunks do not add up to the file it names';
}

function remove(store: ObjectStore, e: StoredEntry, reason: string, corrupt: FsckResult['corrupt']): void {
  if (e.location.packed) {
    // a packed chunk list that lists the wrong chunks: on the bad list (reads as absent; the next gc drops it)
    store.quarantineObject(e.kind, e.oid);
    corrupt.push({ kind: e.kind, oid: formatOid(e.oid), reason, pack: e.location.file.replace(/^.*[\\/]|\.pack$/g, '') });
    return;
  }
  store.remove(e.kind, e.oid);
  corrupt.push({ kind: e.kind, oid: formatOid(e.oid), reason });
}
