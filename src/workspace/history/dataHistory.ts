import { TroveError } from '../../errors/index.js';
import { artifactLog, type LogEntry } from './artifactLog.js';
import type { DataHistoryCache } from './DataHistoryCache.js';
import { NewBytes, type NewCost } from '../stage/NewBytes.js';
import { absPath, toRepoPath, type Repo } from '../Repo.js';

/** One version of a tracked path: a commit that changed it, and what it cost in new bytes. */
export interface DataVersion {
  readonly commit: string;
  readonly author: string;
  readonly email: string;
  /** author date, ISO 8601 */
  readonly date: string;
  /** the commit message's first line */
  readonly subject: string;
  readonly change: 'added' | 'modified' | 'deleted' | 'renamed';
  /** the data path at this commit (differs from the path asked about before a `trove mv`) */
  readonly path: string;
  /** absent for deleted */
  readonly kind?: 'file' | 'dir';
  readonly oid?: string;
  readonly size?: number;
  /** files in the version (1 for a file) */
  readonly files?: number;
  /**
   * Bytes of content in this version that no older version of the path held:
   * the sizes of the distinct stored objects it references (a whole file, or
   * each content-defined chunk of a file over 1 MiB) that are in none of the
   * versions listed after it. Manifest pages are not counted. null when this
   * version's manifest (or chunk list) is not in the local store.
   */
  readonly bytesNew: number | null;
  /** files whose content is new in this version (a file counted when its content object is new); null as bytesNew */
  readonly filesNew: number | null;
}

export interface DataHistoryResult {
  /** the tracked path */
  readonly path: string;
  /** newest first */
  readonly versions: DataVersion[];
  /** the path has more versions than `limit` listed (bytesNew still counts all older ones) */
  readonly truncated: boolean;
  /**
   * false when some version's manifest or chunk list is not in the local store:
   * its bytesNew is null, and newer versions' bytesNew may count as new bytes
   * that the unknown version already held (`trove fetch --rev COMMIT PATH`
   * brings them).
   */
  readonly complete: boolean;
}

/**
 * The versions of one tracked file or directory along the Git history, newest
 * first, with the bytes each added. One `git log` and one batched read of the
 * pointers (artifactLog); then NewBytes walks the versions oldest first: the
 * first version's manifest read whole, each later one only where it differs
 * from the one before, so a 20,000-file directory over 20 versions that
 * change 100 files each reads one full manifest and the changed pages. With
 * a `cache` (a long-running caller's), a walk already done is continued
 * rather than repeated.
 */
export async function dataHistory(repo: Repo, options: { path: string; limit?: number; cache?: DataHistoryCache }): Promise<DataHistoryResult> {
  const path = toRepoPath(repo, options.path);
  const cacheKey = `${repo.store.dir}\0${path}`;
  const head = options.cache ? await headCommit(repo) : null;
  const known = head ? options.cache!.answer<{ versions: DataVersion[] }>(cacheKey, head) : undefined;
  if (known) return limited(path, known.versions, true, options.limit);
  // artifactLog reads paths as the command line gives them (from the cwd): hand it the absolute one.
  const log = await artifactLog(repo, { path: absPath(repo, path), ...(head ? { rev: head } : {}) });
  if (log.artifact !== path) {
    throw new TroveError('USAGE', `${path} is inside the tracked directory ${log.artifact}; its data history is that directory's.`, { hint: `Ask for ${log.artifact}.`, data: { path, artifact: log.artifact } });
  }
  const oldestFirst = [...log.commits].reverse();
  const keys = oldestFirst.map(versionKey);
  const cached = options.cache?.resume(cacheKey, keys);
  const walker = cached?.walker ?? new NewBytes(repo.store);
  const costs: (NewCost | null)[] = [...(cached?.costs ?? [])];
  for (const e of oldestFirst.slice(costs.length)) costs.push(walker.next(e));
  const complete = costs.every((c) => c !== null);
  // Only a complete walk is kept: a version whose manifest was missing may be fetched later.
  const versions = oldestFirst.map((e, i) => version(e, costs[i]!)).reverse();
  if (options.cache && complete) options.cache.keep(cacheKey, keys, costs as NewCost[], walker, head ? { head, value: { versions } } : undefined);
  return limited(path, versions, complete, options.limit);
}

function limited(path: string, versions: readonly DataVersion[], complete: boolean, limit = versions.length): DataHistoryResult {
  return { path, versions: versions.slice(0, limit), truncated: versions.length > limit, complete };
}

/** HEAD's commit, or null before the first commit. */
async function headCommit(repo: Repo): Promise<string | null> {
  const res = await repo.git.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { allowFail: true });
  return res.code === 0 ? res.stdout.toString('utf8').trim() : null;
}

/** What identifies a version for the cache: its change and content. */
function versionKey(e: LogEntry): string {
  return `${e.change} ${e.kind ?? ''} ${e.oid ?? ''}`;
}

function version(e: LogEntry, cost: NewCost | null): DataVersion {
  const kind = e.kind === 'file' || e.kind === 'dir' ? e.kind : undefined;
  return {
    commit: e.commit,
    author: e.author,
    email: e.email,
    date: e.date,
    subject: e.message,
    change: e.change === 'unknown' ? 'modified' : e.change,
    path: e.path,
    ...(kind && e.oid !== undefined ? { kind, oid: e.oid, size: e.size ?? 0, files: kind === 'file' ? 1 : (e.files ?? 0) } : {}),
    bytesNew: cost ? cost.bytes : null,
    filesNew: cost ? cost.files : null,
  };
}
