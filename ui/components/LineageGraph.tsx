import { Graph, layout } from '@dagrejs/dagre';
import { useEffect, useMemo } from 'preact/hooks';
import type { UiLineageEdge, UiLineageNode } from '../../src/server/types/uiRegistryTypes.js';
import { exposeChart } from './exposeChart.js';

const KIND_TEXT: Record<UiLineageNode['kind'], string> = { dataset: 'dataset', labels: 'labels', model: 'model', other: 'version', run: 'run', data: 'data path', stage: 'stage' };
const NODE_H = 40;

interface Placed {
  readonly node: UiLineageNode;
  readonly x: number;
  readonly y: number;
  readonly w: number;
}

/**
 * The lineage graph laid out left to right by dagre (data flows from
 * datasets on the left to stages on the right) and drawn as SVG by us: each
 * node is a link to its page, coloured by kind; the edges' styles tell a
 * version made from another (dashed) from a run's input and output (solid).
 */
export function LineageGraph({ nodes, edges }: { nodes: readonly UiLineageNode[]; edges: readonly UiLineageEdge[] }) {
  const laid = useMemo(() => {
    const g = new Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 60, marginx: 12, marginy: 12 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of nodes) g.setNode(n.id, { width: Math.max(96, Math.min(260, n.label.length * 7.2 + 24)), height: NODE_H });
    for (const e of edges) g.setEdge(e.from, e.to);
    layout(g);
    const placed: Placed[] = nodes.map((n) => {
      const p = g.node(n.id) as { x: number; y: number; width: number };
      return { node: n, x: p.x, y: p.y, w: p.width };
    });
    const lines = edges.map((e) => ({ edge: e, points: ((g.edge({ v: e.from, w: e.to }) as { points?: { x: number; y: number }[] } | undefined)?.points ?? []) }));
    const size = g.graph() as { width?: number; height?: number };
    return { placed, lines, width: Math.max(200, size.width ?? 200), height: Math.max(60, size.height ?? 60) };
  }, [nodes, edges]);

  useEffect(() => {
    exposeChart('lineage', {
      nodes: laid.placed.map((p) => ({ id: p.node.id, kind: p.node.kind, label: p.node.label, href: p.node.href, x: p.x, y: p.y, ...(p.node.focus ? { focus: true } : {}) })),
      edges: edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind })),
    });
  }, [laid]);

  return (
    <svg class="reg-lineage" data-testid="lineage-graph" width={laid.width} height={laid.height} viewBox={`0 0 ${laid.width} ${laid.height}`} role="img" aria-label="lineage graph">
      <defs>
        <marker id="reg-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0 0L10 5L0 10z" class="reg-arrowhead" />
        </marker>
      </defs>
      {laid.lines.map(({ edge, points }) => (
        <path
          data-testid="lineage-edge"
          data-from={edge.from}
          data-to={edge.to}
          data-kind={edge.kind}
          class={`reg-edge ${edge.kind}`}
          d={points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join('')}
          marker-end="url(#reg-arrow)"
        >
          <title>{edgeTitle(edge)}</title>
        </path>
      ))}
      {laid.placed.map(({ node: n, x, y, w }) => (
        <a href={n.href} data-testid={`lineage-node-${n.id}`} data-kind={n.kind} class={`reg-node ${n.kind}${n.focus ? ' focus' : ''}${n.missing ? ' missing' : ''}${n.deprecated ? ' deprecated' : ''}`}>
          <title>{nodeTitle(n)}</title>
          <rect x={x - w / 2} y={y - NODE_H / 2} width={w} height={NODE_H} rx={6} />
          <text x={x} y={y - 3} text-anchor="middle" class="reg-node-label">{clip(n.label, Math.floor((w - 12) / 7))}</text>
          <text x={x} y={y + 13} text-anchor="middle" class="reg-node-kind">{KIND_TEXT[n.kind]}{n.deprecated ? ', deprecated' : ''}{n.missing ? ', not here' : ''}</text>
        </a>
      ))}
    </svg>
  );
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, Math.max(1, n - 1))}…` : s;
}

function nodeTitle(n: UiLineageNode): string {
  switch (n.kind) {
    case 'run':
      return `experiment ${n.run}${n.time ? `, started ${new Date(n.time * 1000).toISOString()}` : ''}${n.missing ? ' (not in this clone: trove exp pull)' : ''}`;
    case 'data':
      return `${n.path}: data a run read that is no registered version`;
    case 'stage':
      return `what ${n.stage} of ${n.entity} holds now`;
    default:
      return `${n.label}${n.path ? ` at ${n.path}` : ''}${n.missing ? ' (not registered here)' : ''}`;
  }
}

function edgeTitle(e: UiLineageEdge): string {
  const name = (id: string): string => id.slice(id.indexOf(':') + 1);
  switch (e.kind) {
    case 'uses':
      return `${name(e.to)} was made from ${name(e.from)}`;
    case 'input':
      return `${name(e.to)} read ${name(e.from)}`;
    case 'produced':
      return `${name(e.to)} was promoted from ${name(e.from)}`;
    case 'stage':
      return `${name(e.to)} holds ${name(e.from)}`;
  }
}
