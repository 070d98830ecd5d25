import type { Oid } from '../../core/oid.js';
import { isTroveError } from '../../errors/index.js';
import { readManifest } from '../../store/manifestIO.js';
import { requireSelectedEntries } from '../stage/requireSelectedEntries.js';
import { listRevArtifacts, listWorkArtifacts, matches, type Artifact } from './pointers.js';
import { toRepoPath, type Repo } from '../Repo.js';

export interface ArtifactSelection {
  readonly paths?: readonly string[];
  /** also what these revisions need */
  readonly revs?: readonly string[];
  readonly allBranches?: boolean;
  readonly allTags?: boolean;
  /** include the work tree's pointers (default true) */
  readonly workTree?: boolean;
}

/** An artifact to transfer, optionally narrowed to some files of a directory. */
export interface SelectedArtifact {
  readonly kind: 'file' | 'dir';
  readonly oid: Oid;
  readonly what: string;
  readonly select?: (pathInDir: string) => boolean;
  /** paths inside the directory not yet checked against its listing (it was not here): checkFetchedSelections after the fetch */
  readonly unchecked?: readonly string[];
}

/**
 * The artifacts a push or fetch moves: the work tree's pointers (optionally
 * only under `paths`), plus those of other revisions. A path inside a tracked
 * directory narrows that directory to the files under it (granular fetch).
 */
export async function selectArtifacts(repo: Repo, sel: ArtifactSelection): Promise<SelectedArtifact[]> {
  const paths = (sel.paths ?? []).map((p) => toRepoPath(repo, p));
  const revs = [...(sel.revs ?? [])];
  if (sel.allBranches) revs.push(...(await refs(repo, 'refs/heads')));
  if (sel.allTags) revs.push(...(await refs(repo, 'refs/tags')));
  const found: Artifact[] = [];
  if (sel.workTree !== false) found.push(...(await listWorkArtifacts(repo, paths)));
  const fromWorkTree = new Set(found);
  // Another branch may lack a path: narrow without insisting that every revision has it.
  for (const rev of revs) found.push(...(await listRevArtifacts(repo, rev)).filter((a) => paths.length === 0 || paths.some((p) => matches(p, a.path))));
  const out = new Map<string, SelectedArtifact>();
  for (const a of found) {
    const subs = paths.filter((p) => p.startsWith(a.path + '/')).map((p) => p.slice(a.path.length + 1));
    const whole = paths.length === 0 || paths.some((p) => p === a.path || a.path.startsWith(p + '/') || p === `${a.path}.trove`);
    const select = !whole && a.pointer.kind === 'dir' && subs.length ? (e: string) => subs.some((s) => e === s || e.startsWith(s + '/')) : undefined;
    const checked = select && fromWorkTree.has(a) ? checkSelection(repo, a.path, a.pointer.oid, subs) : true;
    const key = `${a.pointer.kind}:${a.pointer.oid.hex}:${select ? subs.join('\0') : ''}`;
    if (!out.has(key)) out.set(key, { kind: a.pointer.kind, oid: a.pointer.oid, what: a.path, ...(select ? { select } : {}), ...(checked ? {} : { unchecked: subs }) });
  }
  return [...out.values()];
}

/**
 * A path inside a directory must name something in it; checked when the
 * directory's listing is here. Returns false when it is not (a fetch brings
 * it: checkFetchedSelections then checks, and pull's checkout too).
 */
function checkSelection(repo: Repo, dir: string, oid: Oid, subs: readonly string[]): boolean {
  let entries;
  try {
    entries = readManifest(repo.store, oid, dir);
  } catch (err) {
    if (isTroveError(err, 'OBJECT_MISSING')) return false;
    throw err;
  }
  requireSelectedEntries(dir, subs, entries);
  return true;
}

/**
 * After a fetch: the paths inside directories whose listing only the fetch
 * brought must name something there (`trove fetch imgs/nonexistent.bin`
 * in a fresh clone fetched nothing and exited 0). A listing still missing
 * (the fetch failed) is left to the fetch's own error.
 */
export function checkFetchedSelections(repo: Repo, artifacts: readonly SelectedArtifact[]): void {
  for (const a of artifacts) if (a.unchecked) checkSelection(repo, a.what, a.oid, a.unchecked);
}

async function refs(repo: Repo, prefix: string): Promise<string[]> {
  const res = await repo.git.run(['for-each-ref', '--format=%(objectname)', prefix]);
  return [...new Set(res.stdout.toString('utf8').split('\n').filter(Boolean))];
}
