import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { createOid } from '../../core/oid.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { pairEntries } from '../../core/pairEntries.js';
import type { Pointer } from '../../core/pointer.js';
import { hashFiles } from './hashFiles.js';
import { absPath, type Repo } from '../Repo.js';
import { scanTree, type ScanResult } from './scanTree.js';
import { storeLinkHex } from '../../store/storeLinkHex.js';

/** What is in the work tree at an artifact's path, as manifest entries. */
export type WorkState =
  | { readonly kind: 'missing' }
  | { readonly kind: 'file'; readonly entry: ManifestEntry; readonly stat: { ino: number; size: number; mtimeMs: number } }
  | { readonly kind: 'dir'; readonly entries: ManifestEntry[]; readonly scan: ScanResult }
  | { readonly kind: 'other' };

/**
 * Scan and hash (through the stat cache, without storing) what the work tree
 * holds at `path`. `store: true` also puts the content into the store, which
 * is what add and checkout --force need. `under` limits a directory to those
 * paths inside it (the rest of it is then not looked at). `hashSmall` lets a
 * few small files be read instead of loading the stat cache (see hashFiles):
 * for callers that only need the digests, not a count of files read.
 */
export async function readWorkState(repo: Repo, path: string, options: { store?: boolean; progress?: string; scan?: ScanResult; under?: readonly string[]; hashSmall?: boolean } = {}): Promise<WorkState & { hashed: number }> {
  const abs = absPath(repo, path);
  let st;
  try {
    st = lstatSync(abs);
  } catch {
    // nothing at the path we can stat: the artifact reads as missing from the work tree, which status and checkout report
    return { kind: 'missing', hashed: 0 };
  }
  const linkHex = st.isSymbolicLink() ? storeLinkHex(readlinkSync(abs), storeObjectsDir(repo)) : undefined;
  if (linkHex) {
    const size = statSync(abs).size;
    return { kind: 'file', entry: { path: '', mode: 'f', size, oid: createOid('sha256', linkHex) }, stat: { ino: st.ino, size, mtimeMs: st.mtimeMs }, hashed: 0 };
  }
  if (st.isFile()) {
    const stat = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    const { hexes, hashed } = await hashFiles(repo, [{ repoPath: path, abs, ...stat }], { store: options.store ?? false, progress: options.progress ?? `Checking ${path}` });
    const mode = (st.mode & 0o111) !== 0 ? 'x' : 'f';
    return { kind: 'file', entry: { path: '', mode, size: st.size, oid: createOid('sha256', hexes[0]!) }, stat, hashed };
  }
  if (st.isSymbolicLink()) return { kind: 'other', hashed: 0 };
  if (!st.isDirectory()) return { kind: 'other', hashed: 0 };
  const scan = options.scan ?? scanTree(abs, path, storeObjectsDir(repo), options.under);
  const regular = scan.files.filter((f) => f.kind === 'file' && f.knownHex === undefined);
  const { hexes, hashed } = await hashFiles(
    repo,
    regular.map((f) => ({ repoPath: `${path}/${f.path}`, abs: `${abs}/${f.path}`, size: f.size, ino: f.ino, mtimeMs: f.mtimeMs })),
    { store: options.store ?? false, progress: options.progress ?? `Checking ${path}`, hashSmall: options.hashSmall ?? false },
  );
  let k = 0;
  const entries: ManifestEntry[] = scan.files.map((f) => {
    if (f.kind === 'link') return { path: f.path, mode: 'l', size: 0, target: f.target! };
    return { path: f.path, mode: f.executable ? 'x' : 'f', size: f.size, oid: createOid('sha256', f.knownHex ?? hexes[k++]!) };
  });
  return { kind: 'dir', entries, scan, hashed };
}

/** A file pointer as a single manifest entry, so files and directories compare the same way. */
export function pointerAsEntry(p: Pointer): ManifestEntry {
  return { path: '', mode: p.executable ? 'x' : 'f', size: p.size, oid: p.oid };
}

export interface EntryChanges {
  readonly added: { path: string; size: number }[];
  readonly deleted: { path: string; size: number }[];
  readonly modified: { path: string; oldSize: number; newSize: number }[];
}

/** What changed from one sorted entry list to another (added, deleted, modified): pairEntries' pairs, by kind. */
export function diffEntries(from: readonly ManifestEntry[], to: readonly ManifestEntry[]): EntryChanges {
  const changes: EntryChanges = { added: [], deleted: [], modified: [] };
  for (const { path, from: a, to: b } of pairEntries(from, to)) {
    if (!b) changes.deleted.push({ path, size: a!.size });
    else if (!a) changes.added.push({ path, size: b.size });
    else changes.modified.push({ path, oldSize: a.size, newSize: b.size });
  }
  return changes;
}

export function isUnchanged(c: EntryChanges): boolean {
  return c.added.length === 0 && c.deleted.length === 0 && c.modified.length === 0;
}


/** Where `--link symlink` points: symlinks into here are the stored files they name. */
export function storeObjectsDir(repo: Repo): string {
  return repo.store.symlinkRoot();
}
