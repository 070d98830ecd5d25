import { TroveError } from '../errors/index.js';
import type { RegisteredVersion, RegistrySnapshot } from './registryTypes.js';
import { parseTag } from './registryNames.js';

/**
 * Lineage over the `uses` of version records: upstream (what a version was
 * made from, recursively) and downstream (what was made from it: "which
 * models were trained on mnist v1?"). Breadth-first, so each node's depth is
 * its shortest distance from the root; a visited set makes cycles (a hand-made
 * record, a --rev registration) harmless; `depth` limits the distance.
 */

export interface LineageNode {
  /** GTO tag, NAME@vX.Y.Z */
  readonly tag: string;
  readonly entity: string;
  readonly version: string;
  /** the entity's type, or null when the version is not registered here (`missing`) */
  readonly type: string | null;
  /** distance from the root (the root is 0) */
  readonly depth: number;
  /** listed in a `uses` but not registered in this snapshot (deleted tag, not fetched) */
  readonly missing: boolean;
  readonly deprecated: boolean;
}

export interface LineageResult {
  readonly root: LineageNode;
  /** versions the root was made from, nearest first, then by tag */
  readonly upstream: readonly LineageNode[];
  /** versions made from the root, nearest first, then by tag */
  readonly downstream: readonly LineageNode[];
  /** [from, to]: `from` was used to make `to` (data flows from → to); sorted */
  readonly edges: readonly (readonly [string, string])[];
  /** the depth limit left some lineage out */
  readonly truncated: boolean;
  readonly direction: 'up' | 'down' | 'both';
}

export interface LineageOptions {
  readonly direction: 'up' | 'down' | 'both';
  /** the farthest distance from the root to include; default unlimited */
  readonly depth?: number;
}

/** Lineage of the version with GTO tag `tag` (resolve references with resolveRef first). NOT_FOUND if it is not registered. */
export function lineage(snapshot: RegistrySnapshot, tag: string, options: LineageOptions): LineageResult {
  const byTag = new Map<string, RegisteredVersion>();
  const usedBy = new Map<string, string[]>();
  for (const entity of snapshot.entities.values()) {
    for (const v of entity.versions) {
      byTag.set(v.tag, v);
      for (const u of v.uses) {
        const list = usedBy.get(u);
        if (list) list.push(v.tag);
        else usedBy.set(u, [v.tag]);
      }
    }
  }
  const rootVersion = byTag.get(tag);
  if (!rootVersion) {
    throw new TroveError('NOT_FOUND', `No registered version ${tag}.`, {
      hint: 'trove registry',
      data: { ref: tag },
    });
  }
  const limit = options.depth ?? Infinity;
  const edges = new Map<string, readonly [string, string]>();
  let truncated = false;
  const node = (t: string, depth: number): LineageNode => {
    const v = byTag.get(t);
    const p = parseTag(t);
    const [entity, version] = v ? [v.entity, v.version] : p && p.kind === 'register' ? [p.name, p.version] : [t, ''];
    return { tag: t, entity, version, type: v ? v.type : null, depth, missing: !v, deprecated: v?.deprecated ?? false };
  };
  const walk = (next: (t: string) => readonly string[], edge: (cur: string, n: string) => readonly [string, string]): LineageNode[] => {
    const seen = new Set<string>([tag]);
    const out: LineageNode[] = [];
    let frontier = [tag];
    for (let depth = 1; frontier.length > 0; depth++) {
      const following: string[] = [];
      for (const cur of frontier) {
        const ns = next(cur);
        if (depth > limit) {
          if (ns.length > 0) truncated = true;
          continue;
        }
        for (const n of ns) {
          const e = edge(cur, n);
          edges.set(`${e[0]}\0${e[1]}`, e);
          if (seen.has(n)) continue;
          seen.add(n);
          const nd = node(n, depth);
          out.push(nd);
          if (!nd.missing) following.push(n);
        }
      }
      frontier = depth > limit ? [] : following;
    }
    return out.sort((a, b) => a.depth - b.depth || cmp(a.tag, b.tag));
  };
  const up = options.direction !== 'down' ? walk((t) => byTag.get(t)?.uses ?? [], (cur, n) => [n, cur]) : [];
  const down = options.direction !== 'up' ? walk((t) => usedBy.get(t) ?? [], (cur, n) => [cur, n]) : [];
  return {
    root: node(tag, 0),
    upstream: up,
    downstream: down,
    edges: [...edges.values()].sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1])),
    truncated,
    direction: options.direction,
  };
}

/** Graphviz DOT: data flows left to right (dataset → labels → model); the root is bold, missing versions dashed. */
export function toDot(result: LineageResult): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const q = (s: string) => `"${esc(s)}"`;
  const lines = ['digraph lineage {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  const nodes = [result.root, ...result.upstream, ...result.downstream];
  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n.tag)) continue;
    seen.add(n.tag);
    // DOT's \n in a quoted label is a line break
    const attrs = [`label="${esc(n.tag)}\\n${esc(n.type ?? '(not registered)')}"`];
    if (n.depth === 0) attrs.push('style=bold');
    else if (n.missing) attrs.push('style=dashed');
    else if (n.deprecated) attrs.push('style=dotted');
    lines.push(`  ${q(n.tag)} [${attrs.join(', ')}];`);
  }
  for (const [from, to] of result.edges) lines.push(`  ${q(from)} -> ${q(to)};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * A text tree for the terminal:
 *
 *     modelmnist@v1.0.0 (model)
 *     made from:
 *     ├── labelsmnist@v1.0.0 (labels)
 *     │   └── mnist@v1.0.0 (dataset)
 *     └── mnist@v1.0.0 (dataset) *
 *     used by:
 *       (nothing)
 *
 * A version already shown above is marked `*` and not expanded again.
 */
export function renderLineageTree(result: LineageResult): string {
  const all = new Map<string, LineageNode>();
  for (const n of [result.root, ...result.upstream, ...result.downstream]) all.set(n.tag, n);
  const ups = new Map<string, string[]>();
  const downs = new Map<string, string[]>();
  for (const [from, to] of result.edges) {
    (ups.get(to) ?? ups.set(to, []).get(to)!).push(from);
    (downs.get(from) ?? downs.set(from, []).get(from)!).push(to);
  }
  const label = (t: string) => {
    const n = all.get(t);
    const what = !n || n.missing ? 'not registered' : n.deprecated ? `${n.type}, deprecated` : n.type;
    return `${t} (${what})`;
  };
  const lines = [label(result.root.tag)];
  const section = (title: string, children: Map<string, string[]>, wanted: boolean) => {
    if (!wanted) return;
    lines.push(`${title}:`);
    const shown = new Set<string>([result.root.tag]);
    const draw = (t: string, prefix: string) => {
      const kids = [...(children.get(t) ?? [])].sort(cmp);
      kids.forEach((k, i) => {
        const last = i === kids.length - 1;
        const again = shown.has(k);
        lines.push(`${prefix}${last ? '└── ' : '├── '}${label(k)}${again ? ' *' : ''}`);
        if (again) return;
        shown.add(k);
        draw(k, `${prefix}${last ? '    ' : '│   '}`);
      });
    };
    if ((children.get(result.root.tag) ?? []).length === 0) lines.push('  (nothing)');
    draw(result.root.tag, '');
  };
  section('made from', ups, result.direction !== 'down');
  section('used by', downs, result.direction !== 'up');
  if (result.truncated) lines.push('(more beyond --depth)');
  return `${lines.join('\n')}\n`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
