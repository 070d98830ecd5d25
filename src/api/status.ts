import { checkOptions } from './checkOptions.js';
import { statusPaths, type StatusResult } from '../workspace/scan/statusPaths.js';
import { saveCaches, type Repo } from '../workspace/Repo.js';

export interface StatusOptions {
  /** limit to these tracked paths (default: every tracked artifact) */
  readonly paths?: readonly string[];
}

/**
 * Compare the work tree with the pointers; reads only files whose stat changed.
 *
 * @example
 *   const { clean, artifacts } = await status(repo, {});
 */
export async function status(repo: Repo, options: StatusOptions = {}): Promise<StatusResult> {
  checkOptions('status', repo, options, { paths: 'string[]?' });
  try {
    return await statusPaths(repo, options.paths ?? []);
  } finally {
    saveCaches(repo);
  }
}
export type { StatusResult };
