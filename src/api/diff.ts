import { checkOptions } from './checkOptions.js';
import { diffRevs, type DiffResult } from '../workspace/history/diffRevs.js';
import { saveCaches, type Repo } from '../workspace/Repo.js';

/**
 * What changed in tracked data: `from` (default HEAD) against `to` (default: the work tree).
 *
 * @example
 *   const { artifacts } = await diff(repo, { from: 'v1', to: 'v2' });
 */
export async function diff(repo: Repo, options: { from?: string; to?: string; paths?: readonly string[] } = {}): Promise<DiffResult> {
  checkOptions('diff', repo, options, { from: 'string?', to: 'string?', paths: 'string[]?' });
  try {
    return await diffRevs(repo, options);
  } finally {
    saveCaches(repo);
  }
}
export type { DiffResult };
