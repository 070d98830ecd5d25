import { checkOptions } from './checkOptions.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { formatOid } from '../core/oid.js';
import { silentReporter, type Reporter } from '../core/Reporter.js';
import { ObjectStore } from '../store/ObjectStore.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { normalizeUpstreamPath } from '../workspace/pointers/upstreamArtifact.js';
import { checkOutputFree, writeOutput } from '../workspace/checkout/writeOutput.js';
import { downloadUpstream, locateUpstream, type FetchedUpstream, type SourceInfo, type UpstreamContext, type UpstreamRequest } from '../sync/fetchUpstream.js';

export interface GetOptions extends UpstreamRequest {
  /** where to write, relative to the cwd (default: the last component of `path`) */
  readonly out?: string;
  /** replace an existing `out` */
  readonly force?: boolean;
  /**
   * The trove repository the command runs in, if any: objects then go into
   * its store (a later import or checkout reuses them) and the Git cache
   * lives under its .trove/tmp. Without it a temporary store is used.
   */
  readonly repo?: Repo;
  /** used without `repo` */
  readonly cwd?: string;
  readonly reporter?: Reporter;
}

export interface GetResult {
  readonly source: SourceInfo;
  readonly kind: 'file' | 'dir';
  /** content id of what was written (for a folder inside a tracked directory: the id of that folder's own manifest) */
  readonly oid: string;
  readonly size: number;
  readonly files?: number;
  /** absolute path written */
  readonly out: string;
  /** the remote the content came from (URL without credentials) */
  readonly remote: { readonly name: string; readonly url: string };
  readonly objects: number;
  readonly bytes: number;
  readonly requests: number;
}

/**
 * Download tracked data from another Git repository and its trove remote,
 * without cloning it: the output is a plain file or directory, not tracked.
 *
 * @example
 *   await get({ url: 'https://github.com/org/datasets.git', path: 'images/cat.jpg', rev: 'v2', out: 'cat.jpg' });
 */
export async function get(options: GetOptions): Promise<GetResult> {
  checkOptions('get', null, options, { url: 'string', path: 'string', rev: 'string?', remote: 'string?', jobs: 'number?', out: 'string?', force: 'boolean?', repo: 'object?', cwd: 'string?', reporter: 'object?' });
  const repo = options.repo;
  const cwd = repo?.cwd ?? resolve(options.cwd ?? process.cwd());
  const reporter = repo?.reporter ?? options.reporter ?? silentReporter;
  const shown = options.out ?? basename(normalizeUpstreamPath(options.path));
  const dest = resolve(cwd, shown);
  // Before any network traffic: a refusal should cost nothing.
  checkOutputFree(dest, Boolean(options.force), shown);
  const run = async (ctx: UpstreamContext): Promise<GetResult> => {
    const located = await locateUpstream(options, ctx);
    const fetched = await downloadUpstream(located, options, ctx);
    await writeOutput(ctx.store, fetched, dest, { force: Boolean(options.force), shown, what: located.path, reporter });
    return toGetResult(located.source, fetched, dest);
  };
  if (repo) return withLock(repo, 'get', () => run({ store: repo.store, gitCacheRoot: join(repo.troveDir, 'tmp', 'upstream'), cwd, reporter, ownRemotes: repo.config.remotes }));
  const tmp = mkdtempSync(join(tmpdir(), 'trove-get-'));
  try {
    // A store deleted when get returns: syncing its objects to disk would only cost time.
    return await run({ store: new ObjectStore(join(tmp, 'store'), { fsync: false }), gitCacheRoot: join(tmp, 'git'), cwd, reporter });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function toGetResult(source: SourceInfo, f: FetchedUpstream, out: string): GetResult {
  const p = f.pointer;
  return {
    source,
    kind: p.kind,
    oid: formatOid(p.oid),
    size: p.size,
    ...(p.files !== undefined ? { files: p.files } : {}),
    out,
    remote: { name: f.remote.name, url: f.remote.url },
    objects: f.objects,
    bytes: f.bytes,
    requests: f.requests,
  };
}
