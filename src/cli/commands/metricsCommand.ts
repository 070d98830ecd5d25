import { Option } from 'commander';
import { METRICS_FORMATS, serializeMetrics, type MetricsFormat, type MetricsNames, type MetricsResult } from '../../api/metrics.js';
import { humanBytes } from '../../util/humanBytes.js';
import type { Output } from '../Output.js';
import { defineCommand } from '../defineCommand.js';
import { metricsDiffCommand } from './metricsDiffCommand.js';
import { metricsShowCommand } from './metricsShowCommand.js';

export const metricsCommand = defineCommand<MetricsResult>({
  name: 'metrics',
  summary: 'the metrics of every version of one or more entities, as a table (text, csv, json, md); --diff compares two versions; show / diff: metrics files (metrics.json) across Git revisions',
  examples: [
    'trove metrics modelmnist',
    'trove metrics modelmnist --format csv -o metrics.csv',
    'trove metrics modelmnist --format csv --names mlgit   # ml-git\'s tags and cells: handwritten__digits__modelmnist__1, mnist - (1)',
    'trove metrics modelmnist modelfashion --format md',
    'trove metrics modelmnist --diff v1.0.0 v2.0.0          # metrics with delta, lineage and data changed',
    'trove metrics --diff modelmnist@v1.0.0 handwritten__digits__modelmnist__2',
    'trove metrics modelmnist --json                        # {columns, rows}',
    'trove metrics show HEAD~1 HEAD                         # metrics files (metrics.json) per Git revision: trove metrics show --help',
    'trove metrics diff                                     # metrics files, HEAD vs the work tree: trove metrics diff --help',
  ],
  // `show` and `diff` are reserved entity names (core/registryNames.ts), so they never shadow an entity.
  subcommands: [metricsShowCommand, metricsDiffCommand],
  configure: (cmd) =>
    cmd
      .argument('[names...]', 'entities (every version), or single versions (NAME@vX.Y.Z, an ml-git tag)')
      .addOption(new Option('--format <format>', 'text on the terminal; csv, json or md as an export (default with -o: csv)').choices([...METRICS_FORMATS]))
      .option('-o, --output <file>', 'write the table to FILE (atomically; relative to here; never inside .git or .trove)')
      // Variadic, so `--diff A B` reads as the issue writes it; values past the first two are entity names (`--diff v1 v2 NAME`).
      .option('--diff <versions...>', 'compare two versions A B: references, or versions of the one NAME given')
      .addOption(new Option('--names <style>', 'how tags and versions are written').choices(['gto', 'mlgit']).default('gto'))
      .option('--rev <rev>', 'read the registry as of this Git revision'),
  async run(ctx, args, opts) {
    const [{ metrics }, { openRepo }] = await Promise.all([import('../../api/metrics.js'), import('../../workspace/Repo.js')]);
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const diff = opts.diff as string[] | undefined;
    const entities = [...((args[0] as string[] | undefined) ?? []), ...(diff?.slice(2) ?? [])];
    const result = await metrics(repo, {
      entities,
      names: (opts.names as MetricsNames | undefined) ?? 'gto',
      ...(opts.format ? { format: opts.format as MetricsFormat } : {}),
      ...(opts.output !== undefined ? { output: String(opts.output) } : {}),
      ...(diff ? { diff: diff.slice(0, 2) } : {}),
      ...(opts.rev ? { rev: String(opts.rev) } : {}),
    });
    if (!ctx.out.json) for (const w of result.warnings) ctx.out.warn(w);
    return result;
  },
  render(out, r) {
    if (r.output) {
      out.info(`Wrote ${r.rows.length} row(s) as ${r.format} to ${r.output.path} (${humanBytes(r.output.bytes)}).`);
      return;
    }
    if (r.diff && r.format === 'text') return renderDiff(out, r);
    out.line(serializeMetrics(r, r.format).replace(/\n$/, ''));
  },
});

const TEXT_FILES = 10;

function renderDiff(out: Output, r: MetricsResult): void {
  const d = r.diff!;
  out.line(`${d.a.tag} → ${d.b.tag}`);
  out.line('');
  out.line(r.rows.length ? serializeMetrics(r, 'text').replace(/\n$/, '') : 'metrics: (none recorded)');
  out.line('');
  const changed = d.lineage.filter((l) => !l.same);
  out.line(changed.length ? 'lineage:' : `lineage: ${d.lineage.length ? 'the same versions used' : 'nothing used'}`);
  for (const l of changed) out.line(`  ${l.entity}${l.type ? ` (${l.type})` : ''}: ${l.a ?? '-'} → ${l.b ?? '-'}`);
  const x = d.data;
  const sign = (n: number): string => (n >= 0 ? `+${humanBytes(n)}` : `-${humanBytes(-n)}`);
  if (!x.available) {
    out.line(`data: ${x.filesDelta >= 0 ? '+' : ''}${x.filesDelta} file(s), ${sign(x.sizeDelta)} in total (files not compared: ${x.reason})`);
    return;
  }
  out.line(`data: ${x.added} added (${humanBytes(x.bytesAdded)}), ${x.removed} removed (${humanBytes(x.bytesRemoved)}), ${x.modified} modified (${humanBytes(x.bytesModified)}); ${sign(x.sizeDelta)} in total`);
  // A terminal gets the first few; --json has the first DATA_DIFF_LIST_MAX.
  const shown = x.files.slice(0, TEXT_FILES);
  for (const f of shown) out.line(`  ${f.change === 'added' ? 'A' : f.change === 'removed' ? 'D' : 'M'} ${f.path || d.b.entity}`);
  const more = x.added + x.removed + x.modified - shown.length;
  if (more > 0) out.line(`  … and ${more} more (--json lists the first ${x.files.length})`);
}
