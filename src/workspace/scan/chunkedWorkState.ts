import { lstatSync } from 'node:fs';
import { isTroveError } from '../../errors/index.js';
import type { Artifact } from '../pointers/pointers.js';
import { absPath, type Repo } from '../Repo.js';
import { readChunkedState, streamChunkedState, type ChunkedBatch, type ChunkedState, type ChunkedSummary } from './readChunkedState.js';
import type { WorkState } from './workState.js';

/**
 * A tracked directory present in the work tree, through the status engine
 * (scale plan S13): its suspect chunks as the work state (`work`), and in
 * `state` the leaves of the pointer's version they should equal (`expected`).
 * Checkout's repair and diff against the work tree plan over these two
 * lists. Undefined when it is not a directory here or its version's listing
 * is not in the store (callers then compare everything).
 */
export async function chunkedWorkState(repo: Repo, artifact: Artifact): Promise<{ state: ChunkedState; work: WorkState } | undefined> {
  if (!isWorkDirectory(repo, artifact)) return undefined;
  let state: ChunkedState;
  try {
    state = await readChunkedState(repo, artifact.path, artifact.pointer.oid);
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    return undefined;
  }
  return { state, work: batchWork(state) };
}

/**
 * chunkedWorkState a range of paths at a time (streamChunkedState's
 * batches), for callers whose answer is per path (the pre-commit test):
 * what they hold is one batch, not the directory. Undefined as
 * chunkedWorkState; the batches already delivered then count for nothing.
 */
export async function streamChunkedWork(repo: Repo, artifact: Artifact, onBatch: (batch: ChunkedBatch, work: WorkState) => void): Promise<ChunkedSummary | undefined> {
  if (!isWorkDirectory(repo, artifact)) return undefined;
  try {
    const skipped: string[] = [];
    return await streamChunkedState(repo, artifact.path, artifact.pointer.oid, (b) => onBatch(b, batchWork({ ...b, skipped })));
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    return undefined;
  }
}

function batchWork(b: ChunkedBatch & { skipped: string[] }): WorkState {
  return { kind: 'dir', entries: b.actual, scan: { files: b.scanned, skipped: b.skipped } };
}

function isWorkDirectory(repo: Repo, artifact: Artifact): boolean {
  try {
    return lstatSync(absPath(repo, artifact.path)).isDirectory();
  } catch {
    // nothing (or nothing we can stat) at the path: the caller's whole comparison reports what is there
    return false;
  }
}
