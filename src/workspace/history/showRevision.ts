import { TroveError, isTroveError } from '../../errors/index.js';
import { parseOid } from '../../core/oid.js';
import { resolveRev } from '../../platform/git.js';
import { gitLog } from '../../platform/gitLog.js';
import { isInStore } from '../pointers/isInStore.js';
import { listArtifacts, listedArtifact, type ListedArtifact, type ListedFile } from '../pointers/listArtifacts.js';
import { listRevArtifacts } from '../pointers/pointers.js';
import { toRepoPath, type Repo } from '../Repo.js';

export interface ShownArtifact extends ListedArtifact {
  /** every object this version needs is in the local store */
  readonly inStore: boolean;
  /** with a remote: every object is on it (see api/show.ts) */
  readonly onRemote?: boolean;
}

export interface ShownFile extends ListedFile {
  /** the file's content is in the local store (absent for symlinks) */
  readonly inStore?: boolean;
}

export interface ShowOptions {
  readonly rev: string;
  /** only the artifacts under this path, or the one containing it */
  readonly path?: string;
  /** also list the files the path selects (needs the directory's manifest in the local store) */
  readonly files?: boolean;
}

export interface ShowResult {
  /** the revision as given */
  readonly rev: string;
  readonly commit: string;
  /** author date, ISO 8601 */
  readonly date: string;
  readonly author: string;
  readonly email: string;
  readonly message: string;
  readonly artifacts: ShownArtifact[];
  readonly files?: ShownFile[];
  /** the remote checked for onRemote */
  readonly remote?: string;
}

/**
 * The data state captured by one commit: every tracked artifact as its
 * pointer records it there, and whether its content is here to check out.
 */
export async function showRevision(repo: Repo, options: ShowOptions): Promise<ShowResult> {
  if (options.files && !options.path) throw new TroveError('USAGE', '--files needs a PATH: a tracked directory or a folder inside one.', { hint: `Example: trove show --files ${options.rev} data` });
  const commit = await resolveRev(repo.git, options.rev);
  const [info] = await gitLog(repo.git, { revs: [commit], limit: 1 });
  const sel = options.path ? [toRepoPath(repo, options.path)] : undefined;
  const found = await listRevArtifacts(repo, options.rev, sel);
  const artifacts = found.map((a) => ({ ...listedArtifact(a), inStore: isInStore(repo, a) }));
  const result: ShowResult = { rev: options.rev, commit, date: info?.date ?? '', author: info?.author ?? '', email: info?.email ?? '', message: info?.subject ?? '', artifacts };
  if (!options.files) return result;
  let listed: ListedFile[];
  try {
    listed = (await listArtifacts(repo, { rev: options.rev, path: options.path! })).files ?? [];
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    const what = String(err.data?.path ?? options.path);
    throw new TroveError('OBJECT_MISSING', `The file list of ${what} at ${options.rev} is not in the local store.`, {
      hint: `Fetch it with trove fetch --rev ${options.rev} ${what}, or run trove show without --files.`,
      data: { ...err.data, rev: options.rev },
    });
  }
  const present = repo.store.hasFiles(listed.flatMap((f) => (f.oid ? [parseOid(f.oid)] : [])));
  let k = 0;
  return { ...result, files: listed.map((f) => (f.oid ? { ...f, inStore: present[k++]! } : f)) };
}
