import { TroveError, isTroveError } from '../../errors/index.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { formatOid } from '../../core/oid.js';
import { pairEntries } from '../../core/pairEntries.js';
import type { Pointer } from '../../core/pointer.js';
import { diffManifests } from '../../store/diffManifests.js';
import { readManifest } from '../../store/manifestIO.js';
import { pointersAtRevs, type PointerAtRev } from './pointersAtRevs.js';
import { toRepoPath, type Repo } from '../Repo.js';

/** One file that differs between two versions of a tracked path. */
export interface DataDiffFile {
  /** path inside the tracked directory; "" for a tracked file itself */
  readonly path: string;
  readonly change: 'added' | 'removed' | 'modified';
  /** size in `from` (absent when added) */
  readonly oldSize?: number;
  /** size in `to` (absent when removed) */
  readonly newSize?: number;
}

/** One side of a data diff. */
export interface DataDiffSide {
  readonly rev: string;
  readonly commit: string;
  /** false when the path is not tracked at that commit (everything on the other side is added or removed) */
  readonly present: boolean;
  readonly kind?: 'file' | 'dir';
  readonly oid?: string;
  readonly size?: number;
  readonly files?: number;
}

export interface DataDiffResult {
  readonly path: string;
  readonly from: DataDiffSide;
  readonly to: DataDiffSide;
  /** every differing file, sorted by path */
  readonly files: DataDiffFile[];
  readonly totals: {
    readonly added: number;
    readonly removed: number;
    readonly modified: number;
    readonly bytesAdded: number;
    readonly bytesRemoved: number;
    /** bytes of the modified files in `from` */
    readonly bytesModifiedOld: number;
    /** bytes of the modified files in `to` */
    readonly bytesModifiedNew: number;
    /** to's size minus from's */
    readonly sizeDelta: number;
  };
}

/**
 * Files added, removed and changed in one tracked path between two
 * revisions. Two directory versions are compared with diffManifests (only
 * the manifest pages that differ are read); a manifest that is not in the
 * local store is OBJECT_MISSING with the `trove fetch` that brings it.
 */
export async function dataDiff(repo: Repo, options: { path: string; from: string; to: string }): Promise<DataDiffResult> {
  const path = toRepoPath(repo, options.path);
  const [a, b] = await pointersAtRevs(repo, path, [options.from, options.to]);
  if (!a!.pointer && !b!.pointer) {
    throw new TroveError('NOT_TRACKED', `${path} is tracked neither at ${options.from} nor at ${options.to}.`, { hint: `List its versions with trove log ${path}.`, data: { path } });
  }
  const { from, to } = differingEntries(repo, path, a!, b!);
  const files = pair(from, to);
  let bytesAdded = 0;
  let bytesRemoved = 0;
  let bytesModifiedOld = 0;
  let bytesModifiedNew = 0;
  const count = { added: 0, removed: 0, modified: 0 };
  for (const f of files) {
    count[f.change]++;
    if (f.change === 'added') bytesAdded += f.newSize!;
    else if (f.change === 'removed') bytesRemoved += f.oldSize!;
    else {
      bytesModifiedOld += f.oldSize!;
      bytesModifiedNew += f.newSize!;
    }
  }
  const sizeDelta = (b!.pointer?.size ?? 0) - (a!.pointer?.size ?? 0);
  return { path, from: side(a!), to: side(b!), files, totals: { ...count, bytesAdded, bytesRemoved, bytesModifiedOld, bytesModifiedNew, sizeDelta } };
}

function side(s: PointerAtRev): DataDiffSide {
  const p = s.pointer;
  return { rev: s.rev, commit: s.commit, present: p !== undefined, ...(p ? { kind: p.kind, oid: formatOid(p.oid), size: p.size, files: p.kind === 'file' ? 1 : (p.files ?? 0) } : {}) };
}

/** The entries of each side that the other side does not hold identically (a tracked file is one entry named ""). */
function differingEntries(repo: Repo, path: string, a: PointerAtRev, b: PointerAtRev): { from: ManifestEntry[]; to: ManifestEntry[] } {
  const pa = a.pointer;
  const pb = b.pointer;
  try {
    if (pa?.kind === 'dir' && pb?.kind === 'dir') return diffManifests(repo.store, pa.oid, pb.oid, path);
    return { from: allEntries(repo, path, pa), to: allEntries(repo, path, pb) };
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    const missing = pa && !hasManifest(repo, pa) ? a : b;
    throw new TroveError('OBJECT_MISSING', `The file list of ${path} at ${missing.rev} (its directory manifest) is not in the local store.`, {
      hint: `Fetch it: trove fetch --rev ${missing.commit.slice(0, 12)} ${path}`,
      data: { path, rev: missing.rev, commit: missing.commit },
      cause: err,
    });
  }
}

function hasManifest(repo: Repo, p: Pointer): boolean {
  if (p.kind === 'file') return true;
  try {
    readManifest(repo.store, p.oid, '');
    return true;
  } catch {
    // only picks which side to name: the OBJECT_MISSING error is raised by the caller either way
    return false;
  }
}

function allEntries(repo: Repo, path: string, p: Pointer | undefined): ManifestEntry[] {
  if (!p) return [];
  if (p.kind === 'file') return [{ path: '', mode: p.executable ? 'x' : 'f', size: p.size, oid: p.oid }];
  return readManifest(repo.store, p.oid, path);
}

/** Two path-sorted entry lists as changes (pairEntries' pairs, named as the data diff names them). */
function pair(from: readonly ManifestEntry[], to: readonly ManifestEntry[]): DataDiffFile[] {
  return pairEntries(from, to).map(({ path, from: x, to: y }): DataDiffFile =>
    !y ? { path, change: 'removed', oldSize: x!.size } : !x ? { path, change: 'added', newSize: y.size } : { path, change: 'modified', oldSize: x.size, newSize: y.size },
  );
}
