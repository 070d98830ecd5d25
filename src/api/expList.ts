import { TroveError } from '../errors/index.js';
import { matchesFilter, parseRunFilter, sortRuns, type RunSummary } from '../core/expQuery.js';
import { listRunSummaries } from '../experiments/expRuns.js';
import type { Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export interface ExpListOptions {
  /** `KEY OP VALUE` (= != < <= > >=) on params, best-checkpoint metrics or run fields; several are ANDed */
  readonly filters?: readonly string[];
  /** a key, descending with a leading `-` (default: started, oldest first) */
  readonly sort?: string;
}

export interface ExpListResult {
  /** summaries as the run commits carry them (docs/formats.md), status corrected for dead processes */
  readonly experiments: RunSummary[];
}

/**
 * Every run of this repository, from one `git for-each-ref` (no run tree is
 * read, so 1,000 runs of 100 checkpoints list in a fraction of a second).
 *
 * @example
 *   const { experiments } = await expList(repo, { filters: ['accuracy > 0.9'], sort: '-accuracy' });
 */
export async function expList(repo: Repo, options: ExpListOptions = {}): Promise<ExpListResult> {
  checkOptions('expList', repo, options, { filters: 'string[]?', sort: 'string?' });
  const filters = (options.filters ?? []).map(parseRunFilter);
  const { summaries, unreadable } = await listRunSummaries(repo.git);
  for (const id of unreadable) repo.reporter.warn(`The run ${id} has no readable summary; it is left out (trove exp show ${id.slice(0, 8)} reads its record).`, { id });
  let runs = summaries.filter((r) => filters.every((f) => matchesFilter(r, f)));
  runs = sortRuns(runs, options.sort ?? 'started');
  if (options.sort !== undefined && options.sort.replace(/^[-+]/, '') === '') throw new TroveError('USAGE', 'Give --sort a key.', { data: { rule: 'bad-sort' } });
  return { experiments: runs };
}
