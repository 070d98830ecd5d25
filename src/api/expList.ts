import { matchesFilter, parseRunFilter, sortRuns, type RunSummary } from '../core/expQuery.js';
import { listRuns } from '../experiments/readRuns.js';
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
  const { runs: all, problems } = await listRuns(repo);
  for (const p of problems) repo.reporter.warn(`The run ${p.id} cannot be read (${p.message.replace(/\.$/, '')}); it is left out.`, { id: p.id });
  let runs = all.filter((r) => filters.every((f) => matchesFilter(r, f)));
  runs = sortRuns(runs, options.sort ?? 'started');
  return { experiments: runs };
}
