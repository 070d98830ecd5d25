/**
 * The one reader of git's `-z --raw` output (`git log -z --raw`, `git
 * diff-tree -z --raw`): every caller that needs the changes of commits goes
 * through it, so the token walk below exists once.
 *
 * With `-z`, git writes each commit as its `--format` text then NUL; when the
 * commit has changes, a "\n" and one record per change follow:
 * `:oldmode newmode oldoid newoid STATUS` NUL path NUL, where R and C (copy)
 * carry two paths, the source first. A combined diff (`-c`) starts with one
 * colon per parent and carries one path. Paths are written verbatim (no
 * quoting), so a path may hold spaces, newlines, non-ASCII or control bytes:
 * they are taken by position after their record, never searched for.
 */

/** One change of one commit (or of one diff-tree). */
export interface RawChange {
  /** the status letter: A, C, D, M, R, T, U or X (for a combined diff, the first parent's) */
  readonly status: string;
  /** R and C: the similarity score (100 = identical) */
  readonly score?: number;
  /** mode before the change (`000000` when the file was added) */
  readonly oldMode: string;
  /** mode after the change (`000000` when the file was deleted) */
  readonly newMode: string;
  /** object before the change; all zeros when the file was added */
  readonly oldOid: string;
  /** object after the change; all zeros when the file was deleted */
  readonly newOid: string;
  /** path after the change (for D, the deleted path) */
  readonly path: string;
  /** R and C: the path before */
  readonly from?: string;
}

/** A commit's `--format` fields (from rawLogFormat's placeholders, in order) and its changes. */
export interface RawLogCommit {
  readonly fields: string[];
  readonly changes: RawChange[];
}

// \x1e starts a commit's header and \x1f separates its fields: neither occurs
// in an object id, a date, a name or a subject line, so no quoting is needed.
const START = '\x1e';
const SEP = '\x1f';

/**
 * The `--format=` argument for parseRawLog with headers: `placeholders` are
 * git's (`%H`, `%P`, `%ct`, `%an <%ae>`...), each one field of the result.
 * A placeholder must not expand to a NUL, \x1e or \x1f (none of git's do for
 * ids, dates, names, e-mails and subjects).
 */
export function rawLogFormat(placeholders: readonly string[]): string {
  return `--format=%x1e${placeholders.join('%x1f')}`;
}

/**
 * Parse `-z --raw` output. With a header format (rawLogFormat), one entry per
 * commit, in git's order, commits without changes included. Without one
 * (`--format=`, or diff-tree of two trees), commit boundaries are not in the
 * output: one entry with no fields holds every change (none for empty output).
 */
export function parseRawLog(out: Buffer | string): RawLogCommit[] {
  const tokens = (typeof out === 'string' ? out : out.toString('utf8')).split('\0');
  const commits: { fields: string[]; changes: RawChange[] }[] = [];
  let current: { fields: string[]; changes: RawChange[] } | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.startsWith(START)) {
      current = { fields: token.slice(1).split(SEP), changes: [] };
      commits.push(current);
      continue;
    }
    // The first record after a header follows a "\n"; the last NUL leaves an empty token.
    const meta = token.replace(/^\n+/, '');
    if (!meta.startsWith(':')) continue;
    const parents = meta.length - meta.replace(/^:+/, '').length;
    const fields = meta.slice(parents).split(' ');
    // modes and oids: one per parent plus the result; then the status letter(s)
    const statusText = fields[2 * (parents + 1)] ?? '';
    const status = statusText.charAt(0);
    const twoPaths = parents === 1 && (status === 'R' || status === 'C');
    const change: RawChange = {
      status,
      ...(twoPaths && statusText.length > 1 ? { score: Number(statusText.slice(1)) } : {}),
      oldMode: fields[0] ?? '',
      newMode: fields[parents] ?? '',
      oldOid: fields[parents + 1] ?? '',
      newOid: fields[2 * parents + 1] ?? '',
      ...(twoPaths ? { from: tokens[i + 1] ?? '' } : {}),
      path: tokens[twoPaths ? i + 2 : i + 1] ?? '',
    };
    i += twoPaths ? 2 : 1;
    if (!current) {
      current = { fields: [], changes: [] };
      commits.push(current);
    }
    current.changes.push(change);
  }
  return commits;
}

/** All zeros: the object id git writes for the absent side of an add or a delete. */
export function isZeroOid(oid: string): boolean {
  return /^0+$/.test(oid);
}
