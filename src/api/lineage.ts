import { TroveError } from '../errors/index.js';
import { checkOptions } from './checkOptions.js';
import { lineage as lineageGraph, toDot } from '../core/lineageGraph.js';
import type { RegistrySnapshot } from '../core/registryTypes.js';
import { resolveRef } from '../core/resolveRef.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import type { RegistryContext } from '../registry/RegistryContext.js';

export type LineageDirection = 'up' | 'down' | 'both';

export interface LineageOptions {
  /** NAME@vX.Y.Z, NAME@X, NAME (latest), NAME#STAGE or an ml-git tag */
  readonly ref: string;
  /** up: what it was made from; down: what was made from it (default both) */
  readonly direction?: LineageDirection;
  /** how many steps to follow (default: all) */
  readonly depth?: number;
  /** read the registry as of this Git revision (default: the work tree and all tags) */
  readonly rev?: string;
  /** also return the graph as Graphviz DOT in `dot` */
  readonly dot?: boolean;
}

export interface LineageNode {
  /** GTO tag, e.g. mnist@v1.0.0 */
  readonly tag: string;
  readonly entity: string;
  /** the entity's type (dataset, labels, model, …); '' when the entity is no longer declared */
  readonly type: string;
  readonly version: string;
  /** steps from the root (1 = used directly / made directly from it) */
  readonly depth: number;
}

export interface LineageResult {
  readonly root: LineageNode;
  readonly direction: LineageDirection;
  /** the depth limit asked for, null for all */
  readonly depth: number | null;
  /** what the root was made from, nearest first */
  readonly upstream: readonly LineageNode[];
  /** what was made from the root, nearest first */
  readonly downstream: readonly LineageNode[];
  /** `to` was made from `from` (data flows from → to), sorted */
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  /** the graph in Graphviz DOT (with `dot: true`) */
  readonly dot?: string;
  /** unreadable tags or records skipped while loading the registry */
  readonly warnings: readonly string[];
}

/**
 * The lineage of one version: upstream (what it was made from, recursively,
 * through each version's `uses`) and downstream (what was made from it).
 * "Which models were trained on dataset mnist v1?" is the downstream of
 * mnist@v1.0.0, filtered by type 'model'. One registry load (one
 * for-each-ref), no per-version Git calls.
 *
 * @example
 *   const { downstream } = await lineage(repo, { ref: 'mnist@v1.0.0', direction: 'down' });
 *   downstream.filter((n) => n.type === 'model').map((n) => n.tag); // ['modelmnist@v1.0.0']
 */
export async function lineage(ctx: RegistryContext, options: LineageOptions): Promise<LineageResult> {
  checkOptions('lineage', ctx, options, { ref: 'string', direction: 'string?', depth: 'number?', rev: 'string?', dot: 'boolean?' });
  checkLineageOptions(options);
  const snapshot = await loadRegistry(ctx, options.rev ? { rev: options.rev } : {});
  return lineageOf(snapshot, options);
}

/** The lineage from a registry snapshot already loaded (registry/ readers and tests build one by hand). */
export function lineageOf(snapshot: RegistrySnapshot, options: LineageOptions): LineageResult {
  checkLineageOptions(options);
  const { entity, version } = resolveRef(snapshot, options.ref);
  const direction = options.direction ?? 'both';
  const graph = lineageGraph(snapshot, version.tag, { direction, ...(options.depth !== undefined ? { depth: options.depth } : {}) });
  const typeOf = (name: string, fallback: string): string => snapshot.entities.get(name)?.record.type ?? fallback;
  const node = (n: { tag: string; entity: string; type?: string; version: string; depth: number }): LineageNode => ({ tag: n.tag, entity: n.entity, type: n.type || typeOf(n.entity, ''), version: n.version, depth: n.depth });
  const byDepth = (a: LineageNode, b: LineageNode): number => a.depth - b.depth || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0);
  const result: LineageResult = {
    root: node({ ...graph.root, type: graph.root.type || entity.record.type }),
    direction,
    depth: options.depth ?? null,
    upstream: graph.upstream.map(node).sort(byDepth),
    downstream: graph.downstream.map(node).sort(byDepth),
    edges: graph.edges.map(([from, to]) => ({ from, to })).sort((a, b) => (a.from + '\0' + a.to < b.from + '\0' + b.to ? -1 : 1)),
    warnings: [...snapshot.warnings],
  };
  return options.dot ? { ...result, dot: toDot(graph) } : result;
}

function checkLineageOptions(options: LineageOptions): void {
  if (options.direction !== undefined && !['up', 'down', 'both'].includes(options.direction)) {
    throw new TroveError('USAGE', `Unknown lineage direction "${options.direction}".`, { hint: 'Use up, down or both (trove lineage REF --upstream | --downstream).', data: { direction: options.direction } });
  }
  if (options.depth !== undefined && !(Number.isInteger(options.depth) && options.depth >= 1)) {
    throw new TroveError('USAGE', `--depth must be a whole number of steps, 1 or more, not ${options.depth}.`, { hint: 'Example: trove lineage mnist@v1.0.0 --downstream --depth 1', data: { depth: options.depth } });
  }
}
