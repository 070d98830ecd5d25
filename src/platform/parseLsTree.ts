/** One entry of `git ls-tree -z` (without --name-only): `mode type oid` TAB path. */
export interface TreeEntry {
  /** `100644`, `100755`, `120000` (symlink), `040000` (tree), `160000` (submodule) */
  readonly mode: string;
  /** blob, tree or commit */
  readonly type: string;
  readonly oid: string;
  readonly path: string;
}

/**
 * The one reader of `git ls-tree -z` output. The path is everything after the
 * first TAB, verbatim (with -z git does not quote it), so a path holding a TAB,
 * a newline or non-ASCII is read whole.
 */
export function parseLsTree(out: Buffer | string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const rec of (typeof out === 'string' ? out : out.toString('utf8')).split('\0')) {
    const tab = rec.indexOf('\t');
    if (tab < 0) continue;
    const [mode = '', type = '', oid = ''] = rec.slice(0, tab).split(' ');
    entries.push({ mode, type, oid, path: rec.slice(tab + 1) });
  }
  return entries;
}
