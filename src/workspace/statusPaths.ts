import { lstatSync } from 'node:fs';
import type { ManifestEntry } from '../core/manifest.js';
import { isTroveError } from '../errors/index.js';
import { readManifest } from '../store/manifestIO.js';
import { isInStore } from './isInStore.js';
import { listWorkArtifacts, type Artifact } from './pointers.js';
import { absPath, toRepoPath, type Repo } from './Repo.js';
import { scanTree, type ScanResult } from './scanTree.js';
import { scanSignature } from './scanSignature.js';
import { compareEntries, isUnchanged, pointerAsEntry, readWorkState, storeObjectsDir, type EntryChanges } from './workState.js';

export type ArtifactState = 'unchanged' | 'modified' | 'missing' | 'unknown';

export interface ArtifactStatus {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  /** work tree compared with the pointer; `unknown` when the directory's manifest is not in the store */
  readonly state: ArtifactState;
  /** is every object the pointer needs present in the local store? */
  readonly inCache: boolean;
  /** for a directory: which files were added, modified, deleted */
  readonly changes?: EntryChanges;
}

export interface StatusResult {
  readonly artifacts: ArtifactStatus[];
  /** files whose content had to be read (stat-cache misses) */
  readonly hashed: number;
  readonly clean: boolean;
}

/** Compare the work tree with its pointers, reading only files whose stat changed. */
export async function statusPaths(repo: Repo, inputs: readonly string[] = []): Promise<StatusResult> {
  const artifacts = await listWorkArtifacts(repo, inputs.map((i) => toRepoPath(repo, i)));
  const out: ArtifactStatus[] = [];
  let hashed = 0;
  for (const a of artifacts) {
    const s = await statusOne(repo, a);
    hashed += s.hashed;
    out.push(s.status);
  }
  return { artifacts: out, hashed, clean: out.every((a) => a.state === 'unchanged' && a.inCache) };
}

async function statusOne(repo: Repo, a: Artifact): Promise<{ status: ArtifactStatus; hashed: number }> {
  const { pointer } = a;
  const base = { path: a.path, kind: pointer.kind };
  // Fast path: a directory whose scan signature matches the version its pointer names.
  let scan: ScanResult | undefined;
  let signature: string | undefined;
  if (pointer.kind === 'dir' && isDirectory(absPath(repo, a.path))) {
    scan = scanTree(absPath(repo, a.path), a.path, storeObjectsDir(repo));
    signature = scanSignature(scan);
    if (signature && repo.dirSignatures.matches(a.path, signature, pointer.oid.hex)) {
      return { status: { ...base, state: 'unchanged', inCache: isInStore(repo, a) }, hashed: 0 };
    }
  }
  let expected: ManifestEntry[] | undefined;
  if (pointer.kind === 'file') expected = [pointerAsEntry(pointer)];
  else {
    try {
      expected = readManifest(repo.store, pointer.oid, a.path);
    } catch (err) {
      if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    }
  }
  const cached = isInStore(repo, a, expected);
  const work = await readWorkState(repo, a.path, scan ? { scan } : {});
  const withCache = { ...base, inCache: cached };
  if (work.kind === 'missing') return { status: { ...withCache, state: 'missing' }, hashed: 0 };
  const actual: ManifestEntry[] = work.kind === 'file' ? [work.entry] : work.kind === 'dir' ? work.entries : [];
  if ((work.kind === 'file') !== (pointer.kind === 'file') || work.kind === 'other') return { status: { ...withCache, state: 'modified' }, hashed: work.hashed };
  if (expected === undefined) return { status: { ...withCache, state: 'unknown' }, hashed: work.hashed };
  const changes = compareEntries(expected, actual);
  const state = isUnchanged(changes) ? 'unchanged' : 'modified';
  if (state === 'unchanged' && signature) repo.dirSignatures.record(a.path, signature, pointer.oid.hex);
  return { status: { ...withCache, state, ...(pointer.kind === 'dir' && state === 'modified' ? { changes } : {}) }, hashed: work.hashed };
}

function isDirectory(abs: string): boolean {
  try {
    return lstatSync(abs).isDirectory();
  } catch {
    return false;
  }
}
