import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Reporter } from '../core/Reporter.js';
import { isTroveError } from '../errors/index.js';
import { formatOid } from '../core/oid.js';
import { ingestMany } from './ingestPool.js';
import type { ObjectStore, StoredEntry } from './ObjectStore.js';
import { verifyPacks, type PackFsckResult } from './pack/verifyPacks.js';

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
 * Re-hash every object (on every core) and check every chunk list against
 * the content it describes. Corrupt entries are removed so that the next
 * fetch or add can heal them; they are reported, never silently served.
 */
export async function verifyStore(store: ObjectStore, options: { reporter: Reporter; jobs?: number; fsync?: boolean }): Promise<FsckResult> {
  // Loose objects are re-hashed file by file, packed entries pack by pack (verifyPacks); every chunk list, loose or
  // packed, is also checked against the chunks it names. An entry both loose and packed is listed (and checked) twice.
  const all = store.list();
  const entries = all.filter((e) => !e.location.packed);
  const objects = entries.filter((e) => e.kind === 'object');
  const lists = all.filter((e) => e.kind === 'chunklist');
  const corrupt: FsckResult['corrupt'] = [];
  const incomplete: FsckResult['incomplete'] = [];
  const bytes = entries.reduce((s, e) => s + e.size, 0);
  options.reporter.start('Verifying', bytes, 'bytes');
  let packs: PackFsckResult;
  try {
    packs = verifyPacks(store.dir, { fsync: options.fsync ?? true });
    corrupt.push(...packs.corrupt);
    const outcomes = await ingestMany(objects.map((o) => ({ path: o.path, size: o.size })), null, { jobs: options.jobs ?? 0, onDone: (item) => options.reporter.advance(item.size) });
    outcomes.forEach((o, i) => {
      const e = objects[i]!;
      if (!o.ok || o.result.hex !== e.oid.hex) remove(store, e, o.ok ? 'content does not match its id' : o.message, corrupt);
    });
    for (const e of lists) {
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
  return { checked: entries.length + packs.checked, bytes: bytes + packs.bytes, corrupt, incomplete, badPacks: packs.badPacks };
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
