import { TroveError } from '../errors/index.js';
import { checkOptions } from './checkOptions.js';
import { lineage as lineageGraph, toDot, type LineageResult as CoreLineageResult } from '../core/lineageGraph.js';
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
  /**
   * keep only versions of entities of this type in `upstream` and `downstream`
   * ("which models were trained on mnist v1?": type 'model'); the walk still
   * goes through the other types, and `edges` keep the whole graph
   */
  readonly type?: string;
}

export type { LineageNode } from '../core/lineageGraph.js';

/** core/lineageGraph's result (root, upstream, downstream, edges as [from, to], truncated, direction) plus what the command adds. */
export interface LineageResult extends CoreLineageResult {
  /** the depth limit asked for, null for all */
  readonly depth: number | null;
  /** the graph in Graphviz DOT (with `dot: true`) */
  readonly dot?: string;
  /** the type filter asked for, null for none */
  readonly type: string | null;
  /** unreadable tags or records skipped while loading the registry */
  readonly warnings: readonly string[];
}

/**
 * The lineage of one version: upstream (what it was made from, recursively,
 * through each version's `uses`) and downstream (what was made from it).
 * "Which models were trained on dataset mnist v1?" is the downstream of
 * mnist@v1.0.0 with type 'model'. One registry load (one
 * for-each-ref), no per-version Git calls.
 *
 * @example
 *   const { downstream } = await lineage(repo, { ref: 'mnist@v1.0.0', direction: 'down', type: 'model' });
 *   downstream.map((n) => n.tag); // ['modelmnist@v1.0.0']
 */
export async function lineage(ctx: RegistryContext, options: LineageOptions): Promise<LineageResult> {
  checkOptions('lineage', ctx, options, { ref: 'string', direction: 'string?', depth: 'number?', rev: 'string?', dot: 'boolean?', type: 'string?' });
  checkLineageOptions(options);
  const snapshot = await loadRegistry(ctx, options.rev ? { rev: options.rev } : {});
  return lineageOf(snapshot, options);
}

/** The lineage from a registry snapshot already loaded (registry/ readers and tests build one by hand). */
export function lineageOf(snapshot: RegistrySnapshot, options: LineageOptions): LineageResult {
  checkLineageOptions(options);
  const { version } = resolveRef(snapshot, options.ref);
  const graph = lineageGraph(snapshot, version.tag, { direction: options.direction ?? 'both', ...(options.depth !== undefined ? { depth: options.depth } : {}) });
  const keep = (n: { type: string | null }): boolean => options.type === undefined || n.type === options.type;
  const result: LineageResult = { ...graph, upstream: graph.upstream.filter(keep), downstream: graph.downstream.filter(keep), depth: options.depth ?? null, type: options.type ?? null, warnings: [...snapshot.warnings] };
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
