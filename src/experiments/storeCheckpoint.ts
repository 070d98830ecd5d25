import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { TroveError, fromFsError } from '../errors/index.js';
import { createOid, formatOid } from '../core/oid.js';
import type { ManifestEntry } from '../core/manifest.js';
import { compareEntries } from '../core/manifestTree.js';
import type { StoredData } from '../core/experimentRecord.js';
import { ingestMany } from '../store/ingestPool.js';
import { writeManifestBatched } from '../store/manifestIO.js';
import type { ObjectStore } from '../store/ObjectStore.js';

export interface StoreTarget {
  readonly store: ObjectStore;
  /** hashing threads (0/undefined = one per core) */
  readonly jobs?: number;
}

export interface FileToStore {
  /** path inside the directory object ('/'-separated) */
  readonly path: string;
  readonly abs: string;
}

/**
 * Store a file or a directory in the content store exactly as `trove add`
 * does (content-defined chunks, deduplicated against everything; a directory
 * as a manifest object), without a pointer file or a .gitignore entry.
 *
 * The stat cache is deliberately not used: a training script rewrites
 * model.pth every step, often with the same size within one mtime tick, and
 * a stale cache hit would record the previous step's bytes. A file that
 * changes while it is read (size or mtime differ before and after) is an IO
 * error with data.reason 'changing' naming the path: nothing is recorded.
 * `what` is the path as the user gave it (for messages).
 */
export async function storePath(target: StoreTarget, abs: string, what: string): Promise<StoredData> {
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new TroveError('NOT_FOUND', `${what} does not exist.`, { hint: 'Save the file before calling checkpoint(), or check the path.', data: { path: what } });
    }
    throw fromFsError(err, 'reading', what);
  }
  if (st.isFile()) {
    const [hex] = await ingestFiles(target, [{ path: what, abs, st }]);
    return { kind: 'file', oid: formatOid(createOid('sha256', hex!)), size: st.size, files: 1 };
  }
  if (!st.isDirectory()) throw new TroveError('USAGE', `${what} is not a regular file or directory.`, { hint: 'Checkpoint a file or a directory.', data: { path: what } });
  const files: { path: string; abs: string; st: Stats }[] = [];
  const links: ManifestEntry[] = [];
  walk(abs, '', files, links);
  const hexes = await ingestFiles(target, files.map((f) => ({ ...f, path: `${what}/${f.path}` })));
  const entries: ManifestEntry[] = [
    ...files.map((f, i): ManifestEntry => ({ path: f.path, mode: (f.st.mode & 0o111) !== 0 ? 'x' : 'f', size: f.st.size, oid: createOid('sha256', hexes[i]!) })),
    ...links,
  ].sort(compareEntries);
  return storeEntries(target, entries);
}

/** Store a directory object of the given files (paths inside it as given). */
export async function storeFileList(target: StoreTarget, list: readonly FileToStore[]): Promise<StoredData> {
  const files = list.map((f) => ({ ...f, st: lstatSync(f.abs) })).filter((f) => f.st.isFile());
  const hexes = await ingestFiles(target, files);
  const entries = files
    .map((f, i): ManifestEntry => ({ path: f.path, mode: (f.st.mode & 0o111) !== 0 ? 'x' : 'f', size: f.st.size, oid: createOid('sha256', hexes[i]!) }))
    .sort(compareEntries);
  return storeEntries(target, entries);
}

async function storeEntries(target: StoreTarget, entries: ManifestEntry[]): Promise<StoredData> {
  const tree = await writeManifestBatched(target.store, entries);
  target.store.markComplete(tree.root);
  return { kind: 'dir', oid: formatOid(tree.root), size: tree.size, files: tree.files };
}

function walk(absDir: string, rel: string, files: { path: string; abs: string; st: Stats }[], links: ManifestEntry[]): void {
  for (const name of readdirSync(absDir).sort()) {
    if (name === '.git' || name === '.trove') continue;
    const abs = join(absDir, name);
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(abs);
    if (st.isDirectory()) walk(abs, path, files, links);
    else if (st.isFile()) files.push({ path, abs, st });
    else if (st.isSymbolicLink()) links.push({ path, mode: 'l', size: 0, target: readlinkSync(abs) });
  }
}

async function ingestFiles(target: StoreTarget, files: readonly { path: string; abs: string; st: Stats }[]): Promise<string[]> {
  if (files.length === 0) return [];
  const outcomes = await ingestMany(
    files.map((f) => ({ path: f.abs, size: f.st.size })),
    target.store.dir,
    { jobs: target.jobs ?? 0, fsync: target.store.fsync },
  );
  return outcomes.map((o, i) => {
    const f = files[i]!;
    if (!o.ok) {
      if (o.code === 'ENOENT') throw new TroveError('NOT_FOUND', `${f.path} disappeared while trove was reading it.`, { hint: 'Call checkpoint() after the file is written.', data: { path: f.path, reason: 'changing' } });
      throw fromFsError(Object.assign(new Error(o.message), { code: o.code }), 'storing', f.path);
    }
    let after: Stats | undefined;
    try {
      after = lstatSync(f.abs);
    } catch {
      /* gone: below */
    }
    if (o.result.size !== f.st.size || !after || after.size !== f.st.size || after.mtimeMs !== f.st.mtimeMs) {
      throw new TroveError('IO', `${f.path} changed while trove was reading it; it is still being written.`, {
        hint: 'Call checkpoint() once the file is completely written (e.g. after torch.save returns).',
        data: { path: f.path, reason: 'changing' },
      });
    }
    return o.result.hex;
  });
}
