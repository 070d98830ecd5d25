import { TroveError } from '../../errors/index.js';
import { encodeFloats } from '../../core/jsonFloats.js';
import { runCsvTable, runTable, toColumns, toCsv, toMarkdown, type RunSummary } from '../../core/expQuery.js';
import type { ExpSubcommand } from './expCommand.js';
import { collect } from './transferOptions.js';

export interface ExpLsRendered {
  action: 'ls';
  experiments: RunSummary[];
  /** how the text is printed: columns (default), csv or md (not part of the JSON contract's facts) */
  format: 'table' | 'csv' | 'md';
}

export const expLsSubcommand: ExpSubcommand<ExpLsRendered> = {
  name: 'ls',
  aliases: ['list'],
  usage: 'ls [--filter EXPR] [--sort KEY] [--csv|--md]   every run: id, started, status, host, user, params that differ, latest and best checkpoint',
  examples: ['trove exp ls', 'trove exp ls --filter "accuracy > 0.9" --filter "learning_rate = 0.01" --sort -accuracy', 'trove exp ls --csv > runs.csv', 'trove --json exp ls'],
  options: (cmd) =>
    cmd
      .option('--filter <expr>', 'ls: KEY OP VALUE on params, best-checkpoint metrics, status, host…; OP = != < <= > >= (repeatable, all must hold)', collect)
      .option('--sort <key>', 'ls: sort by a param, metric or field (started, status…); -KEY descending (default: started)')
      .option('--all', 'ls: every run, stopped and crashed included (the default; kept for Keepsake users)')
      .option('--csv', 'ls: print CSV (full ids, one column per param that differs)')
      .option('--md', 'ls: print a Markdown table'),
  async run(ctx, args, opts) {
    if (args.length) throw new TroveError('USAGE', 'trove exp ls takes no arguments.', { hint: 'trove exp ls --filter "accuracy > 0.9"', data: { reason: 'extra-args' } });
    if (opts.csv && opts.md) throw new TroveError('USAGE', 'Give --csv or --md, not both.', { data: { reason: 'two-formats' } });
    const [{ expList }, { openRepo }] = await Promise.all([import('../../api/expList.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const r = await expList(repo, { filters: (opts.filter as string[] | undefined) ?? [], ...(opts.sort !== undefined ? { sort: String(opts.sort) } : {}) });
    return { action: 'ls', experiments: encodeFloats(r.experiments) as RunSummary[], format: opts.csv ? 'csv' : opts.md ? 'md' : 'table' };
  },
  render(out, r) {
    if (r.format === 'csv') return out.line(toCsv(runCsvTable(r.experiments)));
    if (r.format === 'md') return out.line(toMarkdown(runCsvTable(r.experiments)));
    if (r.experiments.length === 0) return out.info('No experiments. Record one from a training script: experiment = trove.init(params={...}) (docs/experiments.md).');
    for (const line of toColumns(runTable(r.experiments))) out.line(line);
  },
};
