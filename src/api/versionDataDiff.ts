import { isTroveError } from '../errors/index.js';
import type { ManifestEntry } from '../core/manifest.js';
import { parseOid } from '../core/oid.js';
import { pairEntries } from '../core/pairEntries.js';
import type { VersionRecord } from '../core/registryTypes.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import { diffManifests } from '../store/diffManifests.js';

/** How many changed files a data diff lists by name (the counts and bytes always cover all of them). */
export const DATA_DIFF_LIST_MAX = 100;

export interface DataFileChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'modified';
  /** size in version A (absent when added) */
  readonly sizeA?: number;
  /** size in version B (absent when removed) */
  readonly sizeB?: number;
}

/** Files and bytes changed between two versions' data. */
export interface DataDiff {
  /** false when a version's manifest is not in the local store: only the records' totals are compared */
  readonly available: boolean;
  /** why the files could not be compared (available: false) */
  readonly reason?: string;
  readonly added: number;
  readonly removed: number;
  readonly modified: number;
  /** bytes of the added files */
  readonly bytesAdded: number;
  /** bytes of the removed files */
  readonly bytesRemoved: number;
  /** bytes of the modified files as they are in B */
  readonly bytesModified: number;
  /** B's total size minus A's (from the records, so known even when available is false) */
  readonly sizeDelta: number;
  /** B's file count minus A's (from the records) */
  readonly filesDelta: number;
  /** the first DATA_DIFF_LIST_MAX changes, sorted by path */
  readonly files: readonly DataFileChange[];
  /** true when more changes exist than `files` lists */
  readonly truncated: boolean;
}

type DataSide = Pick<VersionRecord, 'dataOid' | 'dataKind' | 'dataSize' | 'dataFiles' | 'entity' | 'version'>;

/**
 * What changed in the data from version A to version B, read from the local
 * store with store/diffManifests.ts: only the manifest pages that differ are
 * read, so two versions of a 20,000-file dataset that differ in 100 files cost
 * a few pages. When a manifest (or one of its pages) is not in the store the
 * answer is the records' totals with `available: false` and the reason; a
 * metrics diff should not fail because data was never fetched.
 */
export function versionDataDiff(store: ObjectStore, a: DataSide, b: DataSide): DataDiff {
  const totals = { sizeDelta: b.dataSize - a.dataSize, filesDelta: b.dataFiles - a.dataFiles };
  const none = { added: 0, removed: 0, modified: 0, bytesAdded: 0, bytesRemoved: 0, bytesModified: 0, files: [], truncated: false };
  if (a.dataOid === b.dataOid) return { available: true, ...none, ...totals };
  if (a.dataKind === 'file' && b.dataKind === 'file') {
    // One file each: its content changed; the file is the version's path itself.
    return { available: true, ...none, modified: 1, bytesModified: b.dataSize, files: [{ path: '', change: 'modified', sizeA: a.dataSize, sizeB: b.dataSize }], ...totals };
  }
  if (a.dataKind !== 'dir' || b.dataKind !== 'dir') return { available: false, reason: 'one version is a file and the other a directory', ...none, ...totals };
  const oa = parseOid(a.dataOid, `the data of ${a.entity}@${a.version}`);
  const ob = parseOid(b.dataOid, `the data of ${b.entity}@${b.version}`);
  const absent = (which: string): DataDiff => ({ available: false, reason: `${which} not in the local store (trove checkout NAME@VERSION fetches it)`, ...none, ...totals });
  if (!store.hasObject(oa)) return absent(`the data of ${a.entity}@${a.version} is`);
  if (!store.hasObject(ob)) return absent(`the data of ${b.entity}@${b.version} is`);
  let d: { from: ManifestEntry[]; to: ManifestEntry[] };
  try {
    d = diffManifests(store, oa, ob, `${a.entity}@${a.version} and ${b.entity}@${b.version}`);
  } catch (err) {
    if (isTroveError(err, 'OBJECT_MISSING')) return absent('a page of their manifests is');
    throw err;
  }
  return summarize(d.from, d.to, totals);
}

/** Count and list the two sides' differing entries, paired by path (pairEntries; both sorted by path). */
function summarize(from: readonly ManifestEntry[], to: readonly ManifestEntry[], totals: { sizeDelta: number; filesDelta: number }): DataDiff {
  const changes: DataFileChange[] = [];
  let [added, removed, modified, bytesAdded, bytesRemoved, bytesModified] = [0, 0, 0, 0, 0, 0];
  for (const { path, from: fa, to: tb } of pairEntries(from, to)) {
    if (fa && tb) {
      modified++;
      bytesModified += tb.size;
      changes.push({ path, change: 'modified', sizeA: fa.size, sizeB: tb.size });
    } else if (fa) {
      removed++;
      bytesRemoved += fa.size;
      changes.push({ path, change: 'removed', sizeA: fa.size });
    } else if (tb) {
      added++;
      bytesAdded += tb.size;
      changes.push({ path, change: 'added', sizeB: tb.size });
    }
  }
  return { available: true, added, removed, modified, bytesAdded, bytesRemoved, bytesModified, ...totals, files: changes.slice(0, DATA_DIFF_LIST_MAX), truncated: changes.length > DATA_DIFF_LIST_MAX };
}
