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
  const inputs: StoredData[] = [];
  if (run.experiment.code.dirty) inputs.push(run.experiment.code.dirty);
  for (const d of run.experiment.data) inputs.push({ kind: d.kind, oid: d.oid, size: 0, files: 0 });
  for (const d of inputs) walkClosure(store, d, 'a run input', (key) => void seen.add(key));
  return run.checkpoints.map((c) => {
    let added = 0;
    let addedObjects = 0;
    let stored = 0;
    if (!c.data) return { added: 0, addedObjects: 0, stored: 0, complete: true };
    const complete = walkClosure(store, c.data, c.path ?? c.id, (key, size) => {
      stored += size;
      if (seen.has(key)) return;
      seen.add(key);
      added += size;
      addedObjects++;
    });
    return { added, addedObjects, stored, complete };
  });
}

/**
 * Visit every store file `data` needs, once each, as (key, bytes): 'o'+hex
 * for an object (whole file, chunk, manifest page), 'f'+hex for a chunk list.
 * Returns false when some of it is not in the local store.
 */
function walkClosure(store: ObjectStore, data: StoredData, what: string, visit: (key: string, size: number) => void): boolean {
  let complete = true;
  const done = new Set<string>();
  const once = (key: string, size: number): void => {
    if (done.has(key)) return;
    done.add(key);
    visit(key, size);
  };
  const file = (oid: Oid, size: number): void => {
    if (store.hasObject(oid)) return once('o' + oid.hex, size);
    let chunks;
    try {
      chunks = store.readChunkList(oid);
    } catch {
      chunks = undefined;
    }
    if (!chunks) {
      complete = false;
      return;
    }
    once('f' + oid.hex, listBytes(chunks));
    for (const ch of chunks) {
      if (store.hasObject(ch.oid)) once('o' + ch.oid.hex, ch.size);
      else complete = false;
    }
  };
  let root: Oid;
  try {
    root = parseOid(data.oid, what);
  } catch {
    return false;
  }
  if (data.kind === 'file') {
    file(root, data.size);
    return complete;
  }
  const page = (oid: Oid, depth: number): void => {
    if (depth > 32 || done.has('o' + oid.hex)) return;
    let bytes: Buffer;
    try {
      bytes = store.readObject(oid, what);
    } catch {
      complete = false;
      return;
    }
    once('o' + oid.hex, bytes.length);
    const p = parsePage(bytes, `${formatOid(oid).slice(0, 19)}… of ${what}`, what);
    if (p.type === 'node') for (const child of p.children) page(child.oid, depth + 1);
    else for (const e of p.entries) if (e.mode !== 'l') file(e.oid, e.size);
  };
  page(root, 0);
  return complete;
}

/** The size of a chunk list file as serializeChunkList writes it (without reading it again). */
function listBytes(chunks: readonly { size: number; oid: Oid }[]): number {
  let n = 'trove-chunks 1 fastcdc-v1\n'.length;
  for (const c of chunks) n += String(c.size).length + 1 + formatOid(c.oid).length + 1;
  return n;
}
