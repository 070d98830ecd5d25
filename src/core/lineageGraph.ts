// STUB (h/reg-read) until h/reg-core lands core/lineageGraph.ts: the contract's signatures, minimal logic. Take theirs on merge.
import type { RegistrySnapshot } from './registryTypes.js';
import { parseTag } from './registryNames.js';

export interface LineageNode {
  readonly tag: string;
  readonly entity: string;
  readonly type: string;
  readonly version: string;
  readonly depth: number;
}
export interface LineageResult {
  readonly root: LineageNode;
  readonly upstream: LineageNode[];
  readonly downstream: LineageNode[];
  /** [from, to]: `to` was made from `from` */
  readonly edges: [string, string][];
}

export function lineage(snapshot: RegistrySnapshot, tag: string, options: { direction: 'up' | 'down' | 'both'; depth?: number }): LineageResult {
  const byTag = new Map<string, { entity: string; type: string; version: string; uses: readonly string[] }>();
  for (const e of snapshot.entities.values()) for (const v of e.versions) byTag.set(v.tag, { entity: v.entity, type: e.record.type, version: v.version, uses: v.uses });
  const users = new Map<string, string[]>();
  for (const [t, v] of byTag) for (const u of v.uses) users.set(u, [...(users.get(u) ?? []), t]);
  const node = (t: string, depth: number): LineageNode => {
    const v = byTag.get(t);
    const p = parseTag(t);
    return { tag: t, entity: v?.entity ?? (p && 'name' in p ? p.name : t), type: v?.type ?? '', version: v?.version ?? (p && 'version' in p ? p.version : ''), depth };
  };
  const edges = new Set<string>();
  const walk = (next: (t: string) => readonly string[], edge: (a: string, b: string) => [string, string]): LineageNode[] => {
    const seen = new Map<string, number>([[tag, 0]]);
    let frontier = [tag];
    for (let d = 1; frontier.length && (options.depth === undefined || d <= options.depth); d++) {
      const nf: string[] = [];
      for (const t of frontier) for (const n of next(t)) {
        const [a, b] = edge(t, n);
        edges.add(`${a}\0${b}`);
        if (!seen.has(n)) (seen.set(n, d), nf.push(n));
      }
      frontier = nf;
    }
    return [...seen].filter(([t]) => t !== tag).map(([t, d]) => node(t, d));
  };
  const upstream = options.direction === 'down' ? [] : walk((t) => byTag.get(t)?.uses ?? [], (t, n) => [n, t]);
  const downstream = options.direction === 'up' ? [] : walk((t) => users.get(t) ?? [], (t, n) => [t, n]);
  return { root: node(tag, 0), upstream, downstream, edges: [...edges].sort().map((e) => e.split('\0') as [string, string]) };
}

export function toDot(result: LineageResult): string {
  const q = (s: string): string => JSON.stringify(s);
  const nodes = [result.root, ...result.upstream, ...result.downstream];
  return ['digraph lineage {', '  rankdir=LR;', ...nodes.map((n) => `  ${q(n.tag)} [label=${q(`${n.tag}\\n${n.type}`)}];`), ...result.edges.map(([a, b]) => `  ${q(a)} -> ${q(b)};`), '}', ''].join('\n');
}
