import { metricsShowTable, renderTable, type MetricsShowResult, type TableFormat } from '../../api/paramsMetrics.js';
import { defineCommand } from '../defineCommand.js';
import { tableFormat } from '../tableFormat.js';

type Result = MetricsShowResult & { format?: TableFormat };

/** `trove metrics show [REV...]`: a subcommand of `trove metrics` (see metricsCommand.ts). */
export const metricsShowCommand = defineCommand<Result>({
  name: 'show',
  summary: 'the metrics files (metrics.json, YAML, CSV) of the work tree, or of each revision given, as a table',
  examples: [
    'trove metrics show                       # the work tree',
    'trove metrics show HEAD~2 HEAD~1 HEAD    # one column per revision',
    'trove metrics show main exp-branch --md',
    'trove metrics show --csv > metrics.csv',
    'trove metrics show --json                # {revisions, files, rows: [{file, key, values}]}',
  ],
  configure: (cmd) =>
    cmd
      .argument('[revs...]', 'Git revisions (default: the work tree)')
      .option('--md', 'a Markdown table')
      .option('--csv', 'CSV')
      .option('--file <path...>', 'these metrics files (repository-relative) instead of metrics.files from .trove/config.yaml'),
  async run(ctx, args, opts) {
    const format = tableFormat(opts);
    const [{ metricsShow }, { openRepo }] = await Promise.all([import('../../api/paramsMetrics.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const r = await metricsShow(repo, { revs: (args[0] as string[] | undefined) ?? [], ...(opts.file ? { files: opts.file as string[] } : {}) });
    Object.defineProperty(r, 'format', { value: format, enumerable: false });
    return r as Result;
  },
  render(out, r) {
    const format = r.format ?? 'text';
    for (const f of r.files) if (f.present.every((p) => !p)) out.info(`${f.file}: not found in ${r.revisions.map((s) => s.label).join(', ')}.`);
    if (r.rows.length === 0 && format === 'text') return out.info('No metrics.');
    out.line(renderTable(metricsShowTable(r), format).replace(/\n$/, ''));
  },
});
