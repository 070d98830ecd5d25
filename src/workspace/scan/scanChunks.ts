import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readlinkSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../../errors/index.js';
import { isLeafCut } from '../../core/manifestTree.js';
import { isContainedLinkTarget, joinRepoPath } from '../../core/repoPath.js';
import { isRacy } from '../../store/StatCache.js';
import { storeLinkHex } from '../../store/storeLinkHex.js';
import { parseTempName, removeIfAbandoned } from '../../util/abandonedTemps.js';
import { IgnoreRules, TROVE_IGNORE } from './troveIgnore.js';
import type { ScannedFile } from './scanTree.js';

/** A run of the sorted scan that a manifest leaf would hold: cut by isLeafCut, so an unchanged chunk is an unchanged leaf. */
export interface ScanChunk {
  /** path of its first file (relative to the scanned directory) */
  readonly first: string;
  readonly count: number;
  /** sum of file sizes (symlinks count 0), as a leaf's ChildRef counts */
  readonly size: number;
  /** sha256 of its rows (signatureLine: path, kind, inode, size, mtime, executable bit, link target, store-link digest), undefined when an entry's mtime is racy */
  readonly sig: string | undefined;
  readonly files: ScannedFile[];
}

/**
 * The sort key of a directory entry such that walking each directory in key
 * order, depth first, lists files in compareEntries order without a global
 * sort: every path under directory `d` is `d/…`, and a sibling file `s`
 * has no `/` after its name, so a comparison of `s` with `d/…` is decided
 * at or before `d`'s `/`, exactly as comparing `s` with `d + '/'` is; and a
 * name that is a prefix of another sorts first either way.
 */
export function walkKey(name: string, isDirectory: boolean): string {
  return isDirectory ? `${name}/` : name;
}

/**
 * Walk a directory in compareEntries order, one directory in memory at a
 * time (no list of every file, no global sort: scale plan S1). The rules are
 * scanTree's: symlinks recorded, never followed (and refused when they leave
 * the repository), .troveignore honoured, trove's temp files skipped (and
 * removed when their writer is gone), sockets and the like reported in
 * `skipped`.
 */
export function* walkSorted(absDir: string, repoDirPath: string, storeObjects: string | undefined, skipped: string[]): Generator<ScannedFile> {
  const rules = new IgnoreRules(absDir.endsWith(`/${repoDirPath}`) ? absDir.slice(0, -repoDirPath.length - 1) : absDir);
  const repoPathOf = (rel: string): string => joinRepoPath(repoDirPath, rel);
  function* walk(abs: string, rel: string): Generator<ScannedFile> {
    const entries = readdirSync(abs, { withFileTypes: true });
    const levels = rules.levels(repoPathOf(rel), entries.some((d) => d.name === TROVE_IGNORE && d.isFile()));
    const keyed: [string, Dirent][] = entries.map((d) => [walkKey(d.name, d.isDirectory()), d]);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [, d] of keyed) {
      const childAbs = join(abs, d.name);
      const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
      if (parseTempName(d.name)) {
        removeIfAbandoned(childAbs);
        continue;
      }
      if (levels.length > 0 && IgnoreRules.ignored(levels, repoPathOf(childRel), d.isDirectory())) continue;
      if (d.isDirectory()) {
        yield* walk(childAbs, childRel);
        continue;
      }
      if (!d.isFile() && !d.isSymbolicLink()) {
        skipped.push(childRel);
        continue;
      }
      yield scanOne(childAbs, childRel, lstatSync(childAbs), repoDirPath, storeObjects);
    }
  }
  yield* walk(absDir, '');
}

/** One file or symlink as a ScannedFile (scanTree's rules). */
export function scanOne(childAbs: string, childRel: string, st: Stats, repoDirPath: string, storeObjects: string | undefined): ScannedFile {
  if (st.isSymbolicLink()) {
    const target = readlinkSync(childAbs);
    const hex = storeObjects ? storeLinkHex(target, storeObjects) : undefined;
    if (hex) return { path: childRel, kind: 'file', size: statSync(childAbs).size, ino: st.ino, mtimeMs: st.mtimeMs, executable: false, knownHex: hex };
    if (!isContainedLinkTarget(joinRepoPath(repoDirPath, childRel), target)) {
      throw new TroveError('UNSAFE_PATH', `Symlink ${joinRepoPath(repoDirPath, childRel)} points outside the repository, into .git or .trove, or climbs ("..") after another part of its target (${target}).`, {
        hint: 'Replace it with a copy of its target, or with a link inside the repository whose ".." parts all come first (../x/y), then add again.',
        data: { path: joinRepoPath(repoDirPath, childRel), target },
      });
    }
    return { path: childRel, kind: 'link', size: 0, ino: st.ino, mtimeMs: st.mtimeMs, executable: false, target };
  }
  return { path: childRel, kind: 'file', size: st.size, ino: st.ino, mtimeMs: st.mtimeMs, executable: (st.mode & 0o111) !== 0 };
}

/** The scan-signature line of one file (the fields the former directory signatures digested, now per chunk). */
export function signatureLine(f: ScannedFile): string {
  return `${f.path}\0${f.kind}\0${f.ino}\0${f.size}\0${f.mtimeMs}\0${f.executable ? 1 : 0}\0${f.target ?? ''}\0${f.knownHex ?? ''}\n`;
}

/**
 * The sorted scan of a tracked directory, cut into chunks exactly where a
 * manifest of the same files would cut its leaves. Holds one chunk at a time.
 * `now` is read when a chunk starts, before any of its files is looked at,
 * so a file changed later in the same timestamp tick always leaves its chunk
 * unsigned.
 */
export function* scanChunks(absDir: string, repoDirPath: string, storeObjects: string | undefined, o: { skipped?: string[]; now?: () => number } = {}): Generator<ScanChunk> {
  const clock = o.now ?? Date.now;
  let files: ScannedFile[] = [];
  let size = 0;
  let h = createHash('sha256');
  let racy = false;
  let started = clock();
  const close = (): ScanChunk => {
    const c: ScanChunk = { first: files[0]!.path, count: files.length, size, sig: racy ? undefined : h.digest('hex'), files };
    files = [];
    size = 0;
    h = createHash('sha256');
    racy = false;
    started = clock();
    return c;
  };
  for (const f of walkSorted(absDir, repoDirPath, storeObjects, o.skipped ?? [])) {
    files.push(f);
    size += f.size;
    if (isRacy(f.mtimeMs, started)) racy = true;
    else h.update(signatureLine(f));
    if (isLeafCut(f.path, files.length)) yield close();
  }
  if (files.length > 0) yield close();
}
