import { TroveError, isTroveError } from '../../errors/index.js';
import { csvRowDiff, delimiterFor, type CsvRowDiff } from '../../core/csvRowDiff.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { checkRepoPath } from '../../core/repoPath.js';
import { formatOid, type Oid } from '../../core/oid.js';
import { manifestEntriesUnder } from '../../store/manifestEntriesUnder.js';
import { readFileBytes } from '../../store/readFileBytes.js';
import { pointersAtRevs, type PointerAtRev } from './pointersAtRevs.js';
import { toRepoPath, type Repo } from '../Repo.js';

/** Each side of a row diff is read into memory; past this it is refused (TOO_LARGE in the error's data). */
export const ROW_DIFF_MAX_BYTES = 20 * 1024 * 1024;

export interface TableSide {
  readonly rev: string;
  readonly commit: string;
  /** false when the file is not in that version (every row of the other side is added or removed) */
  readonly present: boolean;
  readonly size?: number;
  readonly oid?: string;
}

export interface RowDiffResult extends CsvRowDiff {
  /** the tracked path */
  readonly path: string;
  /** the file inside the tracked directory; "" for a tracked file itself */
  readonly file: string;
  readonly format: 'csv' | 'tsv';
  readonly from: TableSide;
  readonly to: TableSide;
}

export interface RowDiffOptions {
  /** a tracked file or directory */
  readonly path: string;
  /** for a directory: a file inside it, as its manifest names it (relative to the directory) */
  readonly file?: string;
  readonly from: string;
  readonly to: string;
  /** refuse a side larger than this (default ROW_DIFF_MAX_BYTES) */
  readonly maxBytes?: number;
  /** at most this many rows of each kind listed (default 1,000) */
  readonly maxRows?: number;
}

/**
 * A row-level diff of one CSV or TSV file between two versions of a tracked
 * path (core/csvRowDiff.ts), its content read from the local store and
 * verified. The file must be an entry of the directory's manifest at one of
 * the two revisions: the name is looked up there, never joined onto a disk
 * path, so nothing outside the store is read.
 */
export async function tableRowDiff(repo: Repo, options: RowDiffOptions): Promise<RowDiffResult> {
  const path = toRepoPath(repo, options.path);
  const maxBytes = options.maxBytes ?? ROW_DIFF_MAX_BYTES;
  // Checked as a repository path (no "..", no absolute, no .git): a name that fails is refused, not looked up.
  const file = options.file ? checkRepoPath(options.file, 'the file name') : '';
  const name = file || path;
  const delimiter = delimiterFor(name);
  if (!delimiter) {
    throw new TroveError('USAGE', `${name} is not a CSV or TSV file; a row diff needs a name ending in .csv or .tsv.`, { hint: 'Compare its versions file by file with trove diff.', data: { path, file } });
  }
  const [a, b] = await pointersAtRevs(repo, path, [options.from, options.to]);
  const ea = entryAt(repo, path, file, a!);
  const eb = entryAt(repo, path, file, b!);
  if (!ea && !eb) {
    throw new TroveError('NOT_FOUND', `${file ? `${file} is not a file of ${path}` : `${path} is not a tracked file`} at ${options.from} or ${options.to}.`, {
      hint: `List the files with trove ls --rev ${options.to} ${path}.`,
      data: { path, file },
    });
  }
  for (const [e, s] of [[ea, a!], [eb, b!]] as const) {
    if (e && e.size > maxBytes) {
      throw new TroveError('USAGE', `${name} at ${s.rev} is ${e.size} bytes; a row diff reads at most ${maxBytes} bytes per side.`, {
        hint: `Check out both versions and compare them with a tool made for large tables (trove checkout --rev ${s.commit.slice(0, 12)} ${path}).`,
        data: { path, file, size: e.size, maxBytes, reason: 'TOO_LARGE' },
      });
    }
  }
  const text = (e: { oid: Oid; size: number } | undefined, s: PointerAtRev): string => (e ? read(repo, e, path, file, s) : '');
  const diff = csvRowDiff(text(ea, a!), text(eb, b!), delimiter, options.maxRows !== undefined ? { maxRows: options.maxRows } : {});
  const side = (e: { oid: Oid; size: number } | undefined, s: PointerAtRev): TableSide => ({ rev: s.rev, commit: s.commit, present: e !== undefined, ...(e ? { size: e.size, oid: formatOid(e.oid) } : {}) });
  return { path, file, format: delimiter === ',' ? 'csv' : 'tsv', from: side(ea, a!), to: side(eb, b!), ...diff };
}

/** The file's entry in the version, or undefined when the version does not hold it. */
function entryAt(repo: Repo, path: string, file: string, s: PointerAtRev): { oid: Oid; size: number } | undefined {
  const p = s.pointer;
  if (!p) return undefined;
  if (p.kind === 'file') {
    if (file !== '') throw new TroveError('USAGE', `${path} is a tracked file, not a directory; leave out the file inside it.`, { data: { path, file } });
    return { oid: p.oid, size: p.size };
  }
  if (file === '') throw new TroveError('USAGE', `${path} is a tracked directory; name the CSV or TSV file inside it.`, { hint: `List its files with trove ls ${path}.`, data: { path } });
  let entries: ManifestEntry[];
  try {
    entries = manifestEntriesUnder(repo.store, p.oid, file, path);
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    throw missing(path, s, err);
  }
  const e = entries.find((x) => x.path === file);
  if (!e) return undefined;
  if (e.mode === 'l') throw new TroveError('USAGE', `${path}/${file} is a symbolic link in the version at ${s.rev}; a row diff reads files only.`, { data: { path, file } });
  return { oid: e.oid, size: e.size };
}

function read(repo: Repo, e: { oid: Oid; size: number }, path: string, file: string, s: PointerAtRev): string {
  try {
    return readFileBytes(repo.store, e.oid, e.size, `${file ? `${path}/${file}` : path} at ${s.rev}`).toString('utf8');
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    throw missing(file ? `${path}/${file}` : path, s, err);
  }
}

function missing(what: string, s: PointerAtRev, cause: unknown): TroveError {
  return new TroveError('OBJECT_MISSING', `The content of ${what} at ${s.rev} is not in the local store.`, {
    hint: `Fetch it: trove fetch --rev ${s.commit.slice(0, 12)} ${what}`,
    data: { path: what, rev: s.rev, commit: s.commit },
    cause,
  });
}
