import { checkOptions } from './checkOptions.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { TroveError, fromFsError } from '../errors/index.js';
import { formatOid } from '../core/oid.js';
import { dataPathFor, isPointerPath, POINTER_MAX_BYTES, serializePointer } from '../core/pointer.js';
import { checkRepoPath } from '../core/repoPath.js';
import { atomicWrite } from '../util/atomicWrite.js';
import type { MergeConflict, MergeProblem } from '../workspace/pointers/mergePointerVersions.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { mergeWithFetch } from '../sync/mergeWithFetch.js';

export interface MergeDriverOptions {
  /** file holding the common ancestor's version (Git's %O; empty when there is none) */
  readonly base: string;
  /** file holding our version, overwritten with the result (Git's %A) */
  readonly ours: string;
  /** file holding their version (Git's %B) */
  readonly theirs: string;
  /** the pointer file's path in the repository (Git's %P), e.g. `data/images.trove` */
  readonly path: string;
}

export interface MergeDriverResult {
  /** data path */
  readonly path: string;
  /** true: merged cleanly (exit 0); false: Git records a conflict (exit 1) */
  readonly clean: boolean;
  /** what the result file now holds: a merge of both sides, or one side's pointer unchanged */
  readonly result: 'merged' | 'ours' | 'theirs';
  readonly kind?: 'file' | 'dir';
  readonly oid?: string;
  readonly size?: number;
  readonly files?: number;
  /** sorted by path; for a directory, the files inside it that conflict */
  readonly conflicts: MergeConflict[];
  /** set when the versions could not be merged at all (unreadable pointer or manifest, missing version) */
  readonly problem?: MergeProblem;
  /** files whose merged state came from their side */
  readonly fromTheirs: number;
  /** manifest pages fetched from the remote to make the merge possible */
  readonly fetched: number;
}

/**
 * Git's merge driver for pointer files (`merge.trove.driver = trove
 * merge-driver %O %A %B %P`): merges directory versions file by file and
 * writes the resulting pointer into `ours`. On a conflict `ours` holds
 * everything that merged plus our side of the conflicting files (a valid
 * version to resolve from with `trove checkout --ours/--theirs PATH`), or our
 * pointer unchanged when the versions could not be merged at all. Nothing is
 * deleted: Git keeps both sides in the index, and their objects stay in the
 * store.
 *
 * @example
 *   const r = await mergeDriver(repo, { base: '.merge_file_a', ours: '.merge_file_b', theirs: '.merge_file_c', path: 'data.trove' });
 *   if (!r.clean) console.error(r.conflicts.map((c) => c.message).join('\n'));
 */
export async function mergeDriver(repo: Repo, options: MergeDriverOptions): Promise<MergeDriverResult> {
  checkOptions('mergeDriver', repo, options, { base: 'string', ours: 'string', theirs: 'string', path: 'string' });
  for (const key of ['base', 'ours', 'theirs', 'path'] as const) {
    if (typeof options[key] !== 'string' || options[key] === '') throw new TroveError('USAGE', `trove merge-driver needs the ${key} argument.`, { hint: 'Git runs it as: trove merge-driver %O %A %B %P (see docs/merging.md).' });
  }
  const pointerPath = checkRepoPath(options.path, 'the merge driver\'s path argument');
  const path = isPointerPath(pointerPath) ? dataPathFor(pointerPath) : pointerPath;
  const file = (f: string): string => resolve(repo.cwd, f);
  return withLock(repo, 'merge-driver', async () => {
    const ours = readSmall(file(options.ours), true);
    const input = { path, base: readSmall(file(options.base), false), ours, theirs: readSmall(file(options.theirs), true) };
    const { outcome, fetched } = await mergeWithFetch(repo, input);
    let result: MergeDriverResult['result'] = 'ours';
    if (outcome.pointer && outcome.takenSide !== 'ours') {
      // Taking their side keeps their bytes; a merge is serialised from the recomputed pointer.
      await atomicWrite(file(options.ours), outcome.takenSide === 'theirs' ? input.theirs : serializePointer(outcome.pointer));
      result = outcome.takenSide === 'theirs' ? 'theirs' : 'merged';
    }
    const p = outcome.pointer;
    return {
      path,
      clean: outcome.clean,
      result,
      ...(p ? { kind: p.kind, oid: formatOid(p.oid), size: p.size, ...(p.files !== undefined ? { files: p.files } : {}) } : {}),
      conflicts: outcome.conflicts,
      ...(outcome.problem ? { problem: outcome.problem } : {}),
      fromTheirs: outcome.fromTheirs,
      fetched,
    };
  });
}

/**
 * Read at most one byte more than a pointer may hold: a huge blob that merely
 * ends in `.trove` is rejected by the pointer parser without being read whole.
 */
function readSmall(path: string, required: true): Buffer;
function readSmall(path: string, required: false): Buffer | undefined;
function readSmall(path: string, required: boolean): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fromFsError(err, 'reading the merge input', path);
  }
  try {
    const buf = Buffer.alloc(POINTER_MAX_BYTES + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, null);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
