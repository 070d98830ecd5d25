import { TroveError } from '../../errors/index.js';
import { formatOid } from '../../core/oid.js';
import { iterateManifest } from '../../store/manifestIO.js';
import { listRevArtifacts, listWorkArtifacts, type Artifact } from './pointers.js';
import { toRepoPath, type Repo } from '../Repo.js';
import type { ListedArtifact, ListedFile } from './listArtifacts.js';

/** listArtifacts' result with the files as a stream. */
export interface ListStream {
  readonly rev: string | null;
  readonly artifacts: ListedArtifact[];
  /**
   * When a tracked directory (or a folder inside one) was named: the files
   * inside it, in path order per artifact, read a manifest page at a time as
   * they are iterated. Iterate it once.
   */
  readonly files?: AsyncIterable<ListedFile>;
}

/**
 * Tracked artifacts (of the work tree or a revision) and, for a named
 * directory, its files as a stream: memory stays one manifest page whatever
 * the directory's size (`trove ls data` at 1,000,000 files held them all,
 * 645 MB). The first file is read before this returns, so a path with
 * nothing tracked under it (NOT_TRACKED) and a missing or corrupt first page
 * are thrown here; a page found missing or corrupt later is thrown by the
 * iteration.
 */
export async function streamListing(repo: Repo, options: { rev?: string; path?: string }): Promise<ListStream> {
  const sel = options.path ? [toRepoPath(repo, options.path)] : undefined;
  const found = options.rev ? await listRevArtifacts(repo, options.rev, sel) : await listWorkArtifacts(repo, sel);
  const artifacts = found.map(listedArtifact);
  if (!sel) return { rev: options.rev ?? null, artifacts };
  const target = sel[0]!;
  const files = listedFiles(repo, found, target);
  const first = files.next();
  if (first.done && found.every((a) => a.pointer.kind === 'dir') && !found.some((a) => a.path === target || a.path.startsWith(target + '/'))) {
    throw new TroveError('NOT_TRACKED', `${target} is not in any tracked directory${options.rev ? ` at ${options.rev}` : ''}.`, { hint: 'List tracked paths with trove ls.' });
  }
  return { rev: options.rev ?? null, artifacts, files: resume(first, files) };
}

/** The files `target` selects in the artifacts it matched: a tracked file itself, a whole directory, or a folder inside one. */
function* listedFiles(repo: Repo, found: readonly Artifact[], target: string): Generator<ListedFile> {
  for (const a of found) {
    if (a.pointer.kind === 'file') {
      yield { path: a.path, mode: a.pointer.executable ? 'executable' : 'file', size: a.pointer.size, oid: formatOid(a.pointer.oid) };
      continue;
    }
    // A folder inside the directory reads only the pages that can hold it; the directory or a folder above it, every page;
    // its pointer file's path (data.trove) selects none of its files.
    const under = target.startsWith(a.path + '/') ? target.slice(a.path.length + 1) : undefined;
    if (under === undefined && target !== a.path && !a.path.startsWith(target + '/')) continue;
    for (const e of iterateManifest(repo.store, a.pointer.oid, a.path, under === undefined ? {} : { under })) {
      const path = `${a.path}/${e.path}`;
      yield e.mode === 'l' ? { path, mode: 'symlink', size: 0, target: e.target } : { path, mode: e.mode === 'x' ? 'executable' : 'file', size: e.size, oid: formatOid(e.oid) };
    }
  }
}

/** The files again from the first, already read. */
async function* resume(first: IteratorResult<ListedFile>, rest: Iterator<ListedFile>): AsyncGenerator<ListedFile> {
  for (let r = first; !r.done; r = rest.next()) yield r.value;
}

/** An artifact as ls (and show) report it. */
export function listedArtifact(a: Artifact): ListedArtifact {
  return { path: a.path, kind: a.pointer.kind, oid: formatOid(a.pointer.oid), size: a.pointer.size, ...(a.pointer.files !== undefined ? { files: a.pointer.files } : {}) };
}
