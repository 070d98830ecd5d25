import { checkOptions } from './checkOptions.js';
import { streamListing as _streamListing, type ListStream } from '../workspace/pointers/streamListing.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * listArtifacts with the files of a named directory as a stream, read a
 * manifest page at a time as you iterate: memory does not grow with the
 * directory (a million files list in the memory of a few thousand). Iterate
 * `files` once. A path with nothing tracked under it (NOT_TRACKED) or a
 * missing first manifest page is thrown by this call; a page found missing
 * or corrupt further on, by the iteration.
 *
 * @example
 *   const { files } = await streamListing(repo, { path: 'data' });
 *   for await (const f of files ?? []) console.log(f.path, f.size);
 */
export async function streamListing(repo: Repo, options: { rev?: string; path?: string } = {}): Promise<ListStream> {
  checkOptions('ls', repo, options, { rev: 'string?', path: 'string?' });
  return _streamListing(repo, options);
}
export type { ListStream };
