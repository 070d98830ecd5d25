import { checkOptions } from './checkOptions.js';
import { dataHistory as history, type DataHistoryResult, type DataVersion } from '../workspace/history/dataHistory.js';
import { DataHistoryCache } from '../workspace/history/DataHistoryCache.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * The versions of a tracked file or directory along the Git history, newest
 * first: commit, author, date, subject, size, files, and the bytes that were
 * new in each version (content no older version of the path held: whole
 * files, or the chunks of files over 1 MiB; manifest pages not counted).
 * Manifests are read from the local store; a version whose manifest is not
 * there has `bytesNew: null` and the result `complete: false`. A caller that
 * asks again and again (a server) passes one `cache` (new DataHistoryCache())
 * so a new commit costs one manifest diff instead of the whole walk.
 *
 * @example
 *   const { versions } = await dataHistory(repo, { path: 'data/images' });
 *   for (const v of versions) console.log(v.commit.slice(0, 7), v.files, v.size, v.bytesNew);
 */
export async function dataHistory(repo: Repo, options: { path: string; limit?: number; cache?: DataHistoryCache }): Promise<DataHistoryResult> {
  checkOptions('dataHistory', repo, options, { path: 'string', limit: 'number?', cache: 'object?' });
  return history(repo, options);
}
export { DataHistoryCache };
export type { DataHistoryResult, DataVersion };
