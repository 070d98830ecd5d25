import { lstatSync, rmSync } from 'node:fs';
import { TroveError, isTroveError, fromFsError } from '../../errors/index.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { joinRepoPath } from '../../core/repoPath.js';
import type { LinkMode } from '../../platform/config.js';
import { WorkTreeDirs } from '../../platform/WorkTreeDirs.js';
import { readManifest } from '../../store/manifestIO.js';
import { diffManifests } from '../../store/diffManifests.js';
import { createOid } from '../../core/oid.js';
import type { LinkStrategy } from '../../store/ObjectStore.js';
import { dropDeleted } from './dropDeleted.js';
import { removeAbandonedTempsOf } from '../../util/abandonedTemps.js';
import { ensureIgnored, ensureTempsIgnored } from '../stage/gitignore.js';
import { hashFiles } from '../scan/hashFiles.js';
import { resolveLinkStrategy } from './linkStrategy.js';
import { listRevArtifacts, listWorkArtifacts, writeWorkPointer, type Artifact } from '../pointers/pointers.js';
import { pruneEmptyDirs } from './pruneEmptyDirs.js';
import { placeEntries } from './placeEntries.js';
import { requireSelectedEntries } from '../stage/requireSelectedEntries.js';
import { recordSavedCopies, type SavedCopy } from './savedCopies.js';
import { absPath, toRepoPath, type Repo } from '../Repo.js';
import { planCheckout, type CheckoutPlan } from './planCheckout.js';
import { planRepair } from './planRepair.js';
import { applyFresh, planFresh, type FreshCheckoutOptions, type FreshPlan } from './freshCheckout.js';
import { pointerAsEntry, readWorkState } from '../scan/workState.js';

export interface CheckoutOptions {
  readonly paths?: readonly string[];
  /** take pointers from this Git revision instead of the work tree (HEAD does not move) */
  readonly rev?: string;
  /** overwrite local changes that were not added, saving their content in the store first */
  readonly force?: boolean;
  readonly link?: LinkMode;
  /** the artifacts `paths` select, when the caller has just listed them (the restore hook): not listed again */
  readonly artifacts?: readonly Artifact[];
  /**
   * For a directory artifact selected in part: its entries under the selected
   * paths, when the caller already has them (the restore hook's manifest
   * diff), so the whole manifest is not read. Ignored for an artifact
   * selected whole.
   */
  readonly entries?: ReadonlyMap<string, readonly ManifestEntry[]>;
  /**
   * For a directory artifact selected whole: the only entries the work tree
   * is to hold (a sampled checkout, api/sampledCheckout.ts); its other files
   * are removed or left absent, as if the version had only these.
   */
  readonly only?: ReadonlyMap<string, readonly ManifestEntry[]>;
  /** a whole directory checked out where nothing is: its batch size (tests) */
  readonly fresh?: FreshCheckoutOptions;
}

export interface CheckoutResult {
  readonly artifacts: { path: string; written: number; deleted: number; unchanged: number }[];
  readonly written: number;
  readonly deleted: number;
  /** local changes overwritten with --force, saved in the store and recorded (`trove saved` lists them, `trove saved restore ID` brings one back) */
  readonly saved: { id: string; time: string; path: string; oid: string; size: number }[];
  /** pointer files rewritten from --rev */
  readonly pointers: string[];
  readonly strategy: LinkStrategy;
}

/** Make the work tree match the pointers of the work tree or of a revision. */
export async function checkoutPaths(repo: Repo, options: CheckoutOptions): Promise<CheckoutResult> {
  const selected = (options.paths ?? []).map((p) => toRepoPath(repo, p));
  const artifacts = options.artifacts ?? (options.rev ? await listRevArtifacts(repo, options.rev, selected) : await listWorkArtifacts(repo, selected));
  const strategy = resolveLinkStrategy(repo, options.link ?? repo.config.core.link);
  const plans: { artifact: Artifact; plan: CheckoutPlan; mode: CheckoutMode; root: string | undefined; fresh?: FreshPlan }[] = [];
  const problems: TroveError[] = [];
  // Every write, rename and delete below goes through these verified directories (never through a symlink).
  const dirs = new WorkTreeDirs(repo.root);
  for (const artifact of artifacts) {
    // A symlinked directory in front of the data is refused before anything is read through it or written.
    const abs = dirs.existingParent(artifact.path);
    // A killed checkout's temp beside a file artifact (up to the size of a large file): its writer is gone, nobody else will remove it.
    if (abs !== undefined && artifact.pointer.kind === 'file') removeAbandonedTempsOf([abs]);
    const subs = selected.filter((s) => s.startsWith(artifact.path + '/')).map((s) => s.slice(artifact.path.length + 1));
    // Only files inside a directory were asked for: look at those, not at all of its files.
    const whole = selected.length === 0 || selected.some((s) => s === artifact.path || artifact.path.startsWith(s + '/') || s === `${artifact.path}.trove`);
    // A sample narrowed by a path inside it would silently place more than the sample: a caller's bug.
    if (!whole && options.only?.has(artifact.path)) throw new TroveError('INTERNAL', `A sampled checkout of ${artifact.path} must select the whole directory.`);
    const known = whole ? options.only?.get(artifact.path) : options.entries?.get(artifact.path);
    // Switch mode: the work tree is at W (the work index's root), so only the files that differ between W and B are looked at.
    const switched = whole && !known ? await planSwitch(repo, artifact, problems) : undefined;
    if (switched === null) continue; // B's pages are missing: reported in problems
    if (switched) {
      plans.push({ artifact, plan: switched, mode: 'switch', root: workRootOf(repo, artifact) });
      continue;
    }
    // Nothing there (a fresh clone's pull): every file is written, nothing can be dirty, so the plan is made and applied a batch of leaves at a time.
    if (whole && !known && subs.length === 0 && artifact.pointer.kind === 'dir' && isAbsent(repo, artifact.path)) {
      try {
        const fresh = planFresh(repo, artifact.path, artifact.pointer.oid);
        plans.push({ artifact, plan: { writes: [], deletes: [], dirty: [], unchanged: 0, whole: true }, mode: 'repair', root: workRootOf(repo, artifact), fresh });
      } catch (err) {
        if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
        problems.push(err);
      }
      continue;
    }
    // A directory already at B whose files were deleted or edited: only the chunks that changed are compared.
    const repaired = whole && !known && subs.length === 0 ? await planRepair(repo, artifact) : undefined;
    if (repaired) {
      plans.push({ artifact, plan: repaired, mode: 'repair', root: workRootOf(repo, artifact) });
      continue;
    }
    let desired: readonly ManifestEntry[];
    try {
      desired = artifact.pointer.kind === 'file' ? [pointerAsEntry(artifact.pointer)] : known ?? readManifest(repo.store, artifact.pointer.oid, artifact.path);
    } catch (err) {
      if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
      problems.push(err);
      continue;
    }
    if (!whole && !known && artifact.pointer.kind === 'dir') requireSelectedEntries(artifact.path, subs, desired, options.rev ? `at ${options.rev}` : 'at this version');
    // A few files inside a directory (a hook's restore): reading them beats parsing a large stat cache.
    const work = await readWorkState(repo, artifact.path, !whole && subs.length > 0 ? { under: subs, hashSmall: true } : {});
    plans.push({ artifact, plan: planCheckout(repo, artifact, desired, work, subs), mode: known && whole ? 'sample' : 'repair', root: workRootOf(repo, artifact) });
  }
  const dirty = plans.flatMap((p) => p.plan.dirty);
  if (dirty.length > 0 && !options.force) {
    throw new TroveError('DIRTY', `Local changes would be overwritten: ${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ` and ${dirty.length - 5} more` : ''}.`, {
      hint: 'Keep them with trove add, or run again with --force (their content is saved in the store first).',
      data: { paths: dirty },
    });
  }
  const saved = await saveDirty(repo, dirty);
  if (plans.some((p) => p.plan.writes.length > 0 || (p.fresh?.bytes ?? 0) > 0 || (p.fresh?.refs.length ?? 0) > 0)) await ensureTempsIgnored(repo);
  const result: CheckoutResult = { artifacts: [], written: 0, deleted: 0, saved, pointers: [], strategy };
  const totalBytes = plans.reduce((s, p) => s + (p.fresh?.bytes ?? 0) + p.plan.writes.reduce((t, e) => t + e.size, 0), 0);
  repo.reporter.start('Checking out', totalBytes, 'bytes');
  try {
    for (const { artifact, plan, mode, root, fresh } of plans) {
      const before = problems.length;
      const counts = fresh ? await applyFresh(repo, artifact.path, fresh, strategy, problems, dirs, options.fresh) : await applyPlan(repo, artifact, plan, strategy, problems, dirs);
      recordWorkRoot(repo, artifact, plan, mode, root, problems.length === before);
      result.artifacts.push({ path: artifact.path, ...counts });
      (result as { written: number }).written += counts.written;
      (result as { deleted: number }).deleted += counts.deleted;
      if (options.rev && plan.whole) {
        if (await writeWorkPointer(repo, artifact.path, artifact.pointer, dirs)) result.pointers.push(`${artifact.path}.trove`);
        await ensureIgnored(repo, artifact.path, dirs);
      }
    }
  } finally {
    repo.reporter.end();
  }
  if (problems.length > 0) throw summarize(problems, result);
  return result;
}

/** Nothing at all at the path (not even a dangling link): what a fresh clone's pull finds. */
function isAbsent(repo: Repo, path: string): boolean {
  try {
    lstatSync(absPath(repo, path));
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

async function saveDirty(repo: Repo, dirty: readonly string[]): Promise<SavedCopy[]> {
  const files = dirty.flatMap((p) => {
    try {
      const st = lstatSync(absPath(repo, p));
      return st.isFile() ? [{ repoPath: p, abs: absPath(repo, p), size: st.size, ino: st.ino, mtimeMs: st.mtimeMs }] : [];
    } catch {
      // gone since the scan (or not a file we can stat): there is nothing here we could save a copy of
      return [];
    }
  });
  if (files.length === 0) return [];
  const { hexes } = await hashFiles(repo, files, { store: true, progress: 'Saving local changes' });
  // Recorded before anything is overwritten: a copy nobody can name is a copy lost.
  return recordSavedCopies(repo, files.map((f, i) => ({ path: f.repoPath, oid: `sha256:${hexes[i]}`, size: f.size })));
}

async function applyPlan(repo: Repo, artifact: Artifact, plan: CheckoutPlan, strategy: LinkStrategy, problems: TroveError[], dirs: WorkTreeDirs): Promise<{ written: number; deleted: number; unchanged: number }> {
  const root = artifact.path;
  for (const rel of plan.deletes) {
    const p = rel === '' ? root : joinRepoPath(root, rel);
    try {
      const abs = dirs.existingParent(p);
      if (abs !== undefined) rmSync(abs, { recursive: true, force: true });
    } catch (err) {
      throw fromFsError(err, 'removing', p);
    }
    dirs.forget(p);
    // A deleted entry is a file or a link, never a directory: its own row goes, without loading the whole cache to walk its keys (S12).
    if (rel === '') repo.statCache.deletePrefix(p);
    else repo.statCache.delete(p);
  }
  if (artifact.pointer.kind === 'dir') dropDeleted(repo.workIndex(root), plan.deletes.filter((rel) => rel !== ''));
  if (plan.deletes.length > 0) pruneEmptyDirs(root, plan.deletes, dirs);
  const written = await placeEntries(repo, root, plan.writes, strategy, problems, dirs, (e, p, st) => repo.statCache.set(p, st, e.oid.hex));
  return { written, deleted: plan.deletes.length, unchanged: plan.unchanged };
}

/**
 * How a directory was planned. `switch`: over diffManifests(W, B) only;
 * `repair`: every file compared with B (no usable work index, W = B, a
 * partial selection); `sample`: a sampled checkout (the tree holds part of B).
 */
type CheckoutMode = 'switch' | 'repair' | 'sample';

/** The work index root of a directory artifact: the version checkout (or add) last made its files match; undefined when none is recorded. */
function workRootOf(repo: Repo, artifact: Artifact): string | undefined {
  if (artifact.pointer.kind !== 'dir') return undefined;
  return repo.workIndex(artifact.path).root() || undefined;
}

/**
 * Switch mode (docs/decisions.md, "checkout touches only what differs"):
 * when the work index says the directory's files are at version W, W is
 * not the target B, and W's root page is here, plan over the entries that
 * differ between W and B and lstat only those paths, as `git checkout`
 * touches only the paths that differ between the two commits. Files outside
 * the diff are not looked at: a local edit there stays, as in Git; the
 * dirty check, saved copies and applyPlan are those of repair mode. Returns
 * undefined for repair mode (no index, W = B, W's pages gone, the directory
 * not there as a directory), null when B's pages are missing (in `problems`).
 */
async function planSwitch(repo: Repo, artifact: Artifact, problems: TroveError[]): Promise<CheckoutPlan | undefined | null> {
  const w = workRootOf(repo, artifact);
  const b = artifact.pointer.oid;
  if (w === undefined || w === b.hex || !/^[0-9a-f]{64}$/.test(w)) return undefined;
  const from = createOid('sha256', w);
  if (!repo.store.hasObject(from)) return undefined;
  let d: { from: ManifestEntry[]; to: ManifestEntry[] };
  try {
    d = diffManifests(repo.store, from, b, artifact.path);
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    // Which side is missing is not known here: a page of W gone means repair; one of B is the same problem repair would report.
    if (!repo.store.hasObject(b)) {
      problems.push(err);
      return null;
    }
    return undefined;
  }
  const paths = [...new Set([...d.from.map((e) => e.path), ...d.to.map((e) => e.path)])].sort();
  const work = await readWorkState(repo, artifact.path, { under: paths, hashSmall: true });
  // Gone, or a file where the directory was: repair mode looks at (and restores) everything.
  if (work.kind !== 'dir') return undefined;
  return { ...planCheckout(repo, artifact, d.to, work, paths), whole: true };
}

/**
 * Keep the work index root true: it names the version the directory's
 * files were last made to match by trove, which switch mode trusts for
 * every path outside the diff. A whole checkout that placed every file
 * makes it B; anything that leaves the tree at neither W nor B (a sample, a
 * partial checkout away from W, files that could not be placed) clears it,
 * so the next checkout repairs. Saved with the other caches at the end of
 * the command: a checkout killed before that leaves W, and the next
 * checkout plans diff(W, B) again, which covers everything this one touched.
 */
function recordWorkRoot(repo: Repo, artifact: Artifact, plan: CheckoutPlan, mode: CheckoutMode, root: string | undefined, complete: boolean): void {
  if (artifact.pointer.kind !== 'dir') return;
  const b = artifact.pointer.oid.hex;
  const index = repo.workIndex(artifact.path);
  if (mode !== 'sample' && plan.whole && complete) index.splice(b, 0, 0, [], []);
  else if (root !== undefined && (root !== b || !complete)) index.splice('', 0, 0, [], []);
}

function summarize(problems: TroveError[], result: CheckoutResult): TroveError {
  const first = problems[0]!;
  if (problems.length === 1) return new TroveError(first.code, first.message, { hint: first.hint, data: { ...first.data, result } });
  const paths = problems.map((p) => String(p.data?.path ?? '?'));
  const corrupt = problems.some((p) => p.code === 'CORRUPT_OBJECT');
  return new TroveError(corrupt ? 'CORRUPT_OBJECT' : 'OBJECT_MISSING', `${problems.length} files could not be checked out (${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', …' : ''}): their content is ${corrupt ? 'missing or corrupt' : 'missing'} in the local store.`, {
    hint: first.hint,
    data: { paths, result, oids: problems.map((p) => p.data?.oid ?? null) },
  });
}

