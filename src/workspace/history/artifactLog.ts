import { existsSync } from 'node:fs';
import { TroveError, isTroveError } from '../../errors/index.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { formatOid } from '../../core/oid.js';
import { dataPathFor, isPointerPath, parsePointer, pointerPathFor, type Pointer } from '../../core/pointer.js';
import { catBlobs, resolveRev } from '../../platform/git.js';
import { existingPaths, gitLog, renameSource, type GitLogCommit } from '../../platform/gitLog.js';
import { isZeroOid, type RawChange } from '../../platform/parseRawLog.js';
import { manifestEntriesUnder } from '../../store/manifestEntriesUnder.js';
import { absPath, toRepoPath, type Repo } from '../Repo.js';
import { diffEntries, isUnchanged } from '../scan/workState.js';

export type LogChange = 'added' | 'modified' | 'deleted' | 'renamed' | 'unknown';

/** One commit that changed the artifact (or the file inside a tracked directory). */
export interface LogEntry {
  readonly commit: string;
  /** author date, ISO 8601 */
  readonly date: string;
  readonly author: string;
  readonly email: string;
  /** the commit message's first line */
  readonly message: string;
  /** `unknown`: a directory changed here but a manifest needed to tell whether the file did is not in the local store */
  readonly change: LogChange;
  /** data path at this commit */
  readonly path: string;
  /** renamed: the data path before */
  readonly from?: string;
  /** the version after this commit (absent for deleted, and for unknown when that version is not known either) */
  readonly kind?: 'file' | 'dir' | 'symlink';
  readonly oid?: string;
  readonly size?: number;
  readonly files?: number;
}

export interface LogOptions {
  /** a tracked file or directory, or a path inside a tracked directory */
  readonly path: string;
  /** start point (default HEAD) */
  readonly rev?: string;
  /** every branch and tag instead of one start point */
  readonly all?: boolean;
  /** at most this many entries */
  readonly limit?: number;
}

export interface LogResult {
  /** the repository path asked about */
  readonly path: string;
  /** the tracked artifact holding it (at the start point): `path` itself, or the directory containing it */
  readonly artifact: string;
  /** the start revision as given; null with --all */
  readonly rev: string | null;
  /** newest first */
  readonly commits: LogEntry[];
  /** entries whose change is `unknown` */
  readonly unknown: number;
}

/** A commit of the pointer's history and its change to the pointer. */
interface Step {
  readonly commit: GitLogCommit;
  readonly change: RawChange;
  /** pointer path this commit renamed the artifact from */
  readonly renamedFrom?: string;
}

/**
 * The commits that changed a tracked artifact, newest first, from one
 * `git log` over its pointer (plus one per `trove mv` rename) and one batched
 * read of the pointer versions. For a path inside a tracked directory, the
 * commits where that entry changed, found by comparing manifests, which are
 * read from the local store: where one is missing the commit is listed as
 * `unknown` rather than guessed.
 */
export async function artifactLog(repo: Repo, options: LogOptions): Promise<LogResult> {
  if (options.all && options.rev) throw new TroveError('USAGE', 'Pass either --rev or --all, not both.', { hint: 'trove log --all PATH lists the commits of every branch and tag.' });
  if (options.limit !== undefined && !(Number.isSafeInteger(options.limit) && options.limit >= 1)) {
    throw new TroveError('USAGE', `The number of commits must be a whole number of at least 1, not ${options.limit}.`, { hint: 'Example: trove log -n 5 models/model.pt' });
  }
  let path = toRepoPath(repo, options.path);
  if (isPointerPath(path)) path = dataPathFor(path);
  const start = options.all ? undefined : await startCommit(repo, options.rev);
  const { artifact, sub } = await findArtifact(repo, path, start, Boolean(options.all));
  const steps = start === null ? [] : await followPointer(repo, pointerPathFor(artifact), start, sub ? undefined : options.limit);
  const blobs = await catBlobs(repo.git, [...new Set(steps.flatMap((s) => [s.change.oldOid, s.change.newOid]).filter((b) => !isZeroOid(b)))]);
  const pointerAt = (blob: string, s: Step): Pointer | undefined => (isZeroOid(blob) ? undefined : parsePointer(blobs.get(blob) ?? '', `${s.change.path} at ${s.commit.commit.slice(0, 12)}`));
  let commits = sub ? entriesInside(repo, steps, sub, pointerAt) : steps.map((s) => wholeEntry(s, pointerAt(s.change.newOid, s)));
  const unknown = commits.filter((c) => c.change === 'unknown').length;
  if (sub && steps.length > 0 && commits.length === 0) {
    throw new TroveError('NOT_TRACKED', `${path} was never in the tracked directory ${artifact}${where(options)}.`, { hint: `List its files with trove ls ${artifact}.`, data: { path, artifact } });
  }
  if (options.limit !== undefined) commits = commits.slice(0, options.limit);
  return { path, artifact, rev: options.all ? null : (options.rev ?? 'HEAD'), commits, unknown };
}

function where(options: LogOptions): string {
  return options.all ? ' on any branch or tag' : ` in the history of ${options.rev ?? 'HEAD'}`;
}

/** The start commit, or null for the default HEAD of a repository without commits. */
async function startCommit(repo: Repo, rev: string | undefined): Promise<string | null> {
  if (rev !== undefined) return resolveRev(repo.git, rev);
  const res = await repo.git.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { allowFail: true });
  return res.code === 0 ? res.stdout.toString('utf8').trim() : null;
}

/**
 * Which artifact `path` belongs to: the deepest of path, its parent
 * directories, whose pointer exists at the start point; else the deepest one
 * the history mentions (an artifact deleted since); else one added but not
 * yet committed (no history to show).
 */
async function findArtifact(repo: Repo, path: string, start: string | null | undefined, all: boolean): Promise<{ artifact: string; sub: string }> {
  const candidates = [path];
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) candidates.push(path.slice(0, i));
  const pick = (found: (c: string) => boolean): { artifact: string; sub: string } | undefined => {
    const c = candidates.find(found);
    return c === undefined ? undefined : { artifact: c, sub: c === path ? '' : path.slice(c.length + 1) };
  };
  const pointers = candidates.map(pointerPathFor);
  if (start) {
    const present = await existingPaths(repo.git, start, pointers);
    const hit = pick((c) => present.has(pointerPathFor(c)));
    if (hit) return hit;
  }
  if (start || all) {
    const [latest] = await gitLog(repo.git, { ...(all ? { all } : { revs: [start!] }), paths: pointers, limit: 1, raw: true });
    const named = new Set(latest?.changes.map((c) => c.path));
    const hit = pick((c) => named.has(pointerPathFor(c)));
    if (hit) return hit;
  }
  const inWork = pick((c) => existsSync(absPath(repo, pointerPathFor(c))));
  if (inWork) return inWork;
  throw new TroveError('NOT_TRACKED', `${path} is not tracked by trove and has no trove history${all ? ' on any branch or tag' : start ? '' : ' (there are no commits yet)'}.`, {
    hint: `List tracked paths with trove ls, or start tracking it with trove add ${path}.`,
    data: { path },
  });
}

/**
 * The commits that changed one pointer file, following exact renames
 * (`trove mv`) back through the history: each rename costs one more
 * `git log` from the commit before it.
 */
async function followPointer(repo: Repo, pointerPath: string, start: string | undefined, limit: number | undefined): Promise<Step[]> {
  const out: Step[] = [];
  let path = pointerPath;
  let revs: string[] | undefined = start ? [start] : undefined;
  for (let hop = 0; hop < 1000; hop++) {
    const remaining = limit === undefined ? undefined : limit - out.length;
    if (remaining !== undefined && remaining <= 0) break;
    const commits = await gitLog(repo.git, { ...(revs ? { revs } : { all: true }), paths: [path], raw: true, ...(remaining !== undefined ? { limit: remaining } : {}) });
    for (const commit of commits) {
      const change = commit.changes.find((c) => c.path === path);
      if (change) out.push({ commit, change });
    }
    const oldest = out[out.length - 1];
    if (!oldest || oldest.commit !== commits[commits.length - 1] || oldest.change.status !== 'A') break;
    const from = await renameSource(repo.git, oldest.commit.commit, path);
    if (!from) break;
    out[out.length - 1] = { ...oldest, renamedFrom: from };
    path = from;
    revs = [`${oldest.commit.commit}^`];
  }
  return out;
}

function commitFields(s: Step): Pick<LogEntry, 'commit' | 'date' | 'author' | 'email' | 'message'> {
  return { commit: s.commit.commit, date: s.commit.date, author: s.commit.author, email: s.commit.email, message: s.commit.subject };
}

function changeOf(s: Step): LogChange {
  if (s.renamedFrom !== undefined) return 'renamed';
  return s.change.status === 'A' ? 'added' : s.change.status === 'D' ? 'deleted' : 'modified';
}

/** An entry of a whole artifact's log: the pointer after the commit says it all. */
function wholeEntry(s: Step, p: Pointer | undefined): LogEntry {
  const change = changeOf(s);
  return {
    ...commitFields(s),
    change,
    path: dataPathFor(s.change.path),
    ...(s.renamedFrom !== undefined ? { from: dataPathFor(s.renamedFrom) } : {}),
    ...(p && change !== 'deleted' ? { kind: p.kind, oid: formatOid(p.oid), size: p.size, ...(p.files !== undefined ? { files: p.files } : {}) } : {}),
  };
}

/** Log entries for `sub` inside a tracked directory: the commits where its entries differ between the pointer's old and new versions. */
function entriesInside(repo: Repo, steps: readonly Step[], sub: string, pointerAt: (blob: string, s: Step) => Pointer | undefined): LogEntry[] {
  const cache = new Map<string, ManifestEntry[] | undefined>();
  const under = (p: Pointer | undefined, dir: string): ManifestEntry[] | undefined => {
    if (!p || p.kind === 'file') return [];
    if (!cache.has(p.oid.hex)) {
      try {
        cache.set(p.oid.hex, manifestEntriesUnder(repo.store, p.oid, sub, dir));
      } catch (err) {
        if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
        cache.set(p.oid.hex, undefined);
      }
    }
    return cache.get(p.oid.hex);
  };
  const out: LogEntry[] = [];
  for (const s of steps) {
    const dir = dataPathFor(s.change.path);
    const renamed = s.renamedFrom !== undefined;
    const newP = pointerAt(s.change.newOid, s);
    // An exact rename moved the same version: before and after are one manifest.
    const oldP = renamed ? newP : pointerAt(s.change.oldOid, s);
    if (!renamed && oldP && newP && oldP.kind === newP.kind && oldP.oid.hex === newP.oid.hex) continue;
    const at = { path: `${dir}/${sub}`, ...(renamed ? { from: `${dataPathFor(s.renamedFrom!)}/${sub}` } : {}) };
    const before = under(oldP, dir);
    const after = under(newP, dir);
    if (before === undefined || after === undefined) {
      // Whether it changed is unknown; what it is afterwards may still be known.
      out.push({ ...commitFields(s), change: 'unknown', ...at, ...(after?.length ? describe(after, sub) : {}) });
      continue;
    }
    let change: LogChange;
    if (renamed) {
      if (after.length === 0) continue;
      change = 'renamed';
    } else if (before.length === 0 && after.length === 0) continue;
    else if (before.length === 0) change = 'added';
    else if (after.length === 0) change = 'deleted';
    else if (!isUnchanged(diffEntries(before, after))) change = 'modified';
    else continue;
    out.push({ ...commitFields(s), change, ...at, ...(change === 'deleted' ? {} : describe(after, sub)) });
  }
  return out;
}

/** What a path inside a directory version is: one file or symlink, or a folder of entries. */
function describe(entries: readonly ManifestEntry[], sub: string): Pick<LogEntry, 'kind' | 'oid' | 'size' | 'files'> {
  const only = entries.length === 1 && entries[0]!.path === sub ? entries[0]! : undefined;
  if (only) return only.mode === 'l' ? { kind: 'symlink', size: 0 } : { kind: 'file', oid: formatOid(only.oid), size: only.size };
  return { kind: 'dir', size: entries.reduce((t, e) => t + e.size, 0), files: entries.length };
}
