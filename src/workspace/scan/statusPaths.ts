import { lstatSync } from 'node:fs';
import type { ManifestEntry } from '../../core/manifest.js';
import { isTroveError } from '../../errors/index.js';
import { readManifest } from '../../store/manifestIO.js';
import { isInStore } from '../pointers/isInStore.js';
import { invalidWorkPointers, listWorkArtifacts, type Artifact } from '../pointers/pointers.js';
import { absPath, toRepoPath, type Repo } from '../Repo.js';
import { streamChunkedState } from './streamChunkedState.js';
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
 * (streamChunkedState) compares only the chunks whose scan changed with the
 * leaves of the pointer's version they should equal, so a status after one
 * change reads one row block and one leaf, not the tree; and it compares
 * them a range of paths at a time, so what it holds is what differs.
 */
async function dirStatus(repo: Repo, a: Artifact): Promise<{ status: ArtifactStatus; hashed: number }> {
  const base = { path: a.path, kind: a.pointer.kind };
  const acc = new Comparison(repo);
  let state;
  try {
    state = await streamChunkedState(repo, a.path, a.pointer.oid, (b) => acc.add(b.expected, b.actual), { inStore: true });
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    // The version's listing never reached this store: nothing to compare with until it is fetched.
    return { status: { ...base, inCache: false, state: 'unknown', next: `trove fetch ${shellArg(a.path)}` }, hashed: 0 };
  }
  const inCache = state.inStoreByMarkers() ?? isInStore(repo, a);
  const out = { status: acc.status(a, { ...base, inCache }), hashed: state.hashed };
  state.record();
  return out;
}

/** The status of an artifact from its expected and actual entries (for a directory, only the parts that may differ). */
function compare(repo: Repo, a: Artifact, withCache: { path: string; kind: 'file' | 'dir'; inCache: boolean }, expected: readonly ManifestEntry[], actual: readonly ManifestEntry[], hashed: number): { status: ArtifactStatus; hashed: number } {
  const acc = new Comparison(repo);
  acc.add(expected, actual);
  return { status: acc.status(a, withCache), hashed };
}

/**
 * Expected and actual entries compared in parts, each a range of paths with
 * both sides whole (the status engine's batches): every answer is per path,
 * so the parts' answers join into the answer for the whole.
 */
class Comparison {
  private readonly changes: { added: EntryChanges['added']; deleted: EntryChanges['deleted']; modified: EntryChanges['modified'] } = { added: [], deleted: [], modified: [] };
  /** deletions whose content the store lacks */
  private readonly notFetched: EntryChanges['deleted'] = [];
  /** a changed file holds content the store has never seen (the next step is add, not checkout) */
  private unstored = false;

  constructor(private readonly repo: Repo) {}

  add(expected: readonly ManifestEntry[], actual: readonly ManifestEntry[]): void {
    const compared = diffEntries(expected, actual);
    // A file absent here whose content the store lacks was never fetched (a partial pull): not a deletion to record.
    const wanted = new Map(compared.deleted.length ? expected.map((e) => [e.path, e]) : []);
    const isFetched = (path: string): boolean => {
      const e = wanted.get(path);
      return e === undefined || e.mode === 'l' || this.repo.store.hasFile(e.oid);
    };
    for (const d of compared.deleted) {
      if (isFetched(d.path)) this.changes.deleted.push(d);
      else this.notFetched.push(d);
    }
    for (const x of compared.added) this.changes.added.push(x);
    for (const x of compared.modified) this.changes.modified.push(x);
    if (!this.unstored && (compared.added.length > 0 || compared.modified.length > 0)) {
      // Data that differs only by content the store has (another committed version) is restored with checkout; content never seen is added.
      const touched = new Set([...compared.added.map((c) => c.path), ...compared.modified.map((c) => c.path)]);
      this.unstored = actual.some((e) => touched.has(e.path) && e.mode !== 'l' && !this.repo.store.hasFile(e.oid));
    }
  }

  status(a: Artifact, withCache: { path: string; kind: 'file' | 'dir'; inCache: boolean }): ArtifactStatus {
    const { pointer } = a;
    const arg = shellArg(a.path);
    const changes = this.changes;
    // Only a directory's files can be "not fetched": a file artifact's deletion stays a deletion.
    const notFetched = pointer.kind === 'dir' ? this.notFetched.map((d) => d.path) : [];
    if (pointer.kind !== 'dir') for (const d of this.notFetched) changes.deleted.push(d);
    const unchanged = isUnchanged(changes);
    const state = !unchanged ? 'modified' : notFetched.length ? 'missing' : 'unchanged';
    const next = unchanged ? (notFetched.length ? `trove pull ${arg}` : undefined) : this.unstored ? `trove add ${arg}` : `trove checkout ${arg}`;
    return { ...withCache, state, ...(pointer.kind === 'dir' && !unchanged ? { changes } : {}), ...(notFetched.length ? { notFetched } : {}), ...(next ? { next } : {}) };
  }
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
