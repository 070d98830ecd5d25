import { TroveError } from '../errors/index.js';
import type { TableFormat } from '../api/paramsMetrics.js';

/** `--md` / `--csv` (text otherwise; --json is global and wins). Both at once is a USAGE error. */
export function tableFormat(opts: Record<string, unknown>): TableFormat {
  if (opts.md && opts.csv) throw new TroveError('USAGE', '--md and --csv cannot be used together.', { hint: 'Pick one table format (or --json).' });
  return opts.md ? 'md' : opts.csv ? 'csv' : 'text';
}
