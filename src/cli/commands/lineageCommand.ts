import { InvalidArgumentError } from 'commander';
import type { LineageResult } from '../../api/lineage.js';
import { renderLineageTree } from '../../core/lineageGraph.js';
import { defineCommand } from '../defineCommand.js';

export const lineageCommand = defineCommand<LineageResult>({
  name: 'lineage',
  summary: 'what a version was made from (upstream) and what was made from it (downstream)',
  examples: [
    'trove lineage modelmnist@v2.0.0                 # both directions',
    'trove lineage mnist@v1.0.0 --downstream         # everything made from dataset mnist v1',
    'trove lineage mnist@v1.0.0 --downstream --type model   # which models were trained on it?',
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
      .option('--type <type>', 'list only versions of this type (dataset, labels, model, …)')
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
      ...(opts.type ? { type: String(opts.type) } : {}),
    });
    if (!ctx.out.json) for (const w of result.warnings) ctx.out.warn(w);
    return result;
  },
  render(out, r) {
    if (r.type !== null && r.dot === undefined) return renderList(out, r);
    out.line((r.dot ?? renderLineageTree(r)).replace(/\n$/, ''));
  },
});

function parseDepth(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('N must be a whole number of steps, 1 or more.');
  return n;
}

/** With --type the answer is a list (the tree would hide the versions of other types it passes through). */
function renderList(out: { line(t: string): void }, r: LineageResult): void {
  out.line(`${r.root.tag} (${r.root.type ?? 'not registered'})`);
  for (const [title, nodes, wanted] of [
    ['made from', r.upstream, r.direction !== 'down'],
    ['used by', r.downstream, r.direction !== 'up'],
  ] as const) {
    if (!wanted) continue;
    out.line(`${title} (${r.type} only):`);
    if (nodes.length === 0) out.line('  (nothing)');
    for (const n of nodes) out.line(`  ${n.tag}${n.depth > 1 ? `  (${n.depth} steps)` : ''}`);
  }
  if (r.truncated) out.line('(more beyond --depth)');
}
