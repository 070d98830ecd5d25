import { parsePage } from '../core/manifest.js';
import { formatOid, parseOid, type Oid } from '../core/oid.js';
import type { StoredData } from '../core/experimentRecord.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import type { Run } from './readRuns.js';

/** What one checkpoint costs in the local store. */
export interface CheckpointStoreBytes {
  /**
   * Bytes this checkpoint ADDED to the store: the summed sizes of the store
   * files (whole-file objects, chunks, chunk lists, directory manifest pages)
   * that its data needs and that nothing earlier in the run needed: no earlier
   * checkpoint of the run, not the run's code snapshot (uncommitted changes)
   * and not the tracked data the run started from (its lineage, e.g. a base
   * model it fine-tunes). Each store file is counted once, by the first
   * checkpoint that needs it, so the column sums to what the run's
   * checkpoints take in the store beyond its inputs. Content-defined chunks
   * make this small for a checkpoint that changed only part of a large file.
   */
  readonly added: number;
  /** how many store files those are */
  readonly addedObjects: number;
  /** bytes of every store file the checkpoint needs, shared or not (its footprint if it were alone) */
  readonly stored: number;
  /** false when some of its content is not in the local store (pulled without data, or gc'd): the numbers count only what is here */
  readonly complete: boolean;
}

/**
 * Per checkpoint of `run`, in order, the store bytes it added and needs
 * (see CheckpointStoreBytes). Reads only the local store: manifest pages and
 * chunk lists, never file contents. A checkpoint without data adds 0.
 */
export function checkpointStoreBytes(store: ObjectStore, run: Pick<Run, 'experiment' | 'checkpoints'>): CheckpointStoreBytes[] {
  const seen = new Set<string>();
  const memo: Memo = new Map();
  const inputs: StoredData[] = [];
  if (run.experiment.code.dirty) inputs.push(run.experiment.code.dirty);
  for (const d of run.experiment.data) inputs.push({ kind: d.kind, oid: d.oid, size: 0, files: 0 });
  for (const d of inputs) for (const [key] of closureOf(store, d, 'a run input', memo).items) seen.add(key);
  return run.checkpoints.map((c) => {
    if (!c.data) return { added: 0, addedObjects: 0, stored: 0, complete: true };
    const { items, complete } = closureOf(store, c.data, c.path ?? c.id, memo);
    let added = 0;
    let addedObjects = 0;
    let stored = 0;
    const mine = new Set<string>();
    for (const [key, size] of items) {
      if (mine.has(key)) continue;
      mine.add(key);
      stored += size;
      if (seen.has(key)) continue;
      seen.add(key);
      added += size;
      addedObjects++;
    }
    return { added, addedObjects, stored, complete };
  });
}

/** The store files (key, bytes) under a manifest page or a file, by its hex, and whether all were here. */
type Memo = Map<string, Closure>;
interface Closure {
  /** 'o'+hex for an object (whole file, chunk, manifest page), 'f'+hex for a chunk list; may repeat */
  readonly items: readonly (readonly [string, number])[];
  readonly complete: boolean;
}

/**
 * Every store file `data` needs. Memoised by page and file id across the
 * run's checkpoints: a directory page a checkpoint shares with an earlier
 * one (content-addressed: same page, same subtree) is not read or stat'ed
 * again, so 100 checkpoints of a 20,000-file directory that change a few
 * files cost one walk plus the changed pages, not 2 million file checks.
 */
function closureOf(store: ObjectStore, data: StoredData, what: string, memo: Memo): Closure {
  let root: Oid;
  try {
    root = parseOid(data.oid, what);
  } catch {
    // not an oid: counted as incomplete (complete: false), which the caller shows
    return { items: [], complete: false };
  }
  return data.kind === 'file' ? fileClosure(store, root, data.size, memo) : pageClosure(store, root, what, memo, 0);
}

function fileClosure(store: ObjectStore, oid: Oid, size: number, memo: Memo): Closure {
  const key = 'f:' + oid.hex;
  const hit = memo.get(key);
  if (hit) return hit;
  let out: Closure;
  if (store.hasObject(oid)) out = { items: [['o' + oid.hex, size]], complete: true };
  else {
    let chunks;
    try {
      chunks = store.readChunkList(oid);
    } catch {
      // an unreadable chunk list: counted as incomplete (complete: false), which the caller shows
      chunks = undefined;
    }
    if (!chunks) out = { items: [], complete: false };
    else {
      const items: [string, number][] = [['f' + oid.hex, listBytes(chunks)]];
      let complete = true;
      for (const ch of chunks) {
        if (store.hasObject(ch.oid)) items.push(['o' + ch.oid.hex, ch.size]);
        else complete = false;
      }
      out = { items, complete };
    }
  }
  memo.set(key, out);
  return out;
}

function pageClosure(store: ObjectStore, oid: Oid, what: string, memo: Memo, depth: number): Closure {
  const key = 'p:' + oid.hex;
  const hit = memo.get(key);
  if (hit) return hit;
  if (depth > 32) return { items: [], complete: false };
  let bytes: Buffer;
  try {
    bytes = store.readObject(oid, what);
  } catch {
    // not in the local store: counted as incomplete (complete: false), which the caller shows
    const missing = { items: [], complete: false };
    memo.set(key, missing);
    return missing;
  }
  const items: (readonly [string, number])[] = [['o' + oid.hex, bytes.length]];
  let complete = true;
  const add = (c: Closure): void => {
    for (const it of c.items) items.push(it);
    complete &&= c.complete;
  };
  const p = parsePage(bytes, `${formatOid(oid).slice(0, 19)}… of ${what}`, what);
  if (p.type === 'node') for (const child of p.children) add(pageClosure(store, child.oid, what, memo, depth + 1));
  else for (const e of p.entries) if (e.mode !== 'l') add(fileClosure(store, e.oid, e.size, memo));
  const out = { items, complete };
  memo.set(key, out);
  return out;
}

/** The size of a chunk list file as serializeChunkList writes it (without reading it again). */
function listBytes(chunks: readonly { size: number; oid: Oid }[]): number {
  let n = 'trove-chunks 1 fastcdc-v1\n'.length;
  for (const c of chunks) n += String(c.size).length + 1 + formatOid(c.oid).length + 1;
  return n;
}
