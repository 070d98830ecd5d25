import { TroveError } from '../errors/index.js';
import { formatOid, parseOid, type Oid } from './oid.js';
import { checkRepoPath, isContainedLinkTarget } from './repoPath.js';

/**
 * A directory version is a tree of manifest objects in the store.
 *
 * Leaf pages hold sorted entries; node pages hold references to child pages.
 * Pages are cut where a frozen hash of an entry's path hits a mask (see
 * manifestTree.ts), so a change to one file rewrites one leaf and the pages
 * above it, not a 100,000-line list (the pain DVC users report with .dir files).
 *
 * Serialisation v1 (canonical: the object id is the sha256 of exactly these bytes):
 *
 *     trove-manifest 1 leaf
 *     ["a/b.csv","f",1234,"sha256:..."]       path, mode f|x, size, oid
 *     ["a/link","l",0,"../b.csv"]             symlink: target instead of oid
 *
 *     trove-manifest 1 node
 *     ["a/b.csv",20000,123456,"sha256:..."]   first path, files, bytes, child page
 *
 * Lines are sorted by path (JavaScript string order), unique, and end with "\n".
 */
export const MANIFEST_VERSION = 1;

export type EntryMode = 'f' | 'x' | 'l';

export interface FileEntry {
  /** POSIX path relative to the tracked directory */
  readonly path: string;
  readonly mode: 'f' | 'x';
  readonly size: number;
  readonly oid: Oid;
}
export interface LinkEntry {
  readonly path: string;
  readonly mode: 'l';
  readonly size: number;
  readonly target: string;
}
export type ManifestEntry = FileEntry | LinkEntry;

export interface ChildRef {
  readonly first: string;
  readonly files: number;
  readonly size: number;
  readonly oid: Oid;
}

export type ManifestPage = { readonly type: 'leaf'; readonly entries: ManifestEntry[] } | { readonly type: 'node'; readonly children: ChildRef[] };

export function serializePage(page: ManifestPage): Buffer {
  const parts: string[] = [`trove-manifest ${MANIFEST_VERSION} ${page.type}\n`];
  if (page.type === 'leaf') {
    for (const e of page.entries) {
      parts.push(JSON.stringify([e.path, e.mode, e.size, e.mode === 'l' ? e.target : formatOid(e.oid)]), '\n');
    }
  } else {
    for (const c of page.children) parts.push(JSON.stringify([c.first, c.files, c.size, formatOid(c.oid)]), '\n');
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/**
 * Parse and validate one page. `source` names the object in errors; `dirPath`
 * is the repository path of the directory it describes, against which symlink
 * targets are checked (a link may point anywhere inside the repository, never
 * out of it, and its `..` parts come first: isContainedLinkTarget), exactly
 * as `trove add` checked them.
 */
export function parsePage(bytes: Buffer, source: string, dirPath = ''): ManifestPage {
  const bad = (why: string): never => {
    throw new TroveError('BAD_MANIFEST', `Manifest ${source} is invalid: ${why}.`, {
      hint: 'Run trove fsck; if the object is corrupt, fetch it again or re-add the directory.',
      data: { object: source },
    });
  };
  const text = bytes.toString('utf8');
  const nl = text.indexOf('\n');
  const header = nl < 0 ? text : text.slice(0, nl);
  const m = /^trove-manifest ([1-9][0-9]*) (leaf|node)$/.exec(header);
  if (!m) return bad('missing header');
  if (Number(m[1]) > MANIFEST_VERSION) {
    throw new TroveError('NEWER_FORMAT', `Manifest ${source} has format version ${m[1]}, newer than this trove understands (${MANIFEST_VERSION}).`, { hint: 'Upgrade trove (npm install -g trove@latest).', data: { object: source } });
  }
  const body = text.slice(nl + 1);
  if (body.length > 0 && !body.endsWith('\n')) bad('it does not end with a newline');
  let rows: unknown[];
  try {
    rows = body.length === 0 ? [] : JSON.parse(`[${body.slice(0, -1).split('\n').join(',')}]`);
  } catch {
    // reported: bad() throws BAD_MANIFEST naming why
    return bad('a line is not valid JSON');
  }
  let prev: string | undefined;
  const checkOrder = (path: unknown): string => {
    if (typeof path !== 'string') bad('a path is not a string');
    if (prev !== undefined && !(prev < (path as string))) bad(`paths are not sorted and unique at "${String(path).slice(0, 80)}"`);
    prev = path as string;
    return path as string;
  };
  const count = (n: unknown, what: string): number => (Number.isSafeInteger(n) && (n as number) >= 0 ? (n as number) : bad(`${what} is not a non-negative integer`));
  if (m[2] === 'node') {
    const children = rows.map((row): ChildRef => {
      if (!Array.isArray(row) || row.length !== 4) bad('a node line is not [first, files, size, oid]');
      const [first, files, size, oid] = row as unknown[];
      return { first: checkOrder(first), files: count(files, 'files'), size: count(size, 'size'), oid: parseOidIn(oid, bad) };
    });
    return { type: 'node', children };
  }
  const entries = rows.map((row): ManifestEntry => {
    if (!Array.isArray(row) || row.length !== 4) bad('a leaf line is not [path, mode, size, oid|target]');
    const [path, mode, size, ref] = row as unknown[];
    const p = checkRepoPath(checkOrder(path), `manifest ${source}`);
    if (mode === 'l') {
      if (typeof ref !== 'string' || !isContainedLinkTarget(dirPath ? `${dirPath}/${p}` : p, ref)) {
        throw new TroveError('UNSAFE_PATH', `Symlink "${p}" in manifest ${source} points outside the repository, into .git or .trove, or climbs ("..") after another part of its target.`, {
          hint: 'This manifest may be hostile; do not check it out. Run trove fsck.',
          data: { path: p, object: source },
        });
      }
      return { path: p, mode: 'l', size: count(size, 'size'), target: ref };
    }
    if (mode !== 'f' && mode !== 'x') return bad(`mode "${String(mode)}" is not f, x or l`);
    return { path: p, mode, size: count(size, 'size'), oid: parseOidIn(ref, bad) };
  });
  checkNoFileIsAParent(entries, bad);
  return { type: 'leaf', entries };
}

function parseOidIn(v: unknown, bad: (why: string) => never): Oid {
  if (typeof v !== 'string') return bad('an oid is not a string');
  try {
    return parseOid(v);
  } catch {
    // reported: bad() throws BAD_MANIFEST naming the oid
    return bad(`oid "${v.slice(0, 80)}" is invalid`);
  }
}

/** "a" as a file and "a/b" as another entry cannot both be checked out. */
export function checkNoFileIsAParent(entries: readonly ManifestEntry[], bad: (why: string) => never): void {
  const paths = new Set(entries.map((e) => e.path));
  for (const e of entries) {
    let i = e.path.indexOf('/');
    while (i > 0) {
      if (paths.has(e.path.slice(0, i))) bad(`"${e.path.slice(0, i)}" is both a file and a directory`);
      i = e.path.indexOf('/', i + 1);
    }
  }
}
