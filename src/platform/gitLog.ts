import type { Git } from './git.js';

/** One file change of a commit, from `git log --raw` (diff against the first parent). */
export interface GitLogChange {
  /** the status letter: A, M, D, T, R or C */
  readonly status: string;
  /** blob before the commit; all zeros when the file was added */
  readonly oldBlob: string;
  /** blob after the commit; all zeros when the file was deleted */
  readonly newBlob: string;
  /** path after the commit (for D, the deleted path) */
  readonly path: string;
  /** R and C: the path before */
  readonly from?: string;
}

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
  readonly changes: GitLogChange[];
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

// \x1e starts a commit and \x1f separates its fields: neither can occur in a
// commit id, date, name or subject line, so no quoting is needed.
const FORMAT = '%x1e%H%x1f%P%x1f%aI%x1f%an%x1f%ae%x1f%s';

/**
 * Commits that changed `paths`, newest first, in one `git log`. Merges are
 * shown against their first parent and only when they changed the paths
 * themselves (--simplify-merges): a merge that just brought a branch's change
 * in is not listed twice. Renames are not followed here (git's --follow drops
 * merges that resolved a conflict); see renameSource.
 */
export async function gitLog(git: Git, options: GitLogOptions = {}): Promise<GitLogCommit[]> {
  const args = ['--literal-pathspecs', '-c', 'log.showSignature=false', 'log', '-z', `--format=${FORMAT}`, '--simplify-merges'];
  if (options.raw) args.push('--raw', '--no-abbrev', '--no-renames', '--diff-merges=first-parent');
  if (options.limit !== undefined) args.push(`--max-count=${options.limit}`);
  if (options.all) args.push('--all');
  else args.push(...(options.revs?.length ? options.revs : ['HEAD']));
  args.push('--', ...(options.paths ?? []));
  const res = await git.run(args);
  return parseGitLog(res.stdout);
}

/** Parse the output of gitLog's `git log -z` (exported for unit tests). */
export function parseGitLog(out: Buffer | string): GitLogCommit[] {
  const text = typeof out === 'string' ? out : out.toString('utf8');
  const commits: GitLogCommit[] = [];
  for (const record of text.split('\x1e')) {
    if (!record) continue;
    const end = record.indexOf('\0');
    const header = end < 0 ? record : record.slice(0, end);
    const [commit = '', parents = '', date = '', author = '', email = '', subject = ''] = header.split('\x1f');
    const changes: GitLogChange[] = [];
    // After the header: "\n" then NUL-separated ":meta", path[, path] triples.
    const tokens = end < 0 ? [] : record.slice(end + 1).replace(/^\n/, '').split('\0');
    for (let i = 0; i < tokens.length; i++) {
      const meta = tokens[i]!;
      if (!meta.startsWith(':')) continue;
      const [, , oldBlob = '', newBlob = '', statusText = ''] = meta.slice(1).split(' ');
      const status = statusText.charAt(0);
      if (status === 'R' || status === 'C') {
        changes.push({ status, oldBlob, newBlob, from: tokens[i + 1] ?? '', path: tokens[i + 2] ?? '' });
        i += 2;
      } else {
        changes.push({ status, oldBlob, newBlob, path: tokens[i + 1] ?? '' });
        i += 1;
      }
    }
    commits.push({ commit, parents: parents ? parents.split(' ') : [], date, author, email, subject, changes });
  }
  return commits;
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
  const tokens = res.stdout.toString('utf8').split('\0');
  for (let i = 0; i < tokens.length; i++) {
    const meta = tokens[i]!;
    if (!meta.startsWith(':')) continue;
    const status = (meta.split(' ')[4] ?? '').charAt(0);
    if (status === 'R' || status === 'C') {
      if (status === 'R' && tokens[i + 2] === path) return tokens[i + 1];
      i += 2;
    } else i += 1;
  }
  return undefined;
}

/** Which of `paths` exist (as blobs) in the tree of `rev`: one ls-tree. */
export async function existingPaths(git: Git, rev: string, paths: readonly string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const res = await git.run(['--literal-pathspecs', 'ls-tree', '-z', '--full-tree', '--name-only', rev, '--', ...paths]);
  return new Set(res.stdout.toString('utf8').split('\0').filter(Boolean));
}
