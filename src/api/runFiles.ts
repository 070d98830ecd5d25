import { TroveError } from '../errors/index.js';
import { matchIdPrefix, type CheckpointRecord, type StoredData } from '../core/experimentRecord.js';
import { formatOid, parseOid, type Oid } from '../core/oid.js';
import { checkRepoPath } from '../core/repoPath.js';
import { resolveId } from '../experiments/expRuns.js';
import { readRun } from '../experiments/readRuns.js';
import { manifestEntriesUnder } from '../store/manifestEntriesUnder.js';
import { readManifest } from '../store/manifestIO.js';
import { locateStoredFile, storedFileChunks } from '../store/storedFileChunks.js';
import type { Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export interface RunFilesOptions {
  /** run id or unique prefix */
  readonly id: string;
  /** checkpoint id or unique prefix within the run; default: its latest checkpoint that stored data */
  readonly checkpoint?: string;
}

export interface RunFileEntry {
  /** path inside the checkpoint's stored data ('/'-separated); for a single stored file, its base name */
  readonly path: string;
  readonly size: number;
  /** 'f' file, 'x' executable, 'l' symbolic link (not downloadable) */
  readonly mode: 'f' | 'x' | 'l';
  /** "sha256:<hex>" of the file's content (absent for a link) */
  readonly oid?: string;
}

export interface RunFilesResult {
  readonly experiment: string;
  readonly checkpoint: string;
  readonly step: number | null;
  /** the checkpoint's path as the run gave it (e.g. "model.pth" or "out/") */
  readonly path: string | null;
  readonly data: StoredData;
  /** sorted by path */
  readonly files: RunFileEntry[];
}

/**
 * The files of one checkpoint's stored data, read from the local store's
 * directory manifest (a checkpoint of a single file lists that file under its
 * base name). OBJECT_MISSING when the manifest is not here (trove exp pull
 * fetches it); NOT_FOUND when the checkpoint stored no data.
 *
 * @example
 *   const { files } = await runFiles(repo, { id: '3f2a', checkpoint: '9c01' });
 */
export async function runFiles(repo: Repo, options: RunFilesOptions): Promise<RunFilesResult> {
  checkOptions('runFiles', repo, options, { id: 'string', checkpoint: 'string?' });
  const { experiment, checkpoint, data } = await findCheckpoint(repo, options);
  const what = checkpoint.path ?? `checkpoint ${checkpoint.id.slice(0, 12)}`;
  let files: RunFileEntry[];
  if (data.kind === 'file') files = [{ path: fileName(checkpoint), size: data.size, mode: 'f', oid: data.oid }];
  else files = readManifest(repo.store, parseOid(data.oid, what), what).map((e) => (e.mode === 'l' ? { path: e.path, size: e.size, mode: 'l' } : { path: e.path, size: e.size, mode: e.mode, oid: formatOid(e.oid) }));
  return { experiment, checkpoint: checkpoint.id, step: checkpoint.step, path: checkpoint.path, data, files };
}

export interface OpenRunFileOptions extends RunFilesOptions {
  /** a path INSIDE the checkpoint's stored data, as runFiles lists it */
  readonly path: string;
}

export interface OpenRunFileResult {
  /** the file's base name (for Content-Disposition) */
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly oid: string;
  /** the verified bytes, piece by piece (see storedFileChunks: a corrupt file throws after its last piece) */
  readonly chunks: AsyncIterable<Buffer>;
}

/**
 * One file of a checkpoint's stored data, for streaming it out (the run
 * page's download links). The path is checked FIRST, before the run is even
 * looked up: absolute paths, `..` or `.` parts, empty parts, backslashes,
 * NUL and `.git`/`.trove` parts are UNSAFE_PATH, so nothing is read for a
 * hostile path. It must then name a file the checkpoint's manifest lists
 * (NOT_FOUND otherwise), and the content must be in the local store
 * (OBJECT_MISSING, checked before any byte is returned).
 *
 * @example
 *   const f = await openRunFile(repo, { id: '3f2a', checkpoint: '9c01', path: 'weights/head.bin' });
 *   for await (const piece of f.chunks) out.write(piece);
 */
export async function openRunFile(repo: Repo, options: OpenRunFileOptions): Promise<OpenRunFileResult> {
  checkOptions('openRunFile', repo, options, { id: 'string', checkpoint: 'string?', path: 'string' });
  checkRepoPath(options.path, 'the requested file path');
  const { checkpoint, data } = await findCheckpoint(repo, options);
  const what = `${checkpoint.path ?? checkpoint.id.slice(0, 12)}/${options.path}`;
  let oid: Oid;
  let size: number;
  if (data.kind === 'file') {
    if (options.path !== fileName(checkpoint)) throw notInCheckpoint(options.path, checkpoint);
    oid = parseOid(data.oid, what);
    size = data.size;
  } else {
    const e = manifestEntriesUnder(repo.store, parseOid(data.oid, what), options.path, what).find((x) => x.path === options.path);
    if (!e || e.mode === 'l') throw notInCheckpoint(options.path, checkpoint);
    oid = e.oid;
    size = e.size;
  }
  const layout = locateStoredFile(repo.store, oid, what);
  const name = options.path.split('/').pop()!;
  return { name, path: options.path, size, oid: formatOid(oid), chunks: storedFileChunks(repo.store, oid, what, layout) };
}

async function findCheckpoint(repo: Repo, options: RunFilesOptions): Promise<{ experiment: string; checkpoint: CheckpointRecord; data: StoredData }> {
  const found = await resolveId(repo, options.id, 'experiment');
  const run = await readRun(repo, found.id);
  let checkpoint: CheckpointRecord | undefined;
  if (options.checkpoint !== undefined) {
    const id = matchIdPrefix(run.checkpoints.map((c) => c.id), options.checkpoint, 'checkpoint');
    checkpoint = run.checkpoints.find((c) => c.id === id);
  } else {
    checkpoint = [...run.checkpoints].reverse().find((c) => c.data !== null);
  }
  if (!checkpoint) throw new TroveError('NOT_FOUND', `Run ${found.id.slice(0, 12)} has no checkpoint with stored files.`, { hint: 'Pass path= to checkpoint() to store files with a checkpoint.', data: { id: found.id } });
  if (!checkpoint.data) throw new TroveError('NOT_FOUND', `Checkpoint ${checkpoint.id.slice(0, 12)} stored no files.`, { hint: 'Pick a checkpoint whose "files" column is not empty.', data: { id: found.id, checkpoint: checkpoint.id } });
  return { experiment: found.id, checkpoint, data: checkpoint.data };
}

/** The name a single stored file is listed under: the last part of the path the run gave. */
function fileName(c: CheckpointRecord): string {
  const parts = (c.path ?? '').split(/[\\/]/).filter((p) => p !== '' && p !== '.' && p !== '..');
  return parts.pop() ?? 'data';
}

function notInCheckpoint(path: string, c: CheckpointRecord): TroveError {
  return new TroveError('NOT_FOUND', `Checkpoint ${c.id.slice(0, 12)} has no file "${path.slice(0, 200)}".`, { hint: 'The run page lists the files of each checkpoint.', data: { path: path.slice(0, 200), checkpoint: c.id } });
}
