import { checkOptions } from './checkOptions.js';
import { moveArtifact, type MoveResult } from '../workspace/pointers/moveArtifact.js';
import { withLock, type Repo } from '../workspace/Repo.js';

/**
 * Move a tracked artifact with its pointer and .gitignore entry.
 *
 * @example
 *   await mv(repo, { from: 'data', to: 'datasets/iris' });
 */
export async function mv(repo: Repo, options: { from: string; to: string; stage?: boolean }): Promise<MoveResult> {
  checkOptions('mv', repo, options, { from: 'string', to: 'string', stage: 'boolean?' });
  return withLock(repo, 'mv', () => moveArtifact(repo, options.from, options.to, options));
}
export type { MoveResult };
