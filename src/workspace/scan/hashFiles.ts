import { existsSync } from 'node:fs';
import { TroveError, fromFsError } from '../../errors/index.js';
import { createOid } from '../../core/oid.js';
import { ingestMany, type IngestItem } from '../../store/ingestPool.js';
import type { IngestSession } from '../../store/ContentStore.js';
import { CHUNK_THRESHOLD } from '../../store/chunkList.js';
import type { Repo } from '../Repo.js';

export interface FileToHash {
  /** repository-relative path (stat-cache key) */
  readonly repoPath: string;
  readonly abs: string;
  readonly size: number;
  readonly ino: number;
  readonly mtimeMs: number;
}

export interface HashFilesResult {
  /** hex digest per input, same order */
  readonly hexes: string[];
  /** how many files were read (stat-cache misses, or content absent from the store) */
  readonly hashed: number;
  /** bytes newly written to the store */
  readonly written: number;
}

/**
 * Digests of work-tree files, from the stat cache when it has a fresh entry
 * (no read at all), otherwise by reading them on every core. With
 * `store: true` the content is also put into the store, and a cache hit whose
 * content is no longer in the store (gc, a new shared cache) is re-ingested.
 */
export async function hashFiles(repo: Repo, files: readonly FileToHash[], options: { store: boolean; progress?: string; hashSmall?: boolean; /** false: the caller records the digests (a directory's work index), not the stat cache */ remember?: boolean; /** the caller's ingest session (one per add command: full packs, one partial); the caller closes it before anything names the objects. Default: one opened and closed here */ session?: IngestSession }): Promise<HashFilesResult> {
  const hexes = new Array<string>(files.length);
  const todo: number[] = [];
  const cached = options.hashSmall && cheaperToHash(repo, files) ? files.map(() => undefined) : files.map((f) => repo.statCache.get(f.repoPath, f));
  const hits = cached.flatMap((hex) => (hex === undefined ? [] : [createOid('sha256', hex)]));
  const stored = options.store ? repo.store.hasFiles(hits) : hits.map(() => true);
  let k = 0;
  cached.forEach((hex, i) => {
    if (hex !== undefined && stored[k++]) hexes[i] = hex;
    else todo.push(i);
  });
  if (todo.length === 0) return { hexes, hashed: 0, written: 0 };
  const items: IngestItem[] = todo.map((i) => ({ path: files[i]!.abs, size: files[i]!.size }));
  repo.reporter.start(options.progress ?? (options.store ? 'Adding' : 'Hashing'), items.reduce((s, it) => s + it.size, 0), 'bytes');
  let written = 0;
  try {
    const progress = {
      // Large files report progress while they are read; the rest when done.
      onProgress: (n: number) => repo.reporter.advance(n),
      onDone: (item: IngestItem) => {
        if (!(options.store && item.size > CHUNK_THRESHOLD)) repo.reporter.advance(item.size);
      },
    };
    let outcomes;
    if (options.store) {
      // Small files go into one local pack for the command, sealed and durable by close(), before anything names them.
      if (options.session) outcomes = await options.session.ingest(items, progress);
      else {
        const session = repo.store.openIngest({ jobs: repo.config.core.jobs });
        try {
          outcomes = await session.ingest(items, progress);
        } finally {
          await session.close();
        }
      }
    } else outcomes = await ingestMany(items, null, { jobs: repo.config.core.jobs, fsync: repo.store.fsync, ...progress });
    outcomes.forEach((o, k) => {
      const i = todo[k]!;
      const f = files[i]!;
      if (!o.ok) {
        const err = Object.assign(new Error(o.message), { code: o.code });
        throw o.code === 'ENOENT' && !existsSync(f.abs)
          ? new TroveError('NOT_FOUND', `${f.repoPath} disappeared while trove was reading it.`, { hint: 'Run the command again once nothing else is changing the data.', cause: err })
          : fromFsError(err, options.store ? 'adding' : 'reading', f.repoPath);
      }
      if (o.result.size !== f.size) {
        throw new TroveError('IO', `${f.repoPath} changed while trove was reading it (${f.size} bytes, then ${o.result.size}).`, { hint: 'Run the command again once nothing is writing to it.', data: { path: f.repoPath } });
      }
      hexes[i] = o.result.hex;
      written += o.result.written;
      if (options.remember !== false) repo.statCache.set(f.repoPath, f, o.result.hex);
    });
  } finally {
    repo.reporter.end();
  }
  return { hexes, hashed: todo.length, written };
}

/** Up to this many files may be hashed instead of consulting a stat cache not yet read. */
const HASH_INSTEAD_MAX_FILES = 256;

/**
 * A few small files (a hook restoring 100 files of 20,000) are hashed faster
 * than the stat cache is parsed: sha256 runs at ~1 GB/s, JSON.parse of the
 * cache (~125 bytes per file) at a fraction of that. So when the cache has
 * not been read yet and the files hold less than twice its bytes, they are
 * read instead (when the caller allows it: status reports how many files it
 * read, and promises none for unchanged files). The digests are the same
 * either way.
 */
function cheaperToHash(repo: Repo, files: readonly FileToHash[]): boolean {
  if (repo.statCache.isLoaded || files.length > HASH_INSTEAD_MAX_FILES) return false;
  let bytes = 0;
  for (const f of files) bytes += f.size;
  return bytes < 2 * repo.statCache.bytesToLoad();
}
