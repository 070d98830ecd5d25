import type { ExperimentCode } from '../core/experimentRecord.js';
import { parseOid } from '../core/oid.js';
import { unifiedDiff } from '../core/unifiedDiff.js';
import { catFiles, readRun } from '../experiments/readRuns.js';
import { readManifest } from '../store/manifestIO.js';
import { readStoredFile } from '../store/storedFileChunks.js';
import type { Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';
import { expDiff } from './expDiff.js';

export interface CodeFileDiff {
  readonly path: string;
  readonly change: 'added' | 'deleted' | 'modified';
  /** the unified diff of this file (`diff --git` header, then hunks); for a binary or too large file, one line saying so */
  readonly patch: string;
  readonly binary: boolean;
  /** set when a side's content could not be read (not in the local store, or its commit not in this clone) */
  readonly incomplete?: string;
}

export interface ExpCodeDiffResult {
  readonly a: { readonly experiment: string; readonly commit: string | null; readonly dirty: string | null };
  readonly b: { readonly experiment: string; readonly commit: string | null; readonly dirty: string | null };
  /** true when both runs ran the same code (same commit, path and uncommitted changes) */
  readonly same: boolean;
  /** the files whose content differs, sorted by path */
  readonly files: CodeFileDiff[];
  /** every file's patch, concatenated: what `git diff` would print between the two code versions */
  readonly patch: string;
  /** why the file list may be incomplete (from expDiff) */
  readonly incomplete?: string;
}

/** Files larger than this are not diffed line by line. */
const MAX_DIFF_BYTES = 1024 * 1024;

/**
 * The code change between two runs as a unified diff: each run's code is its
 * commit, overlaid with its uncommitted changes (the snapshot in the store)
 * and without the tracked files it had deleted, as `trove exp checkout
 * --code` would bring it back. The files compared are those expDiff finds
 * different, plus files one run had deleted and the other not.
 *
 * @example
 *   const { patch } = await expCodeDiff(repo, { a: '3f2a', b: '9c01' });
 */
export async function expCodeDiff(repo: Repo, options: { readonly a: string; readonly b: string }): Promise<ExpCodeDiffResult> {
  checkOptions('expCodeDiff', repo, options, { a: 'string', b: 'string' });
  const d = await expDiff(repo, options);
  const [ra, rb] = await Promise.all([codeOf(repo, d.a.experiment), codeOf(repo, d.b.experiment)]);
  const head = { a: { experiment: d.a.experiment, commit: d.code.a.commit, dirty: d.code.a.dirty }, b: { experiment: d.b.experiment, commit: d.code.b.commit, dirty: d.code.b.dirty } };
  if (d.code.same) return { ...head, same: true, files: [], patch: '' };
  const paths = new Set(d.code.files.map((f) => f.path));
  const delA = new Set(ra.deleted ?? []);
  const delB = new Set(rb.deleted ?? []);
  for (const p of delA) if (!delB.has(p)) paths.add(p);
  for (const p of delB) if (!delA.has(p)) paths.add(p);
  const sorted = [...paths].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const [sa, sb] = [await sideReader(repo, ra), await sideReader(repo, rb)];
  const [ca, cb] = [await sa(sorted), await sb(sorted)];
  const files: CodeFileDiff[] = [];
  sorted.forEach((path, i) => {
    const x = ca[i]!;
    const y = cb[i]!;
    const incomplete = x.incomplete ?? y.incomplete;
    if (!incomplete && x.bytes === null && y.bytes === null) return;
    if (!incomplete && x.bytes && y.bytes && x.bytes.equals(y.bytes)) return;
    const change = x.bytes === null ? 'added' : y.bytes === null ? 'deleted' : 'modified';
    files.push(fileDiff(path, change, x.bytes, y.bytes, incomplete));
  });
  return { ...head, same: false, files, patch: files.map((f) => f.patch).join(''), ...(d.code.incomplete ? { incomplete: d.code.incomplete } : {}) };
}

async function codeOf(repo: Repo, id: string): Promise<ExperimentCode> {
  return (await readRun(repo, id)).experiment.code;
}

interface Content {
  /** null: the file does not exist on that side */
  readonly bytes: Buffer | null;
  readonly incomplete?: string;
}

/** Reads paths as one run's code had them: snapshot first, then deleted, then the commit. */
async function sideReader(repo: Repo, code: ExperimentCode): Promise<(paths: readonly string[]) => Promise<Content[]>> {
  let snapshot = new Map<string, { oid: string }>();
  let snapshotProblem: string | undefined;
  if (code.dirty && code.dirty.kind === 'dir') {
    try {
      const entries = readManifest(repo.store, parseOid(code.dirty.oid, 'the uncommitted changes'), 'the uncommitted changes');
      snapshot = new Map(entries.flatMap((e) => (e.mode === 'l' ? [] : [[e.path, { oid: `${e.oid.algo}:${e.oid.hex}` }] as const])));
    } catch (err) {
      snapshotProblem = `the run's uncommitted changes are not in the local store (${(err as Error).message.replace(/\.$/, '')})`;
    }
  }
  const deleted = new Set(code.deleted ?? []);
  return async (paths) => {
    const fromCommit = code.commit ? await catFiles(repo.git, paths.map((p) => `${code.commit}:${p}`)) : paths.map(() => null);
    const out: Content[] = [];
    for (let i = 0; i < paths.length; i++) {
      const p = paths[i]!;
      const snap = snapshot.get(p);
      if (snap) {
        try {
          out.push({ bytes: await readStoredFile(repo.store, parseOid(snap.oid, p), p) });
        } catch (err) {
          out.push({ bytes: null, incomplete: (err as Error).message });
        }
      } else if (deleted.has(p)) out.push({ bytes: null });
      else out.push({ bytes: fromCommit[i] ?? null, ...(snapshotProblem ? { incomplete: snapshotProblem } : {}) });
    }
    return out;
  };
}

function fileDiff(path: string, change: CodeFileDiff['change'], a: Buffer | null, b: Buffer | null, incomplete?: string): CodeFileDiff {
  const header = `diff --git a/${path} b/${path}\n${change === 'added' ? 'new file\n' : change === 'deleted' ? 'deleted file\n' : ''}`;
  const isBinary = (x: Buffer | null): boolean => x !== null && x.subarray(0, 8000).includes(0);
  const binary = isBinary(a) || isBinary(b);
  const extra = incomplete ? { incomplete } : {};
  if (binary) return { path, change, binary, patch: `${header}Binary files ${a ? `a/${path}` : '/dev/null'} and ${b ? `b/${path}` : '/dev/null'} differ\n`, ...extra };
  if ((a?.length ?? 0) > MAX_DIFF_BYTES || (b?.length ?? 0) > MAX_DIFF_BYTES) return { path, change, binary, patch: `${header}(file larger than 1 MiB: not shown line by line)\n`, ...extra };
  const text = unifiedDiff(a?.toString('utf8') ?? '', b?.toString('utf8') ?? '', a ? `a/${path}` : '/dev/null', b ? `b/${path}` : '/dev/null');
  return { path, change, binary, patch: header + text, ...extra };
}
