import { metricsDiffTable, renderTable, type MetricsDiffResult, type TableFormat } from '../../api/paramsMetrics.js';
import { TroveError } from '../../errors/index.js';
import { defineCommand } from '../defineCommand.js';
import { tableFormat } from '../tableFormat.js';

type Result = MetricsDiffResult & { format?: TableFormat };

/** `trove metrics diff [A] [B]`: a subcommand of `trove metrics` (see metricsCommand.ts). */
export const metricsDiffCommand = defineCommand<Result>({
  name: 'diff',
  summary: 'compare metrics files between two revisions, or a revision and the work tree, with the numeric change',
  examples: [
    'trove metrics diff                       # HEAD vs the work tree',
    'trove metrics diff HEAD~1                # HEAD~1 vs the work tree',
    'trove metrics diff main exp-branch --all # unchanged metrics too',
    'trove metrics diff HEAD~1 HEAD --md',
    'trove metrics diff --json                # {a, b, files, rows: [{file, key, old, new, delta, change}]}',
  ],
  configure: (cmd) =>
    cmd
      .argument('[revs...]', '[A] [B]; A defaults to HEAD, B to the work tree')
      .option('--all', 'show unchanged metrics too')
      .option('--md', 'a Markdown table')
      .option('--csv', 'CSV')
      .option('--file <path...>', 'these metrics files (repository-relative) instead of metrics.files from .trove/config.yaml'),
  async run(ctx, args, opts) {
    const revs = (args[0] as string[] | undefined) ?? [];
    if (revs.length > 2) throw new TroveError('USAGE', `trove metrics diff compares two revisions, not ${revs.length}.`, { hint: 'trove metrics diff [A] [B]' });
    const format = tableFormat(opts);
    const [{ metricsDiff }, { openRepo }] = await Promise.all([import('../../api/paramsMetrics.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const r = await metricsDiff(repo, { ...(revs[0] !== undefined ? { a: revs[0] } : {}), ...(revs[1] !== undefined ? { b: revs[1] } : {}), all: Boolean(opts.all), ...(opts.file ? { files: opts.file as string[] } : {}) });
    Object.defineProperty(r, 'format', { value: format, enumerable: false });
    return r as Result;
  },
  render(out, r) {
    const format = r.format ?? 'text';
    for (const f of r.files) if (!f.old && !f.new) out.info(`${f.file}: in neither ${r.a.label} nor ${r.b.label}.`);
    if (r.rows.length === 0 && format === 'text') return out.info(`No metrics changed between ${r.a.label} and ${r.b.label}.`);
    out.line(renderTable(metricsDiffTable(r), format).replace(/\n$/, ''));
  },
});
