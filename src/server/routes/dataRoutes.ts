import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import { dataDiff } from '../../api/dataDiff.js';
import { DataHistoryCache, dataHistory } from '../../api/dataHistory.js';
import { listArtifacts } from '../../api/listArtifacts.js';
import { rowDiff } from '../../api/rowDiff.js';
import { TroveError, isTroveError } from '../../errors/index.js';
import { jsonRoute } from '../jsonRoute.js';
import type { UiContext } from '../UiContext.js';
import type { DataDiffResponse, DataHistoryResponse, DataPathsResponse, RowDiffResponse } from '../types/dataTypes.js';

/** A revision from the browser: a commit id, branch or tag, never an option to git. */
function rev(c: Context, name: string): string {
  const v = c.req.query(name);
  if (!v || v.startsWith('-') || /[\0\n\r]/.test(v) || v.length > 256) {
    throw new TroveError('USAGE', `The query parameter ${name} must name a revision.`, { hint: `Pass ?${name}=COMMIT (a commit id from the history).` });
  }
  return v;
}

/**
 * The api functions take paths as the command line does (relative to the
 * directory trove was started in); a browser path is relative to the work
 * tree, so it is handed over absolute, or `trove ui` started in a
 * subdirectory would look for data/ inside that subdirectory.
 */
function fromRoot(ctx: UiContext, path: string): string {
  return join(ctx.repo.root, ...path.split('/'));
}

function limit(c: Context): number | undefined {
  const v = c.req.query('limit');
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new TroveError('USAGE', `limit must be a whole number of at least 1, not ${v}.`);
  return n;
}

/** Too large to diff in the browser: HTTP 413, with the api's message and hint. */
function tooLargeIs413(err: unknown): never {
  if (isTroveError(err) && err.data?.['reason'] === 'TOO_LARGE') {
    throw new TroveError(err.code, err.message, { hint: err.hint, data: { ...err.data, httpStatus: 413 } });
  }
  throw err;
}

/** The data-history pages' routes: tracked paths, their versions with bytes new, file diffs and CSV row diffs. */
export function dataRoutes(app: Hono, ctx: UiContext): void {
  // Walks of a path's versions, continued when a commit is added instead of redone (content-addressed: never stale).
  const histories = new DataHistoryCache();
  jsonRoute(app, ctx, '/api/paths', async () => {
    const head = await ctx.repo.git.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { allowFail: true });
    const commit = head.code === 0 ? head.stdout.toString('utf8').trim() : null;
    const listed = commit ? await listArtifacts(ctx.repo, { rev: commit }) : { artifacts: [] };
    const body: DataPathsResponse = {
      commit,
      paths: listed.artifacts.map((a) => ({ path: a.path, kind: a.kind, oid: a.oid, size: a.size, files: a.kind === 'file' ? 1 : (a.files ?? 0) })),
    };
    return body;
  });

  jsonRoute(app, ctx, '/api/history', async (c) => {
    const path = fromRoot(ctx, ctx.repoPath(c.req.query('path')));
    const n = limit(c);
    const body: DataHistoryResponse = await dataHistory(ctx.repo, { path, cache: histories, ...(n !== undefined ? { limit: n } : {}) });
    return body;
  });

  jsonRoute(app, ctx, '/api/datadiff', async (c) => {
    const path = fromRoot(ctx, ctx.repoPath(c.req.query('path')));
    const body: DataDiffResponse = await dataDiff(ctx.repo, { path, from: rev(c, 'from'), to: rev(c, 'to') });
    return body;
  });

  jsonRoute(app, ctx, '/api/rowdiff', async (c) => {
    const path = fromRoot(ctx, ctx.repoPath(c.req.query('path')));
    const file = c.req.query('file');
    const body: RowDiffResponse = await rowDiff(ctx.repo, { path, ...(file ? { file } : {}), from: rev(c, 'from'), to: rev(c, 'to') }).catch(tooLargeIs413);
    return body;
  });
}
