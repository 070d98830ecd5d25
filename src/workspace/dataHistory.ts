import { TroveError, isTroveError } from '../errors/index.js';
import type { ManifestEntry } from '../core/manifest.js';
import { parseOid, type Oid } from '../core/oid.js';
import { diffManifests } from '../store/diffManifests.js';
import { CHUNK_THRESHOLD } from '../store/layout.js';
import { readManifest } from '../store/manifestIO.js';
import type { ObjectStore } from '../store/ObjectStore.js';
import { PageCache } from '../store/PageCache.js';
import { artifactLog, type LogEntry } from './artifactLog.js';
import { toRepoPath, type Repo } from './Repo.js';

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
 * pointers (artifactLog); then, oldest first, the first version's manifest is
 * read whole and each later one only where it differs from the one before
 * (diffManifests reads only the pages that differ), so a 20,000-file directory
 * over 20 versions that change 100 files each reads one full manifest and a
 * few pages per version. A set of every object id seen in older versions
 * decides what is new: a new version's entries are the previous one's minus
 * its removed entries plus its added or changed ones, so only those need a
 * look.
 */
export async function dataHistory(repo: Repo, options: { path: string; limit?: number }): Promise<DataHistoryResult> {
  const path = toRepoPath(repo, options.path);
  const log = await artifactLog(repo, { path });
  if (log.artifact !== path) {
    throw new TroveError('USAGE', `${path} is inside the tracked directory ${log.artifact}; its data history is that directory's.`, { hint: `Ask for ${log.artifact}.`, data: { path, artifact: log.artifact } });
  }
  const oldestFirst = [...log.commits].reverse();
  const costs = new NewBytes(repo.store);
  let complete = true;
  const versions: DataVersion[] = [];
  for (const e of oldestFirst) {
    const cost = costs.next(e);
    if (cost === null) complete = false;
    versions.push(version(e, cost));
  }
  versions.reverse();
  const limit = options.limit ?? versions.length;
  return { path, versions: versions.slice(0, limit), truncated: versions.length > limit, complete };
}

function version(e: LogEntry, cost: { bytes: number; files: number } | null): DataVersion {
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

/** Walks versions oldest first and tells what each adds to the objects seen so far. */
class NewBytes {
  /** every stored object (whole file or chunk) of the versions seen */
  private readonly seen = new Set<string>();
  /** file contents seen, so an unchanged large file's chunk list is not read again */
  private readonly seenFiles = new Set<string>();
  /** the last directory version whose manifest was read, to diff the next one against */
  private lastDir: Oid | undefined;
  /** each version's changed pages are read by two diffs (with the one before and the one after) */
  private readonly pages: PageCache;

  constructor(private readonly store: ObjectStore) {
    this.pages = new PageCache(store);
  }

  next(e: LogEntry): { bytes: number; files: number } | null {
    if (e.change === 'deleted' || e.oid === undefined) return { bytes: 0, files: 0 };
    const oid = parseOid(e.oid, `the version of ${e.path} at ${e.commit.slice(0, 12)}`);
    try {
      if (e.kind === 'dir') return this.dir(oid, e.path);
      this.lastDir = undefined;
      return this.files([{ oid, size: e.size ?? 0 }], e.path);
    } catch (err) {
      if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
      return null;
    }
  }

  private dir(root: Oid, what: string): { bytes: number; files: number } {
    let entries: readonly ManifestEntry[];
    if (this.lastDir === undefined) entries = readManifest(this.pages, root, what);
    else entries = diffManifests(this.pages, this.lastDir, root, what).to;
    this.lastDir = root;
    return this.files(entries.flatMap((x) => (x.mode === 'l' ? [] : [{ oid: x.oid, size: x.size }])), what);
  }

  /** Count the contents among `files` not seen before, then remember them. */
  private files(files: readonly { oid: Oid; size: number }[], what: string): { bytes: number; files: number } {
    let bytes = 0;
    let count = 0;
    for (const f of files) {
      if (this.seenFiles.has(f.oid.hex)) continue;
      this.seenFiles.add(f.oid.hex);
      count++;
      const chunks = f.size > CHUNK_THRESHOLD ? this.store.readChunkList(f.oid) : undefined;
      if (chunks === undefined && f.size > CHUNK_THRESHOLD && !this.store.hasObject(f.oid)) {
        // Neither a chunk list nor a whole copy here: which chunks are new cannot be told.
        this.store.readObject(f.oid, what); // throws OBJECT_MISSING
      }
      for (const u of chunks ?? [f]) {
        if (this.seen.has(u.oid.hex)) continue;
        this.seen.add(u.oid.hex);
        bytes += u.size;
      }
    }
    return { bytes, files: count };
  }
}
