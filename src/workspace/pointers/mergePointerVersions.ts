import { isTroveError, type ErrorCode } from '../../errors/index.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { describeConflict, mergeManifests, type EntryConflict, type EntryConflictReason } from '../../core/mergeManifests.js';
import type { Oid } from '../../core/oid.js';
import { planPointerMerge } from '../../core/planPointerMerge.js';
import { createPointer, parsePointer, pointerPathFor, type Pointer } from '../../core/pointer.js';
import { readManifest, writeManifest } from '../../store/manifestIO.js';
import type { Repo } from '../Repo.js';

/** The three versions of one pointer file, as Git hands them to a merge driver. */
export interface PointerMergeInput {
  /** data path (the pointer path without `.trove`), for messages */
  readonly path: string;
  /** the common ancestor's pointer; undefined or empty when there is none (both sides added it) */
  readonly base?: Buffer;
  readonly ours: Buffer;
  readonly theirs: Buffer;
}

export interface MergeConflict {
  /** repository path of the conflicting file, or of the artifact itself */
  readonly path: string;
  readonly reason: EntryConflictReason;
  /** "data/images: cat/1.jpg changed on both sides" */
  readonly message: string;
}

/** Why the versions could not be merged at all (one-sentence message, hint with the next command). */
export interface MergeProblem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string;
}

export interface PointerMergeOutcome {
  readonly path: string;
  readonly clean: boolean;
  /**
   * The pointer to leave as the merge result. Clean: the merge. Conflict
   * inside a directory: everything that merged, with ours for the conflicting
   * files (a valid version to check out and resolve from). Undefined: keep
   * our pointer byte for byte (pointer-level conflict, or a problem).
   */
  readonly pointer?: Pointer;
  /** the result is one side's pointer unchanged: its bytes can be kept as they are */
  readonly takenSide?: 'ours' | 'theirs';
  readonly conflicts: MergeConflict[];
  readonly problem?: MergeProblem;
  /** directory versions whose manifest pages are not (all) in the local store */
  readonly missing: { readonly side: 'base' | 'ours' | 'theirs'; readonly oid: Oid }[];
  /** files whose merged state came from their side */
  readonly fromTheirs: number;
}

/** Errors that mean "this version cannot be read", which a merge reports as a conflict instead of failing. */
const UNREADABLE: readonly ErrorCode[] = ['BAD_POINTER', 'BAD_MANIFEST', 'UNSAFE_PATH', 'CORRUPT_OBJECT', 'NEWER_FORMAT', 'OBJECT_MISSING'];

/**
 * Merge three versions of a pointer file. Directory versions are merged file
 * by file (`mergeManifests`) and the result is written to the store as a new
 * page tree, with its size and file count recomputed from the entries (never
 * merged as text). Nothing is ever deleted: both sides' objects stay in the
 * store, and a version that cannot be read (malformed or hostile pointer,
 * manifest missing or corrupt) is a conflict with a problem, not an error.
 */
export function mergePointerVersions(repo: Repo, input: PointerMergeInput): PointerMergeOutcome {
  const none = { path: input.path, clean: false, conflicts: [], missing: [], fromTheirs: 0 };
  const pp = pointerPathFor(input.path);
  let base: Pointer | undefined;
  let ours: Pointer;
  let theirs: Pointer;
  try {
    base = input.base && input.base.length > 0 ? parsePointer(input.base, `${pp} (common ancestor)`) : undefined;
    ours = parsePointer(input.ours, `${pp} (ours)`);
    theirs = parsePointer(input.theirs, `${pp} (theirs)`);
  } catch (err) {
    if (!isTroveError(err) || !UNREADABLE.includes(err.code)) throw err;
    return { ...none, problem: { code: err.code, message: err.message, hint: `Pick one side whole: trove checkout --ours ${input.path} (or --theirs), then git add ${pp}.` } };
  }
  const plan = planPointerMerge(base, ours, theirs);
  if (plan.action === 'take') return { ...none, clean: true, pointer: plan.pointer, takenSide: plan.side };
  if (plan.action === 'conflict') {
    const what = plan.reason === 'file-directory' ? `${input.path} is a file on one side and a directory on the other` : plan.reason === 'both-added' ? `${input.path} was added on both sides with different content` : `${input.path} changed on both sides`;
    return { ...none, conflicts: [{ path: input.path, reason: plan.reason, message: what }] };
  }

  const missing: PointerMergeOutcome['missing'][number][] = [];
  const read = (side: 'base' | 'ours' | 'theirs', p: Pointer | undefined): ManifestEntry[] => {
    if (!p) return [];
    try {
      return readManifest(repo.store, p.oid, input.path);
    } catch (err) {
      if (isTroveError(err, 'OBJECT_MISSING')) {
        missing.push({ side, oid: p.oid });
        return [];
      }
      throw err;
    }
  };
  let sides: [ManifestEntry[], ManifestEntry[], ManifestEntry[]];
  try {
    sides = [read('base', plan.base), read('ours', ours), read('theirs', theirs)];
  } catch (err) {
    if (!isTroveError(err) || !UNREADABLE.includes(err.code)) throw err;
    return { ...none, problem: { code: err.code, message: err.message, hint: `Pick one side whole: trove checkout --ours ${input.path} (or --theirs), then git add ${pp}.` } };
  }
  if (missing.length > 0) {
    const names = missing.map((m) => (m.side === 'base' ? 'the common ancestor' : m.side)).join(', ');
    return {
      ...none,
      missing,
      problem: {
        code: 'OBJECT_MISSING',
        message: `The directory versions of ${input.path} needed for a file-by-file merge are not in the local store (${names}).`,
        hint: `Fetch them (trove fetch --rev HEAD --rev MERGE_HEAD --rev "$(git merge-base HEAD MERGE_HEAD)"), then merge this path again: trove checkout --merge ${input.path}`,
      },
    };
  }
  const merged = mergeManifests(...sides);
  const tree = writeManifest(repo.store, merged.entries);
  const pointer = createPointer({ kind: 'dir', oid: tree.root, size: tree.size, files: tree.files });
  return {
    ...none,
    clean: merged.conflicts.length === 0,
    pointer,
    conflicts: merged.conflicts.map((c) => toConflict(input.path, c)),
    fromTheirs: merged.fromTheirs,
  };
}

function toConflict(dir: string, c: EntryConflict): MergeConflict {
  return { path: `${dir}/${c.path}`, reason: c.reason, message: `${dir}: ${describeConflict(c)}` };
}
