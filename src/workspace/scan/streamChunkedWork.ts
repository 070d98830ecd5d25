import { lstatSync } from 'node:fs';
import { isTroveError } from '../../errors/index.js';
import type { Artifact } from '../pointers/pointers.js';
import { absPath, type Repo } from '../Repo.js';
import { streamChunkedState, type ChunkedBatch, type ChunkedSummary } from './streamChunkedState.js';
import type { WorkState } from './workState.js';

/**
 * A tracked directory present in the work tree, through the status engine
 * (scale plan S13) a range of paths at a time (streamChunkedState's
 * batches): per batch, the suspect chunks as a work state and the leaves of
 * the pointer's version they should equal (`batch.expected`). The
 * pre-commit test, checkout's chunked repair and diff against the work tree
 * answer per path, so what they hold is one batch and what differs, not the
 * directory. Undefined when it is not a directory here or its version's
 * listing is not in the store (callers then compare everything); the
 * batches already delivered then count for nothing.
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
