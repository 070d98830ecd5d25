import { lstatSync } from 'node:fs';
import type { ManifestEntry } from '../../core/manifest.js';
import { isTroveError } from '../../errors/index.js';
import { readManifest } from '../../store/manifestIO.js';
import { isInStore } from '../pointers/isInStore.js';
import { invalidWorkPointers, listWorkArtifacts, type Artifact } from '../pointers/pointers.js';
import { absPath, toRepoPath, type Repo } from '../Repo.js';
import { readChunkedState } from './readChunkedState.js';
import { diffEntries, isUnchanged, pointerAsEntry, readWorkState, type EntryChanges } from './workState.js';

export type ArtifactState = 'unchanged' | 'modified' | 'missing' | 'unknown';

export interface ArtifactStatus {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  /** work tree compared with the pointer; `unknown` when the directory's manifest is not in the store */
  readonly state: ArtifactState;
  /** is every object the pointer needs present in the local store? */
  readonly inCache: boolean;
  /** for a directory: which files were added, modified, deleted (files never fetched are not "deleted": see notFetched) */
  readonly changes?: EntryChanges;
  /**
   * Files of a directory absent from the work tree whose content is not in
   * the local store either (a partial pull): not fetched, never deleted.
   * Such a directory is `missing` when nothing else differs.
   */
  readonly notFetched?: string[];
  /** the command that resolves this state, when it is not `unchanged` */
  readonly next?: string;
}

export interface StatusResult {
  readonly artifacts: ArtifactStatus[];
  /** files whose content had to be read (stat-cache misses) */
  readonly hashed: number;
  readonly clean: boolean;
  /** pointer files that could not be read (edited into garbage): every other artifact is still reported */
  readonly invalidPointers: { readonly path: string; readonly file: string; readonly line?: number; readonly message: string; readonly hint: string }[];
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
  const invalidPointers = [...invalidWorkPointers(repo)].map(([path, err]) => ({ path, file: String(err.data?.file ?? ''), ...(typeof err.data?.line === 'number' ? { line: err.data.line } : {}), message: err.message, hint: err.hint ?? '' }));
  return { artifacts: out, hashed, clean: invalidPointers.length === 0 && out.every((a) => a.state === 'unchanged' && a.inCache), invalidPointers };
}

async function statusOne(repo: Repo, a: Artifact): Promise<{ status: ArtifactStatus; hashed: number }> {
  const { pointer } = a;
  const base = { path: a.path, kind: pointer.kind };
  if (pointer.kind === 'dir' && isDirectory(absPath(repo, a.path))) return dirStatus(repo, a);
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
  const work = await readWorkState(repo, a.path);
  const withCache = { ...base, inCache: cached };
  const arg = shellArg(a.path);
  if (work.kind === 'missing') return { status: { ...withCache, state: 'missing', next: cached ? `trove checkout ${arg}` : `trove pull ${arg}` }, hashed: 0 };
  const actual: ManifestEntry[] = work.kind === 'file' ? [work.entry] : work.kind === 'dir' ? work.entries : [];
  if ((work.kind === 'file') !== (pointer.kind === 'file') || work.kind === 'other') return { status: { ...withCache, state: 'modified', next: `trove add ${arg}` }, hashed: work.hashed };
  if (expected === undefined) {
    // The version's listing never reached this store: nothing to compare with until it is fetched.
    return { status: { ...withCache, state: 'unknown', next: `trove fetch ${arg}` }, hashed: work.hashed };
  }
  return compare(repo, a, withCache, expected, actual, work.hashed);
}

/**
 * A tracked directory present in the work tree: the chunked engine
 * (readChunkedState) compares only the chunks whose scan changed with the
 * leaves of the pointer's version they should equal, so a status after one
 * change reads one row block and one leaf, not the tree.
 */
async function dirStatus(repo: Repo, a: Artifact): Promise<{ status: ArtifactStatus; hashed: number }> {
  const base = { path: a.path, kind: a.pointer.kind };
  let state;
  try {
    state = await readChunkedState(repo, a.path, a.pointer.oid);
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    // The version's listing never reached this store: nothing to compare with until it is fetched.
    return { status: { ...base, inCache: false, state: 'unknown', next: `trove fetch ${shellArg(a.path)}` }, hashed: 0 };
  }
  const inCache = state.inStoreByMarkers() ?? isInStore(repo, a);
  const out = compare(repo, a, { ...base, inCache }, state.expected, state.actual, state.hashed);
  state.record();
  return out;
}

/** The status of an artifact from its expected and actual entries (for a directory, only the parts that may differ). */
function compare(repo: Repo, a: Artifact, withCache: { path: string; kind: 'file' | 'dir'; inCache: boolean }, expected: readonly ManifestEntry[], actual: readonly ManifestEntry[], hashed: number): { status: ArtifactStatus; hashed: number } {
  const { pointer } = a;
  const arg = shellArg(a.path);
  const compared = diffEntries(expected, actual);
  // A file absent here whose content the store lacks was never fetched (a partial pull): not a deletion to record.
  const wanted = new Map(compared.deleted.length ? expected.map((e) => [e.path, e]) : []);
  const isFetched = (path: string): boolean => {
    const e = wanted.get(path);
    return e === undefined || e.mode === 'l' || repo.store.hasFile(e.oid);
  };
  const notFetched = pointer.kind === 'dir' ? compared.deleted.filter((d) => !isFetched(d.path)).map((d) => d.path) : [];
  const changes = notFetched.length ? { ...compared, deleted: compared.deleted.filter((d) => isFetched(d.path)) } : compared;
  const unchanged = isUnchanged(changes);
  const state = !unchanged ? 'modified' : notFetched.length ? 'missing' : 'unchanged';
  const next = unchanged ? (notFetched.length ? `trove pull ${arg}` : undefined) : nextForChanges(repo, actual, changes, arg);
  return {
    status: { ...withCache, state, ...(pointer.kind === 'dir' && !unchanged ? { changes } : {}), ...(notFetched.length ? { notFetched } : {}), ...(next ? { next } : {}) },
    hashed,
  };
}

/**
 * Data that differs from its pointer only by content the store has (left at
 * another committed version: git reset --hard, a rebase) is restored with
 * checkout; adding it would record the wrong version. Content the store has
 * never seen is a real change, recorded with add.
 */
function nextForChanges(repo: Repo, actual: readonly ManifestEntry[], changes: EntryChanges, arg: string): string {
  const touched = new Set([...changes.added.map((c) => c.path), ...changes.modified.map((c) => c.path)]);
  const unstored = actual.some((e) => touched.has(e.path) && e.mode !== 'l' && !repo.store.hasFile(e.oid));
  return unstored ? `trove add ${arg}` : `trove checkout ${arg}`;
}

/** A path as one shell word (hints are commands to paste). */
function shellArg(p: string): string {
  return /^[A-Za-z0-9._\/@%+=:,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

function isDirectory(abs: string): boolean {
  try {
    return lstatSync(abs).isDirectory();
  } catch {
    // nothing (or nothing we can stat) at abs: no fast path; the full read below reports what is there
    return false;
  }
}
