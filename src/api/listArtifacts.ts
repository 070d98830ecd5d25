import { checkOptions } from './checkOptions.js';
import { listArtifacts as _listArtifacts, type ListResult } from '../workspace/pointers/listArtifacts.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * Tracked artifacts, and the files inside a named tracked directory.
 *
 * @example
 *   const { files } = await listArtifacts(repo, { path: 'data', rev: 'v1' });
 */
export async function listArtifacts(repo: Repo, options: { rev?: string; path?: string } = {}): Promise<ListResult> {
  checkOptions('ls', repo, options, { rev: 'string?', path: 'string?' });
  return _listArtifacts(repo, options);
}
export type { ListResult };
