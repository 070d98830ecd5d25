import type { ManifestEntry } from '../core/manifest.js';
import { isTroveError } from '../errors/index.js';
import { readManifest } from '../store/manifestIO.js';
import { listWorkArtifacts, type Artifact } from './pointers.js';
import { toRepoPath, type Repo } from './Repo.js';
import { compareEntries, isUnchanged, pointerAsEntry, readWorkState, type EntryChanges } from './workState.js';

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
  let expected: ManifestEntry[] | undefined;
  if (pointer.kind === 'file') expected = [pointerAsEntry(pointer)];
  else {
    try {
      expected = readManifest(repo.store, pointer.oid, a.path);
    } catch (err) {
      if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    }
  }
  const inCache = expected !== undefined && repo.store.hasFiles(expected.flatMap((e) => (e.mode === 'l' ? [] : [e.oid]))).every(Boolean);
  const work = await readWorkState(repo, a.path);
  const base = { path: a.path, kind: pointer.kind, inCache };
  if (work.kind === 'missing') return { status: { ...base, state: 'missing' }, hashed: 0 };
  const actual: ManifestEntry[] = work.kind === 'file' ? [work.entry] : work.kind === 'dir' ? work.entries : [];
  if ((work.kind === 'file') !== (pointer.kind === 'file') || work.kind === 'other') return { status: { ...base, state: 'modified' }, hashed: work.hashed };
  if (expected === undefined) return { status: { ...base, state: 'unknown' }, hashed: work.hashed };
  const changes = compareEntries(expected, actual);
  const state = isUnchanged(changes) ? 'unchanged' : 'modified';
  return { status: { ...base, state, ...(pointer.kind === 'dir' && state === 'modified' ? { changes } : {}) }, hashed: work.hashed };
}

