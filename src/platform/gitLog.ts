import type { Git } from './git.js';
import { parseRawLog, rawLogFormat, type RawChange } from './parseRawLog.js';

export interface GitLogCommit {
  readonly commit: string;
  /** parents in the history as simplified for `paths` (a commit with no earlier change to them has none) */
  readonly parents: string[];
  /** author date, strict ISO 8601 */
  readonly date: string;
  readonly author: string;
  readonly email: string;
  /** first line of the message */
  readonly subject: string;
  /** with `raw`: its changes to `paths`, against its first parent */
  readonly changes: RawChange[];
}

export interface GitLogOptions {
  /** start points (default HEAD); ignored with `all` */
  readonly revs?: readonly string[];
  readonly all?: boolean;
  /** literal paths (no glob magic) that limit history */
  readonly paths?: readonly string[];
  /** at most this many commits */
  readonly limit?: number;
  /** include the changes of each commit to `paths` */
  readonly raw?: boolean;
}

const FORMAT = rawLogFormat(['%H', '%P', '%aI', '%an', '%ae', '%s']);

/**
 * Commits that changed `paths`, newest first, in one `git log`. Merges are
 * shown against their first parent and only when they changed the paths
 * themselves (--simplify-merges): a merge that just brought a branch's change
 * in is not listed twice. Renames are not followed here (git's --follow drops
 * merges that resolved a conflict); see renameSource.
 */
export async function gitLog(git: Git, options: GitLogOptions = {}): Promise<GitLogCommit[]> {
  const args = ['--literal-pathspecs', '-c', 'log.showSignature=false', 'log', '-z', FORMAT, '--simplify-merges'];
  if (options.raw) args.push('--raw', '--no-abbrev', '--no-renames', '--diff-merges=first-parent');
  if (options.limit !== undefined) args.push(`--max-count=${options.limit}`);
  if (options.all) args.push('--all');
  else args.push(...(options.revs?.length ? options.revs : ['HEAD']));
  args.push('--', ...(options.paths ?? []));
  const res = await git.run(args);
  return parseGitLog(res.stdout);
}

/** The output of gitLog's `git log -z` as commits (exported for unit tests). */
export function parseGitLog(out: Buffer | string): GitLogCommit[] {
  return parseRawLog(out).map(({ fields, changes }) => {
    const [commit = '', parents = '', date = '', author = '', email = '', subject = ''] = fields;
    return { commit, parents: parents ? parents.split(' ') : [], date, author, email, subject, changes };
  });
}

/**
 * The path `path` was renamed from in `commit` (relative to its first parent),
 * counting only exact renames: pointer files are a few short lines, so two
 * different versions can look "similar", and only identical content is the
 * same artifact moved (what `trove mv` does). Undefined when it was a plain add.
 */
export async function renameSource(git: Git, commit: string, path: string): Promise<string | undefined> {
  // A root commit has no parent to rename from: git fails on `commit^`, which answers "no rename".
  const res = await git.run(['diff-tree', '-r', '-z', '--raw', '--no-abbrev', '--find-renames=100%', `${commit}^`, commit, '--', '*.trove'], { allowFail: true });
  if (res.code !== 0) return undefined;
  const changes = parseRawLog(res.stdout).flatMap((c) => c.changes);
  return changes.find((c) => c.status === 'R' && c.path === path)?.from;
}

/** Which of `paths` exist (as blobs) in the tree of `rev`: one ls-tree. */
export async function existingPaths(git: Git, rev: string, paths: readonly string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const res = await git.run(['--literal-pathspecs', 'ls-tree', '-z', '--full-tree', '--name-only', rev, '--', ...paths]);
  return new Set(res.stdout.toString('utf8').split('\0').filter(Boolean));
}
