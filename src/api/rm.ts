import { checkOptions } from './checkOptions.js';
import { removeArtifacts, type RemoveResult } from '../workspace/pointers/removeArtifact.js';
import { withLock, type Repo } from '../workspace/Repo.js';

/**
 * Stop tracking artifacts; keep the data unless `deleteData`.
 *
 * @example
 *   await rm(repo, { paths: ['models/old.pt'], deleteData: true });
 */
export async function rm(repo: Repo, options: { paths: readonly string[]; deleteData?: boolean; force?: boolean; stage?: boolean }): Promise<RemoveResult> {
  checkOptions('rm', repo, options, { paths: 'string[]', deleteData: 'boolean?', force: 'boolean?', stage: 'boolean?' });
  return withLock(repo, 'rm', () => removeArtifacts(repo, options.paths, options));
}
export type { RemoveResult };
