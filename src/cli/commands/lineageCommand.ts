import { InvalidArgumentError } from 'commander';
import type { LineageNode, LineageResult } from '../../api/lineage.js';
import { defineCommand } from '../defineCommand.js';

export const lineageCommand = defineCommand<LineageResult>({
  name: 'lineage',
  summary: 'what a version was made from (upstream) and what was made from it (downstream)',
  examples: [
    'trove lineage modelmnist@v2.0.0                 # both directions',
    'trove lineage mnist@v1.0.0 --downstream         # which models were trained on dataset mnist v1?',
    'trove lineage handwritten__digits__modelmnist__1 --upstream --depth 1',
    'trove lineage modelmnist --dot | dot -Tsvg > lineage.svg',
    'trove lineage modelmnist@v1.0.0 --json',
  ],
  configure: (cmd) =>
    cmd
      .argument('<ref>', 'a version: NAME@vX.Y.Z, NAME@X, NAME (latest), NAME#STAGE or an ml-git tag')
      .option('--upstream', 'only what it was made from (recursively)')
      .option('--downstream', 'only what was made from it (recursively)')
      .option('--depth <n>', 'follow at most N steps', parseDepth)
      .option('--dot', 'print the graph in Graphviz DOT')
      .option('--rev <rev>', 'read the registry as of this Git revision'),
  async run(ctx, args, opts) {
    const [{ lineage }, { openRepo }] = await Promise.all([import('../../api/lineage.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const up = Boolean(opts.upstream);
    const down = Boolean(opts.downstream);
    const result = await lineage(repo, {
      ref: String(args[0]),
      direction: up && !down ? 'up' : down && !up ? 'down' : 'both',
      ...(opts.depth !== undefined ? { depth: opts.depth as number } : {}),
      ...(opts.rev ? { rev: String(opts.rev) } : {}),
      dot: Boolean(opts.dot),
    });
    if (!ctx.out.json) for (const w of result.warnings) ctx.out.warn(w);
    return result;
  },
  render(out, r) {
    if (r.dot !== undefined) {
      out.line(r.dot.replace(/\n$/, ''));
      return;
    }
    out.line(`${r.root.tag}  ${r.root.type}`);
    if (r.direction !== 'down') section(out, 'made from (upstream)', r, 'up');
    if (r.direction !== 'up') section(out, 'made from it (downstream)', r, 'down');
  },
});

function parseDepth(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('N must be a whole number of steps, 1 or more.');
  return n;
}

/**
 * One direction as a tree under the root. The lineage is a graph (a model
 * uses a dataset and labels made from that same dataset), so a version
 * reached a second time is printed once more but not expanded again.
 */
function section(out: { line(t: string): void }, title: string, r: LineageResult, dir: 'up' | 'down'): void {
  const nodes = dir === 'up' ? r.upstream : r.downstream;
  out.line(`${title}:`);
  if (nodes.length === 0) {
    out.line('  (none)');
    return;
  }
  const byTag = new Map<string, LineageNode>(nodes.map((n) => [n.tag, n]));
  const children = new Map<string, string[]>();
  for (const e of r.edges) {
    const [parent, child] = dir === 'down' ? [e.from, e.to] : [e.to, e.from];
    if (!byTag.has(child)) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const shown = new Set<string>();
  const walk = (tag: string, indent: string): void => {
    const kids = [...new Set(children.get(tag) ?? [])].sort();
    kids.forEach((kid, i) => {
      const last = i === kids.length - 1;
      const n = byTag.get(kid)!;
      const again = shown.has(kid);
      out.line(`${indent}${last ? '└── ' : '├── '}${n.tag}  ${n.type || '(undeclared)'}${again && (children.get(kid)?.length ?? 0) > 0 ? '  (see above)' : ''}`);
      if (again) return;
      shown.add(kid);
      walk(kid, indent + (last ? '    ' : '│   '));
    });
  };
  walk(r.root.tag, '  ');
}
