import { checkOptions } from './checkOptions.js';
import { dataDiff as diffData, type DataDiffFile, type DataDiffResult, type DataDiffSide } from '../workspace/history/dataDiff.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * The files added, removed and changed in one tracked path between two
 * revisions, with their sizes on each side and totals. A directory's two
 * manifests are compared page by page (only differing pages are read), from
 * the local store; a manifest that is not there is OBJECT_MISSING with the
 * `trove fetch` that brings it. A path absent at one revision counts as empty.
 *
 * @example
 *   const { files, totals } = await dataDiff(repo, { path: 'data/images', from: 'v1', to: 'v2' });
 *   console.log(totals.added, totals.removed, totals.modified, files[0]?.path);
 */
export async function dataDiff(repo: Repo, options: { path: string; from: string; to: string }): Promise<DataDiffResult> {
  checkOptions('dataDiff', repo, options, { path: 'string', from: 'string', to: 'string' });
  return diffData(repo, options);
}
export type { DataDiffFile, DataDiffResult, DataDiffSide };
