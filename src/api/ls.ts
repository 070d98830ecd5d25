import { checkOptions } from './checkOptions.js';
import { listArtifacts, type ListResult } from '../workspace/listArtifacts.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * Tracked artifacts, and the files inside a named tracked directory.
 *
 * @example
 *   const { files } = await ls(repo, { path: 'data', rev: 'v1' });
 */
export async function ls(repo: Repo, options: { rev?: string; path?: string } = {}): Promise<ListResult> {
  checkOptions('ls', repo, options, { rev: 'string?', path: 'string?' });
  return listArtifacts(repo, options);
}
export type { ListResult };
