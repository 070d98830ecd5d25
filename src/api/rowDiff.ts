import { checkOptions } from './checkOptions.js';
import { ROW_DIFF_MAX_BYTES, tableRowDiff, type RowDiffOptions, type RowDiffResult, type TableSide } from '../workspace/history/tableRowDiff.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * A row-level diff of a CSV or TSV file (by its extension) between two
 * revisions: both headers, the rows removed and added (compared as a multiset,
 * so re-ordered rows are not changes), rows paired as changed when an obvious
 * key column exists, and counts. `file` names a file inside a tracked
 * directory (as its manifest lists it); leave it out for a tracked file.
 * Content is read from the local store and verified; a side over `maxBytes`
 * (default 20 MiB) is refused with `data.reason: 'TOO_LARGE'`.
 *
 * @example
 *   const d = await rowDiff(repo, { path: 'data/tables', file: 'labels.csv', from: 'HEAD~1', to: 'HEAD' });
 *   console.log(d.counts.added, d.counts.removed, d.added[0]?.cells);
 */
export async function rowDiff(repo: Repo, options: RowDiffOptions): Promise<RowDiffResult> {
  checkOptions('rowDiff', repo, options, { path: 'string', file: 'string?', from: 'string', to: 'string', maxBytes: 'number?', maxRows: 'number?' });
  return tableRowDiff(repo, options);
}
export { ROW_DIFF_MAX_BYTES };
export type { RowDiffOptions, RowDiffResult, TableSide };
