import { streamListing } from './streamListing.js';
import type { Repo } from '../Repo.js';

export { listedArtifact } from './streamListing.js';

export interface ListedArtifact {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  readonly oid: string;
  readonly size: number;
  readonly files?: number;
}

export interface ListedFile {
  /** repository path */
  readonly path: string;
  readonly mode: 'file' | 'executable' | 'symlink';
  readonly size: number;
  readonly oid?: string;
  readonly target?: string;
}

export interface ListResult {
  readonly rev: string | null;
  readonly artifacts: ListedArtifact[];
  /** when a tracked directory (or a folder inside one) was named: the files inside it */
  readonly files?: ListedFile[];
}

/** Tracked artifacts (of the work tree or a revision) and, for a named directory, its files: streamListing, collected. */
export async function listArtifacts(repo: Repo, options: { rev?: string; path?: string }): Promise<ListResult> {
  const { files, ...listed } = await streamListing(repo, options);
  if (!files) return listed;
  const all: ListedFile[] = [];
  for await (const f of files) all.push(f);
  return { ...listed, files: all };
}
