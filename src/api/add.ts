import { checkOptions } from './checkOptions.js';
import { addPaths, type AddResult } from '../workspace/addPaths.js';
import { withLock, type Repo } from '../workspace/Repo.js';

export interface AddOptions {
  /** files or directories, relative to the repo's cwd or absolute */
  readonly paths: readonly string[];
  /** stage pointer and .gitignore (default: core.autostage) */
  readonly stage?: boolean;
  /** record files of a directory that were never fetched here (a partial pull) as deleted; refused (NOT_FETCHED) otherwise */
  readonly allowDeletions?: boolean;
}

/**
 * Track files or directories with trove.
 *
 * @example
 *   const repo = await openRepo({ cwd: '/path/to/repo' });
 *   const { artifacts } = await add(repo, { paths: ['data/', 'models/model.pt'] });
 */
export async function add(repo: Repo, options: AddOptions): Promise<AddResult> {
  checkOptions('add', repo, options, { paths: 'string[]', stage: 'boolean?' });
  return withLock(repo, 'add', () => addPaths(repo, options.paths, options));
}
export type { AddResult };
