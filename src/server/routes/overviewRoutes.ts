import { basename } from 'node:path';
import type { Hono } from 'hono';
import { jsonRoute } from '../jsonRoute.js';
import type { UiContext } from '../UiContext.js';
import type { OverviewResponse } from '../types/overviewTypes.js';
import { repoSummary } from '../../api/repoSummary.js';

export function overviewRoutes(app: Hono, ctx: UiContext): void {
  jsonRoute(app, ctx, '/api/overview', async () => {
    const [head, branch, counts] = await Promise.all([
      ctx.repo.git.run(['rev-parse', '--verify', '--quiet', 'HEAD'], { allowFail: true }),
      ctx.repo.git.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFail: true }),
      repoSummary(ctx.repo),
    ]);
    const body: OverviewResponse = {
      name: basename(ctx.repo.root),
      root: ctx.repo.root,
      branch: branch.code === 0 ? branch.stdout.toString('utf8').trim() : null,
      commit: head.code === 0 ? head.stdout.toString('utf8').trim() : null,
      trove: ctx.version,
      counts,
    };
    return body;
  });
}
