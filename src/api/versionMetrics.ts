import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TroveError, fromFsError, isTroveError } from '../errors/index.js';
import type { MetricValue } from '../core/registryTypes.js';
import { metricsFormatFor, parseMetricArg, parseMetricsFile } from '../core/metricsFile.js';
import { yamlLib } from '../platform/yamlLib.js';
import { jsonErrorLine } from '../core/jsonErrorLine.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * The metrics of a new version: the metrics file's (JSON, YAML or CSV,
 * chosen by its extension), then each `--metric KEY=VALUE` over them; keys
 * sorted. Read and checked before anything is recorded: a file that does
 * not parse is BAD_METRICS naming the file and line.
 */
export function collectMetrics(repo: Repo, options: { metrics?: readonly string[]; metricsFile?: string }): Record<string, MetricValue> {
  const out = new Map<string, MetricValue>();
  if (options.metricsFile !== undefined) {
    const file = options.metricsFile;
    const format = metricsFormatFor(file);
    if (!format) throw new TroveError('USAGE', `Cannot tell the format of metrics file ${file}.`, { hint: 'Name it .json, .yaml, .yml or .csv.', data: { file } });
    let text: string;
    try {
      text = readFileSync(resolve(repo.cwd, file), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new TroveError('NOT_FOUND', `Metrics file ${file} does not exist.`, { hint: 'Check the path (relative to the current directory).', data: { file } });
      throw fromFsError(err, 'reading metrics file', file);
    }
    const parsed = withJsonLine(text, format, () => parseMetricsFile(text, file, format, (t) => yamlLib().parse(t, { uniqueKeys: true })));
    for (const [k, v] of Object.entries(parsed)) out.set(k, v);
  }
  for (const arg of options.metrics ?? []) {
    const [k, v] = parseMetricArg(arg);
    out.set(k, v);
  }
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Node 20's JSON.parse names no position for most syntax errors ("Unexpected
 * token 'o', … is not valid JSON"), so the codec cannot say which line is
 * wrong; a scan of the text finds it.
 */
function withJsonLine<T>(text: string, format: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (format !== 'json' || !isTroveError(err, 'BAD_METRICS') || err.data?.line !== null) throw err;
    const line = jsonErrorLine(text);
    if (line === null) throw err;
    throw new TroveError('BAD_METRICS', err.message.replace(/^(Metrics file [^:]*?)(:)/, `$1, line ${line}$2`), { hint: err.hint, data: { ...err.data, line }, cause: err });
  }
}
