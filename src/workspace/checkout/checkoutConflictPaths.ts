import { TroveError, isTroveError } from '../../errors/index.js';
import { checkNoFileIsAParent, type ManifestEntry } from '../../core/manifest.js';
import { compareEntries } from '../../core/manifestTree.js';
import { createPointer, dataPathFor, isPointerPath, parsePointer, type Pointer } from '../../core/pointer.js';
import { checkRepoPath } from '../../core/repoPath.js';
import { catBlobs } from '../../platform/git.js';
import type { LinkMode } from '../../platform/config.js';
import { listUnmerged } from '../../platform/listUnmerged.js';
import { readManifest, writeManifest } from '../../store/manifestIO.js';
import { checkoutPaths, type CheckoutResult } from './checkoutPaths.js';
import { ensureIgnored } from '../stage/gitignore.js';
import type { MergeConflict, PointerMergeInput, PointerMergeOutcome } from '../pointers/mergePointerVersions.js';
import { covers, readWorkPointer, writeWorkPointer } from '../pointers/pointers.js';
import { absPath, toRepoPath, TROVE_DIR, type Repo } from '../Repo.js';

export type ConflictSide = 'ours' | 'theirs' | 'merge';

export interface CheckoutConflictOptions {
  readonly side: ConflictSide;
  /** tracked paths in conflict, or files (or folders) inside a tracked directory in conflict */
  readonly paths: readonly string[];
  readonly force?: boolean;
  readonly link?: LinkMode;
  /** merges three pointer versions (injected: the api layer's version can fetch missing manifests) */
  readonly merge: (input: PointerMergeInput) => Promise<PointerMergeOutcome>;
}

export interface CheckoutConflictResult extends CheckoutResult {
  readonly side: ConflictSide;
  /** pointer files rewritten; `files` lists the repository paths taken from that side ([] = the whole artifact) */
  readonly resolved: { readonly path: string; readonly pointer: string; readonly files: string[] }[];
  /** `merge` only: conflicts that remain after merging again */
  readonly conflicts: MergeConflict[];
}

interface Conflicted {
  readonly path: string;
  readonly pointerPath: string;
  readonly stages: { readonly 1?: string; readonly 2?: string; readonly 3?: string };
}

const STAGE = { ours: 2, theirs: 3 } as const;

/**
 * `trove checkout --ours | --theirs | --merge PATH` while Git reports a
 * conflict in PATH.trove. Takes the pointer of index stage 2 (ours) or 3
 * (theirs) for a whole tracked path, or single entries of that side's
 * directory version into the current (merged) one for paths inside it; or
 * merges the stages again file by file (after missing versions were
 * fetched). Then checks out the data. The index is left alone: the user
 * marks the path resolved with `git add PATH.trove`, as with Git's own
 * `checkout --ours`.
 */
export async function checkoutConflictPaths(repo: Repo, options: CheckoutConflictOptions): Promise<CheckoutConflictResult> {
  if (options.paths.length === 0) {
    throw new TroveError('USAGE', `trove checkout --${options.side} needs the paths to take.`, { hint: `Example: trove checkout --${options.side === 'merge' ? 'merge' : options.side} data/images (git status lists the conflicted .trove files).` });
  }
  const conflicted: Conflicted[] = (await listUnmerged(repo.git, (p) => isPointerPath(p) && !p.startsWith(TROVE_DIR + '/'))).map((u) => ({
    path: checkRepoPath(dataPathFor(u.path), 'the Git index'),
    pointerPath: u.path,
    stages: u.stages,
  }));
  const plans = planTargets(repo, options, conflicted);
  const blobs = await catBlobs(repo.git, [...plans.keys()].flatMap((c) => [c.stages[1], c.stages[2], c.stages[3]]).filter((b): b is string => b !== undefined));
  const blob = (sha: string | undefined): Buffer | undefined => (sha === undefined ? undefined : blobs.get(sha));

  // Everything is decided (and every version read) before the first pointer is written.
  const writes: { c: Conflicted; pointer: Pointer; files: string[] }[] = [];
  const conflicts: MergeConflict[] = [];
  if (options.side === 'merge') {
    for (const c of plans.keys()) {
      const ours = blob(c.stages[2]);
      const theirs = blob(c.stages[3]);
      if (!ours || !theirs) throw deletedOnOneSide(c, ours ? 'theirs' : 'ours');
      const outcome = await options.merge({ path: c.path, base: blob(c.stages[1]), ours, theirs });
      if (outcome.problem) throw new TroveError(outcome.problem.code, outcome.problem.message, { hint: outcome.problem.hint, data: { path: c.path } });
      conflicts.push(...outcome.conflicts);
      // As the merge driver does: a conflict on the pointer as a whole leaves ours.
      writes.push({ c, pointer: outcome.pointer ?? sidePointer(c, 'ours', ours), files: [] });
    }
  } else {
    for (const [c, plan] of plans) {
      const side = sidePointer(c, options.side, blob(c.stages[STAGE[options.side]]));
      if (plan.whole) {
        if (side.kind === 'dir') readSide(repo, side, c, options.side);
        writes.push({ c, pointer: side, files: [] });
      } else {
        writes.push({ c, pointer: takeEntries(repo, c, options.side, side, plan.subs, blob(c.stages[2])), files: plan.subs.map((s) => `${c.path}/${s}`) });
      }
    }
  }
  const targets: string[] = [];
  for (const w of writes) {
    await writeWorkPointer(repo, w.c.path, w.pointer);
    await ensureIgnored(repo, w.c.path);
    targets.push(...(w.files.length ? w.files : [w.c.path]));
  }
  const resolved = writes.map((w) => ({ path: w.c.path, pointer: w.c.pointerPath, files: w.files }));
  const checkout = await checkoutPaths(repo, { paths: targets.map((t) => absPath(repo, t)), ...(options.force ? { force: true } : {}), ...(options.link ? { link: options.link } : {}) });
  return { ...checkout, side: options.side, resolved, conflicts };
}

/** Which conflicted artifacts the command line names, whole or by paths inside them. */
function planTargets(repo: Repo, options: CheckoutConflictOptions, conflicted: readonly Conflicted[]): Map<Conflicted, { whole: boolean; subs: string[] }> {
  const plans = new Map<Conflicted, { whole: boolean; subs: string[] }>();
  const plan = (c: Conflicted) => plans.get(c) ?? plans.set(c, { whole: false, subs: [] }).get(c)!;
  for (const input of options.paths) {
    const p = toRepoPath(repo, input);
    const whole = conflicted.filter((c) => covers(p, c.path));
    const inside = conflicted.find((c) => p.startsWith(c.path + '/'));
    if (whole.length === 0 && !inside) throw noConflict(p, options.side, conflicted);
    for (const c of whole) plan(c).whole = true;
    if (inside) {
      if (options.side === 'merge') {
        throw new TroveError('USAGE', `trove checkout --merge merges a whole tracked path, not ${p} inside ${inside.path}.`, { hint: `Run trove checkout --merge ${inside.path}, or take this file from one side: trove checkout --theirs ${p}` });
      }
      plan(inside).subs.push(p.slice(inside.path.length + 1));
    }
  }
  return plans;
}

function noConflict(p: string, side: ConflictSide, conflicted: readonly Conflicted[]): TroveError {
  if (conflicted.length === 0) {
    return new TroveError('USAGE', `No merge conflict in tracked data is in progress, so ${p} has no "${side === 'merge' ? 'merge' : side}" version to check out.`, {
      hint: `--ours, --theirs and --merge apply while git status lists a .trove file as unmerged; to take data from a branch use trove checkout --rev BRANCH ${p}`,
      data: { path: p },
    });
  }
  const list = conflicted.map((c) => c.path);
  return new TroveError('USAGE', `${p} has no unresolved merge conflict.`, {
    hint: `Tracked paths in conflict: ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}.`,
    data: { path: p, conflicted: list },
  });
}

function deletedOnOneSide(c: Conflicted, side: 'ours' | 'theirs'): TroveError {
  return new TroveError('NOT_FOUND', `${c.pointerPath} was deleted on ${side === 'ours' ? 'our' : 'their'} side, so there is no ${side === 'ours' ? '"ours"' : '"theirs"'} version of ${c.path}.`, {
    hint: `Keep the other side's version: trove checkout --${side === 'ours' ? 'theirs' : 'ours'} ${c.path}; or accept the deletion: git rm ${c.pointerPath}`,
    data: { path: c.path, side },
  });
}

function sidePointer(c: Conflicted, side: 'ours' | 'theirs', bytes: Buffer | undefined): Pointer {
  if (!bytes) throw deletedOnOneSide(c, side);
  return parsePointer(bytes, `${c.pointerPath} (${side}, index stage ${STAGE[side]})`);
}

/** A side's directory version, or OBJECT_MISSING with a hint that names the fetch to run. */
function readSide(repo: Repo, p: Pointer, c: Conflicted, side: 'ours' | 'theirs' | 'current'): ManifestEntry[] {
  try {
    return readManifest(repo.store, p.oid, c.path);
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    const rev = side === 'theirs' ? 'MERGE_HEAD' : 'HEAD';
    throw new TroveError('OBJECT_MISSING', `The ${side === 'current' ? 'current merged' : side === 'ours' ? 'our' : 'their'} version of ${c.path} is not in the local store.`, {
      hint: `Fetch it first (trove fetch --rev ${rev} ${c.path}), then run this again.`,
      data: { ...err.data, path: c.path, side },
    });
  }
}

/**
 * The current merge result of a directory with the entries under `subs`
 * replaced by `side`'s (absent there = removed). The current result is the
 * work tree's pointer (what the merge driver wrote, plus earlier picks), or
 * our version when that pointer is not a readable directory pointer (Git
 * wrote conflict markers because the driver was not configured).
 */
function takeEntries(repo: Repo, c: Conflicted, sideName: 'ours' | 'theirs', side: Pointer, subs: readonly string[], oursBytes: Buffer | undefined): Pointer {
  if (side.kind !== 'dir') {
    throw new TroveError('USAGE', `${c.path} is a file on ${sideName === 'ours' ? 'our' : 'their'} side, so single files inside it cannot be taken from there.`, { hint: `Take it whole: trove checkout --${sideName} ${c.path}` });
  }
  let current: Pointer | undefined;
  try {
    current = readWorkPointer(repo, c.path);
  } catch (err) {
    if (!isTroveError(err, 'BAD_POINTER')) throw err;
  }
  if (current?.kind !== 'dir') current = oursBytes ? parsePointer(oursBytes, `${c.pointerPath} (ours, index stage 2)`) : undefined;
  if (current?.kind !== 'dir') {
    throw new TroveError('USAGE', `${c.path} has no merged directory version to take single files into.`, { hint: `Take it whole: trove checkout --${sideName} ${c.path}` });
  }
  const currentEntries = readSide(repo, current, c, 'current');
  const sideEntries = readSide(repo, side, c, sideName);
  const inScope = (s: string) => (e: ManifestEntry) => e.path === s || e.path.startsWith(s + '/');
  for (const s of subs) {
    if (!currentEntries.some(inScope(s)) && !sideEntries.some(inScope(s))) {
      throw new TroveError('NOT_TRACKED', `${c.path}/${s} is in neither the merged nor the ${sideName === 'ours' ? 'our' : 'their'} version of ${c.path}.`, { hint: `List the files with trove ls ${c.path}`, data: { path: `${c.path}/${s}` } });
    }
  }
  const any = (e: ManifestEntry) => subs.some((s) => inScope(s)(e));
  const entries = [...currentEntries.filter((e) => !any(e)), ...sideEntries.filter(any)].sort(compareEntries);
  checkNoFileIsAParent(entries, (why) => {
    throw new TroveError('USAGE', `Taking ${subs.join(', ')} from ${sideName} would leave ${c.path} inconsistent: ${why}.`, { hint: `Take the whole directory: trove checkout --${sideName} ${c.path}` });
  });
  const tree = writeManifest(repo.store, entries);
  return createPointer({ kind: 'dir', oid: tree.root, size: tree.size, files: tree.files });
}
