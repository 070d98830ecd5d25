import type { Hono } from 'hono';
import { lineageGraph, type LineageGraphNode } from '../../api/lineageGraph.js';
import { metrics } from '../../api/metrics.js';
import { registry } from '../../api/registry.js';
import { registryEntity } from '../../api/registryEntity.js';
import { registryHistory } from '../../api/registryHistory.js';
import { jsonRoute } from '../jsonRoute.js';
import type { UiContext } from '../UiContext.js';
import type { UiEntityResponse, UiLineageNode, UiLineageResponse, UiRegistryResponse } from '../types/uiRegistryTypes.js';

/**
 * The registry area (issue 16 point 3): every entity, one entity's versions,
 * metrics and stage history, and the lineage graph. Read-only; everything
 * through api/ functions, each of which loads the registry with one
 * for-each-ref, so a page costs a handful of git processes.
 */
export function registryRoutes(app: Hono, ctx: UiContext): void {
  jsonRoute(app, ctx, '/api/registry', async () => {
    const r = await registry(ctx.repo);
    const body: UiRegistryResponse = { stages: r.stages, entities: r.entities, warnings: r.warnings };
    return body;
  });

  jsonRoute(app, ctx, '/api/entity/:name', async (c) => {
    const name = c.req.param('name');
    const e = await registryEntity(ctx.repo, { name });
    // No versions yet: no table to ask metrics() for (it names what is missing as an error).
    const [table, history] = await Promise.all([e.versions.length ? metrics(ctx.repo, { entities: [name] }) : null, registryHistory(ctx.repo, { name })]);
    const body: UiEntityResponse = {
      ...e,
      metrics: table ? { columns: table.columns, rows: table.rows } : { columns: [], rows: [] },
      history: history.events.map(({ entity: _e, ...ev }) => ev),
      historyBranch: history.branch,
      warnings: [...e.warnings, ...history.warnings],
    };
    return body;
  });

  jsonRoute(app, ctx, '/api/lineage', async (c) => {
    const focus = c.req.query('focus');
    const g = await lineageGraph(ctx.repo, focus ? { focus } : {});
    const body: UiLineageResponse = { focus: g.focus, nodes: g.nodes.map(withHref), edges: g.edges, warnings: g.warnings };
    return body;
  });
}

/** The page each node links to: a version's entity page (that version picked), a run, a data path's history. */
function withHref(n: LineageGraphNode): UiLineageNode {
  const { type: _type, ...rest } = n;
  let href: string;
  switch (n.kind) {
    case 'run':
      href = `#/run/${encodeURIComponent(n.run!)}`;
      break;
    case 'data':
      href = `#/data/${n.path!.split('/').map(encodeURIComponent).join('/')}`;
      break;
    case 'stage':
      href = `#/entity/${encodeURIComponent(n.entity!)}`;
      break;
    default:
      href = `#/entity/${encodeURIComponent(n.entity!)}${n.version ? `?v=${encodeURIComponent(n.version)}` : ''}`;
  }
  return { ...rest, href };
}
