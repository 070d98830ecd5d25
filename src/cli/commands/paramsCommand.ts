import { paramsDiffTable, renderTable, type ParamsDiffResult, type TableFormat } from '../../api/paramsMetrics.js';
import { TroveError } from '../../errors/index.js';
import { defineCommand } from '../defineCommand.js';
import { tableFormat } from '../tableFormat.js';

type ParamsResult = ParamsDiffResult & { format?: TableFormat };

export const paramsCommand = defineCommand<ParamsResult>({
  name: 'params',
  summary: 'compare params files (params.yaml, JSON, TOML) between two revisions or a revision and the work tree',
  examples: [
    'trove params diff                       # HEAD vs the work tree: what you changed since the last commit',
    'trove params diff HEAD~1                # HEAD~1 vs the work tree',
    'trove params diff v1.0 main --all       # two revisions, unchanged params too',
    'trove params diff HEAD~1 HEAD --md      # a Markdown table for a pull request',
    'trove params diff --csv > params.csv',
    'trove params diff --json                # {a, b, files, rows: [{file, key, old, new, change}]}',
    'trove params diff --file conf/train.toml',
  ],
  configure: (cmd) =>
    cmd
      .argument('<action>', 'diff')
      .argument('[revs...]', 'diff: [A] [B]; A defaults to HEAD, B to the work tree')
      .option('--all', 'show unchanged params too')
      .option('--md', 'a Markdown table')
      .option('--csv', 'CSV')
      .option('--file <path...>', 'these params files (repository-relative) instead of params.files from .trove/config.yaml'),
  async run(ctx, args, opts) {
    const action = args[0] as string;
    const revs = (args[1] as string[] | undefined) ?? [];
    if (action !== 'diff') throw new TroveError('USAGE', `Unknown params action "${action}".`, { hint: 'trove params diff [A] [B]' });
    if (revs.length > 2) throw new TroveError('USAGE', `trove params diff compares two revisions, not ${revs.length}.`, { hint: 'trove params diff [A] [B]' });
    const format = tableFormat(opts);
    const [{ paramsDiff }, { openRepo }] = await Promise.all([import('../../api/paramsMetrics.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const r = await paramsDiff(repo, { ...(revs[0] !== undefined ? { a: revs[0] } : {}), ...(revs[1] !== undefined ? { b: revs[1] } : {}), all: Boolean(opts.all), ...(opts.file ? { files: opts.file as string[] } : {}) });
    // The format is how to print, not a fact: kept out of --json.
    Object.defineProperty(r, 'format', { value: format, enumerable: false });
    return r as ParamsResult;
  },
  render(out, r) {
    const format = r.format ?? 'text';
    for (const f of r.files) if (!f.old && !f.new) out.info(`${f.file}: in neither ${r.a.label} nor ${r.b.label}.`);
    if (r.rows.length === 0 && format === 'text') return out.info(`No params changed between ${r.a.label} and ${r.b.label}.`);
    out.line(renderTable(paramsDiffTable(r), format).replace(/\n$/, ''));
  },
});
