import { lstatSync } from 'node:fs';
import { isTroveError } from '../../errors/index.js';
import type { Artifact } from '../pointers/pointers.js';
import { absPath, type Repo } from '../Repo.js';
import { readChunkedState, type ChunkedState } from './readChunkedState.js';
import type { WorkState } from './workState.js';

/**
 * A tracked directory present in the work tree, through the status engine
 * (scale plan S13): its suspect chunks as the work state (`work`), and in
 * `state` the leaves of the pointer's version they should equal (`expected`).
 * The pre-commit test, checkout's repair and diff against the work tree plan
 * over these two lists. Undefined when it is not a directory here or its
 * version's listing is not in the store (callers then compare everything).
 */
export async function chunkedWorkState(repo: Repo, artifact: Artifact): Promise<{ state: ChunkedState; work: WorkState } | undefined> {
  try {
    if (!lstatSync(absPath(repo, artifact.path)).isDirectory()) return undefined;
  } catch {
    // nothing (or nothing we can stat) at the path: the caller's whole comparison reports what is there
    return undefined;
  }
  let state: ChunkedState;
  try {
    state = await readChunkedState(repo, artifact.path, artifact.pointer.oid);
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    return undefined;
  }
  return { state, work: { kind: 'dir', entries: state.actual, scan: { files: state.scanned, skipped: state.skipped } } };
}
