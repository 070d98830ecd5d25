import { checkOptions } from './checkOptions.js';
import { addPaths, type AddResult } from '../workspace/stage/addPaths.js';
import { toRepoPath, withLock, type Repo } from '../workspace/Repo.js';
import { autoPack } from '../workspace/gc/autoPack.js';
import { refuseSampledPaths } from '../registry/samplesState.js';

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
  return withLock(repo, 'add', async () => {
    refuseSampled(repo, options.paths);
    const result = await addPaths(repo, options.paths, options);
    autoPack(repo);
    return result;
  });
}

/**
 * A sampled checkout (trove checkout NAME@V --sample) holds only some of the
 * version's files: adding it would record the rest as deleted. A corrupt
 * marker file only warns, so it cannot block add for good.
 */
function refuseSampled(repo: Repo, inputs: readonly string[]): void {
  const paths: string[] = [];
  for (const input of inputs) {
    try {
      paths.push(toRepoPath(repo, input));
    } catch {
      // addPaths names a bad path with its own error.
    }
  }
  refuseSampledPaths(repo.troveDir, paths, { onCorrupt: (err) => repo.reporter.warn(`${err.message} Ignored.`, { file: err.data?.file }) });
}
export type { AddResult };
