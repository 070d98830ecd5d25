import { existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { TroveError, isTroveError } from '../../errors/index.js';
import { createPointer, isPointerPath, dataPathFor, pointerPathFor, type Pointer } from '../../core/pointer.js';
import { createOid, formatOid, oidEquals } from '../../core/oid.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { WorkTreeDirs } from '../../platform/WorkTreeDirs.js';
import { writeManifestStream, type ManifestPart } from '../../store/manifestIO.js';
import type { ChildRef } from '../../core/manifest.js';
import { scanChunks, type ScanChunk } from '../scan/scanChunks.js';
import { scanThreads } from '../scan/scanThreaded.js';
import { newChunk, spliceChunks, type NewChunk } from '../scan/streamChunkedState.js';
import type { FileToHash } from '../scan/hashFiles.js';
import type { IngestSession } from '../../store/ContentStore.js';
import type { StatRow } from '../../store/WorkIndex.js';
import { diffManifests } from '../../store/diffManifests.js';
import { ensureIgnored } from './gitignore.js';
import { hashFiles } from '../scan/hashFiles.js';
import { readWorkPointer, writeWorkPointer, listWorkPointerPaths } from '../pointers/pointers.js';
import { absPath, toRepoPath, type Repo } from '../Repo.js';
import { storeLinkHex } from '../../store/storeLinkHex.js';
import { storeObjectsDir } from '../scan/workState.js';

export interface AddedArtifact {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  readonly oid: string;
  readonly size: number;
  readonly files?: number;
  /** false when the pointer already recorded exactly this content */
  readonly changed: boolean;
  /** files whose content was read (0 when the stat cache knew them all) */
  readonly hashed: number;
  /** bytes newly written to the store */
  readonly stored: number;
}

export interface AddResult {
  readonly artifacts: AddedArtifact[];
  readonly staged: string[];
  readonly warnings: string[];
}

/** Track files or directories: store their content, write pointers, ignore the data in Git, stage. */
export async function addPaths(repo: Repo, inputs: readonly string[], options: { stage?: boolean; allowDeletions?: boolean; /** files hashed per ingest call (ADD_BATCH_FILES; tests use small values) */ batchFiles?: number } = {}): Promise<AddResult> {
  if (inputs.length === 0) throw new TroveError('USAGE', 'trove add needs at least one path.', { hint: 'Example: trove add data/ models/model.pt' });
  const paths = [...new Set(inputs.map((i) => normalizeInput(repo, i)))];
  await checkAddable(repo, paths);
  const artifacts: AddedArtifact[] = [];
  const warnings: string[] = [];
  const toStage: string[] = [];
  const recordIndexes: (() => void)[] = [];
  // One ingest session for the whole command: its writer seals full packs as they fill and one partial pack at
  // close (a session per 32k-file batch sealed a partial pack each: ~60 packs at 1M files, past gc.auto_pack_limit).
  // Closed (sealed, packs/ synced) before any pointer or completeness mark names the objects.
  const session = repo.store.openIngest({ jobs: repo.config.core.jobs });
  const all: Ingested[] = [];
  try {
    for (const path of paths) all.push(await ingestPath(repo, path, session, options.batchFiles ?? ADD_BATCH_FILES));
  } finally {
    await session.close();
  }
  for (const [i, path] of paths.entries()) {
    const ingested = all[i]!;
    // Every file is stored (ingested, or checked, or in a reused leaf of a complete version) and so is every page.
    if (ingested.pointer.kind === 'dir') repo.store.markComplete(ingested.pointer.oid);
    const { hashed, stored, skipped } = ingested;
    if (ingested.recordIndex) recordIndexes.push(ingested.recordIndex);
    for (const s of skipped) warnings.push(`Skipped ${path}/${s}: not a regular file, directory or symlink.`);
    const before = readPointerIfValid(repo, path);
    if (!options.allowDeletions) refuseUnfetchedDeletions(repo, path, before, ingested.pointer);
    // Re-adding imported data that did not change keeps its source record (trove update still works); changed data is local from now on.
    const pointer = before?.source && before.kind === ingested.pointer.kind && oidEquals(before.oid, ingested.pointer.oid) ? createPointer({ ...ingested.pointer, source: before.source }) : ingested.pointer;
    // The work index root names the version checkout last made these files match, which its switch mode trusts:
    // cleared (and saved) before the pointer moves, so a kill between the two cannot leave it naming the old version.
    const index = repo.workIndex(path);
    if (index.root() && index.root() !== pointer.oid.hex) {
      index.splice('', 0, 0, [], []);
      index.save();
    }
    const changed = await writeWorkPointer(repo, path, pointer);
    // The directory as just scanned is this version (saved with the other caches).
    if (pointer.kind === 'dir') index.splice(pointer.oid.hex, 0, 0, [], []);
    const ignore = await ensureIgnored(repo, path);
    toStage.push(pointerPathFor(path));
    if (ignore) toStage.push(ignore);
    artifacts.push({ path, kind: pointer.kind, oid: formatOid(pointer.oid), size: pointer.size, ...(pointer.files !== undefined ? { files: pointer.files } : {}), changed: changed || before === undefined, hashed, stored });
  }
  const stage = options.stage ?? repo.config.core.autostage;
  if (stage && toStage.length > 0) await repo.git.run(['add', '--', ...new Set(toStage)]);
  // Last: the work index now names versions whose pointers and pages are durable (a kill before this is a cache miss).
  for (const record of recordIndexes) record();
  return { artifacts, staged: stage ? [...new Set(toStage)] : [], warnings };
}

/**
 * A directory pulled in part (`trove pull data/f7.bin`) lacks the files that
 * were never fetched; recording it as it stands would delete them from the
 * dataset. A file counts as never fetched when it is absent from the work
 * tree and its content is absent from the store: a file the user deleted
 * after it was here is in the store, and its deletion is recorded as usual.
 */
function refuseUnfetchedDeletions(repo: Repo, path: string, before: Pointer | undefined, after: Pointer): void {
  if (before?.kind !== 'dir' || after.kind !== 'dir' || oidEquals(before.oid, after.oid)) return;
  // Only the entries that differ (diffManifests reads the pages that differ): a one-file add of 1M files reads ~3 pages per side, not both listings (scale plan S9).
  let d: { from: ManifestEntry[]; to: ManifestEntry[] };
  try {
    d = diffManifests(repo.store, before.oid, after.oid, path);
  } catch (err) {
    if (isTroveError(err, 'OBJECT_MISSING')) return; // the old listing was never here either: nothing to compare
    throw err;
  }
  const now = new Set(d.to.map((e) => e.path));
  const unfetched = d.from.filter((e) => e.mode !== 'l' && !now.has(e.path) && !repo.store.hasFile(e.oid)).map((e) => `${path}/${e.path}`);
  if (unfetched.length === 0) return;
  throw new TroveError('NOT_FETCHED', `${unfetched.length} file(s) of ${path} were never fetched here (${unfetched.slice(0, 3).join(', ')}${unfetched.length > 3 ? ', …' : ''}); adding it would record them as deleted.`, {
    hint: `Fetch them first with trove pull ${path}, or record their deletion on purpose with trove add --allow-deletions ${path}.`,
    data: { path, paths: unfetched },
  });
}

/** The pointer being replaced: an invalid one (edited into garbage) is what add repairs, so it counts as none. */
function readPointerIfValid(repo: Repo, path: string): Pointer | undefined {
  try {
    return readWorkPointer(repo, path);
  } catch (err) {
    if (isTroveError(err, 'BAD_POINTER')) return undefined;
    throw err;
  }
}

function normalizeInput(repo: Repo, input: string): string {
  const path = toRepoPath(repo, input);
  // `trove add data.trove` means the data beside that pointer.
  // An invalid pointer still names its data: `trove add data.trove` is how its hint's re-add may be typed.
  return isPointerPath(path) && (existsSync(absPath(repo, dataPathFor(path))) || readPointerIfValid(repo, dataPathFor(path))) ? dataPathFor(path) : path;
}

async function checkAddable(repo: Repo, paths: readonly string[]): Promise<void> {
  const res = await repo.git.run(['ls-files', '-z', '--cached', '--', ...paths.map((p) => `:(literal)${p}`)]);
  const inGit = res.stdout.toString('utf8').split('\0').filter(Boolean);
  const pointerPaths = await listWorkPointerPaths(repo);
  const dirs = new WorkTreeDirs(repo.root);
  for (const path of paths) {
    // Data behind a symlinked directory is not read (nor its pointer written there), as Git refuses paths beyond a symlink.
    dirs.existingParent(path);
    let st;
    try {
      st = lstatSync(absPath(repo, path));
    } catch {
      const hint = readPointerIfValid(repo, path) ? `Its content is tracked already; restore it with trove checkout ${path}.` : 'Check the path (ls), or create the data first.';
      throw new TroveError('NOT_FOUND', `${path} does not exist.`, { hint, data: { path } });
    }
    if (st.isSymbolicLink() && storeLinkHex(readlinkSync(absPath(repo, path)), storeObjectsDir(repo))) continue;
    if (st.isSymbolicLink()) throw new TroveError('USAGE', `${path} is a symbolic link; trove tracks files and directories.`, { hint: 'Add the file or directory it points to.', data: { path } });
    if (!st.isFile() && !st.isDirectory()) throw new TroveError('USAGE', `${path} is not a regular file or directory.`, { hint: 'trove tracks files and directories only.' });
    const gitFile = inGit.find((f) => f === path || f.startsWith(path + '/'));
    if (gitFile) {
      throw new TroveError('ALREADY_TRACKED', `${gitFile} is tracked by Git, so trove cannot take it over.`, { hint: `Stop tracking it in Git first: git rm -r --cached ${path}`, data: { path } });
    }
    const parent = pointerPaths.map(dataPathFor).find((a) => path.startsWith(a + '/'));
    if (parent) throw new TroveError('ALREADY_TRACKED', `${path} is inside ${parent}, which trove already tracks as a directory.`, { hint: `Add the whole directory again: trove add ${parent}`, data: { path, parent } });
    const child = pointerPaths.map(dataPathFor).find((a) => a.startsWith(path + '/'));
    if (child) throw new TroveError('ALREADY_TRACKED', `${path} contains ${child}, which trove tracks separately.`, { hint: `Stop tracking it first (trove rm ${child}), or add a different directory.`, data: { path, child } });
  }
}

interface Ingested {
  readonly pointer: Pointer;
  readonly hashed: number;
  readonly stored: number;
  readonly skipped: string[];
  /** record the scan in the directory's work index: called last, once the pointer and the pages it names are durable and staged */
  readonly recordIndex?: () => void;
}

async function ingestPath(repo: Repo, path: string, session: IngestSession, batchFiles: number): Promise<Ingested> {
  const abs = absPath(repo, path);
  const st = lstatSync(abs);
  const linkHex = st.isSymbolicLink() ? storeLinkHex(readlinkSync(abs), storeObjectsDir(repo)) : undefined;
  if (linkHex) {
    const pointer = createPointer({ kind: 'file', oid: createOid('sha256', linkHex), size: statSync(abs).size });
    return { pointer, hashed: 0, stored: 0, skipped: [] };
  }
  if (st.isFile()) {
    const { hexes, hashed, written } = await hashFiles(repo, [{ repoPath: path, abs, size: st.size, ino: st.ino, mtimeMs: st.mtimeMs }], { store: true, progress: `Adding ${path}`, session });
    const pointer = createPointer({ kind: 'file', oid: createOid('sha256', hexes[0]!), size: st.size, ...((st.mode & 0o111) !== 0 ? { executable: true } : {}) });
    return { pointer, hashed, stored: written, skipped: [] };
  }
  return ingestDirectory(repo, path, abs, session, batchFiles);
}


/** Files hashed together (one ingest pool): bounds memory while keeping the pool busy. */
const ADD_BATCH_FILES = 32768;

type Pending = { readonly leaf: ChildRef; readonly at: number } | { readonly chunk: ScanChunk; readonly at: number; readonly hexes: (string | undefined)[]; readonly reread: boolean };

/**
 * Add a directory over its work index (scale plan P3 "add"): the scan is
 * cut into chunks exactly where leaves are cut; a chunk whose signature and
 * leaf match the index, when the index's version is complete in the store,
 * is pushed as that leaf, its files neither read nor looked up (S7, S8).
 * Other chunks take digests from the index's rows while the stat matches and
 * the content is still stored, ingest the rest, and are pushed as entries.
 * So adding one change in 1M files reads one row block, ingests one file and
 * writes ~3 pages. The index is spliced by `recordIndex`, last.
 */
async function ingestDirectory(repo: Repo, path: string, abs: string, session: IngestSession, batchFiles: number): Promise<Ingested> {
  const index = repo.workIndex(path);
  const indexRoot = index.root();
  // Reusing a leaf promises its files are stored: only when the index's whole version is (content gone from the store is re-ingested).
  const reuse = indexRoot !== undefined && repo.store.isComplete(createOid('sha256', indexRoot));
  const records = index.chunks();
  const skipped: string[] = [];
  const order: (number | NewChunk)[] = [];
  let hashed = 0;
  let written = 0;
  let pending: Pending[] = [];
  let pendingFiles = 0;
  async function* flush(): AsyncGenerator<ManifestPart> {
    const todo: FileToHash[] = [];
    const fill: [(string | undefined)[], number][] = [];
    for (const p of pending) {
      if ('leaf' in p) continue;
      p.chunk.files.forEach((f, k) => {
        if (p.hexes[k] !== undefined) return;
        todo.push({ repoPath: `${path}/${f.path}`, abs: `${abs}/${f.path}`, size: f.size, ino: f.ino, mtimeMs: f.mtimeMs });
        fill.push([p.hexes, k]);
      });
    }
    if (todo.length > 0) {
      const res = await hashFiles(repo, todo, { store: true, progress: `Adding ${path}`, remember: false, session });
      hashed += res.hashed;
      written += res.written;
      fill.forEach(([hexes, k], i) => (hexes[k] = res.hexes[i]));
    }
    for (const p of pending) {
      if ('leaf' in p) {
        order.push(p.at);
        yield { leaf: p.leaf };
        continue;
      }
      const entries: ManifestEntry[] = p.chunk.files.map((f, k) =>
        f.kind === 'link' ? { path: f.path, mode: 'l', size: 0, target: f.target! } : { path: f.path, mode: f.executable ? 'x' : 'f', size: f.size, oid: createOid('sha256', p.hexes[k]!) },
      );
      const made = newChunk(p.chunk, entries, p.reread);
      // Set aside on disk at once: holding every new row until recordIndex cost ~200 bytes a file (200 MB at 1M files).
      order.push({ ...made, rows: index.block(made.rows as StatRow[]) });
      yield { entries };
    }
    pending = [];
    pendingFiles = 0;
  }
  async function* parts(): AsyncGenerator<ManifestPart> {
    const threads = scanThreads(repo.config.core.jobs, records.reduce((n, r) => n + r.files, 0));
    for (const chunk of scanChunks(abs, path, storeObjectsDir(repo), { skipped, threads })) {
      const at = index.find(chunk.first);
      const rec = at >= 0 ? records[at] : undefined;
      if (reuse && chunk.sig !== undefined && rec !== undefined && rec.sig === chunk.sig && rec.leaf !== '') {
        pending.push({ leaf: { first: chunk.first, files: chunk.count, size: chunk.size, oid: createOid('sha256', rec.leaf) }, at });
        continue;
      }
      const rows = at >= 0 ? index.rows(at) : undefined;
      const hexes = chunk.files.map((f): string | undefined => {
        if (f.kind === 'link') return '';
        if (f.knownHex !== undefined) return f.knownHex;
        const row = rows?.get(f.path);
        if (row === undefined || row[4] === 'l' || row[1] !== f.ino || row[2] !== f.size || row[3] !== f.mtimeMs) return undefined;
        // A known digest counts only while its content is still stored (gc, a new shared cache): else it is ingested again.
        return repo.store.hasFile(createOid('sha256', row[5])) ? row[5] : undefined;
      });
      pending.push({ chunk, at, hexes, reread: hexes.includes(undefined) });
      pendingFiles += chunk.count;
      if (pendingFiles >= batchFiles) yield* flush();
    }
    yield* flush();
  }
  // The pages may be sealed before the session's last pack (addPaths closes it): nothing names them until then.
  const tree = await writeManifestStream(repo.store, parts());
  return {
    pointer: createPointer({ kind: 'dir', oid: tree.root, size: tree.size, files: tree.files }),
    hashed,
    stored: written + tree.written,
    skipped,
    recordIndex: () => {
      spliceChunks(index, tree.root.hex, order);
      // The directory's first index holds every row: its rows in the stat cache (from before) are dropped.
      if (indexRoot === undefined) repo.statCache.deletePrefix(path);
    },
  };
}
