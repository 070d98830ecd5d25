import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { TroveError } from '../../errors/index.js';
import { isLeafCut } from '../../core/manifestTree.js';
import { isContainedLinkTarget, joinRepoPath } from '../../core/repoPath.js';
import { isRacy } from '../../store/StatCache.js';
import { storeLinkHex } from '../../store/storeLinkHex.js';
import { parseTempName, removeIfAbandoned } from '../../util/abandonedTemps.js';
import { shortDirPrefix } from '../../util/cwdRelative.js';
import { isLinkMode, lstatFields, type LstatFields } from '../../util/lstatFields.js';
import { IgnoreRules, TROVE_IGNORE } from './troveIgnore.js';
import { ScanRecords } from './scanRecords.js';
import type { ScannedFile } from './scanTree.js';
import { scanThreaded } from './scanThreaded.js';

/** A run of the sorted scan that a manifest leaf would hold: cut by isLeafCut, so an unchanged chunk is an unchanged leaf. */
export interface ScanChunk {
  /** path of its first file (relative to the scanned directory) */
  readonly first: string;
  readonly count: number;
  /** sum of file sizes (symlinks count 0), as a leaf's ChildRef counts */
  readonly size: number;
  /** sha256 of its files as ScanRecords (path, kind, inode, size, mtime, executable bit, link target, store-link digest), undefined when an entry's mtime is racy */
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

/** A directory entry as the walk needs it (a Dirent's name and type; plain data, so a range of the top level can be posted to a scan worker). */
export interface WalkEntry {
  readonly name: string;
  /** 'd' directory, 'f' file, 'l' symlink, 'o' anything else (socket, fifo, device) */
  readonly type: 'd' | 'f' | 'l' | 'o';
}

/** The entries of one directory in walk order (walkKey), and whether it holds a .troveignore file. */
export function listSorted(abs: string): { entries: WalkEntry[]; ignoreFile: boolean } {
  const dirents = readdirSync(abs, { withFileTypes: true });
  let ignoreFile = false;
  const keyed: { key: string; e: WalkEntry }[] = dirents.map((d) => {
    const type = d.isDirectory() ? 'd' : d.isFile() ? 'f' : d.isSymbolicLink() ? 'l' : 'o';
    if (type === 'f' && d.name === TROVE_IGNORE) ignoreFile = true;
    return { key: walkKey(d.name, type === 'd'), e: { name: d.name, type } };
  });
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { entries: keyed.map((k) => k.e), ignoreFile };
}

/**
 * The sorted walk of a directory (walkSorted), callable on any contiguous
 * range of its top level: the threaded scan lists the top level once and
 * walks each range in its own thread, so together they walk exactly what
 * one walk would, in the same order.
 */
export class SortedWalk {
  private readonly rules: IgnoreRules;

  constructor(
    private readonly absDir: string,
    private readonly repoDirPath: string,
    private readonly storeObjects: string | undefined,
    private readonly skipped: string[],
    /** the prefix `absDir`'s children are stat'ed and listed under: shortDirPrefix (a scan worker gets the main thread's) */
    private readonly statPrefix: string = shortDirPrefix(absDir),
  ) {
    this.rules = new IgnoreRules(absDir.endsWith(`/${repoDirPath}`) ? absDir.slice(0, -repoDirPath.length - 1) : absDir);
  }

  /** Walk `entries` (a range of the top level, as listSorted returned it; `ignoreFile` as listSorted said for the whole top level). */
  top(entries: readonly WalkEntry[], ignoreFile: boolean): Generator<ScannedFile> {
    return this.walk(this.absDir, '', this.statPrefix, entries, ignoreFile);
  }

  /** `short`: the prefix of `abs`'s children as lstat and readdir get them (shortDirPrefix; an error is reported with the absolute path). */
  private *walk(abs: string, rel: string, short: string, entries: readonly WalkEntry[], ignoreFile: boolean): Generator<ScannedFile> {
    const levels = this.rules.levels(joinRepoPath(this.repoDirPath, rel), ignoreFile);
    // Plain concatenation, not path.join: the profile showed join's normalising; names never hold '/'.
    const absBase = abs.endsWith('/') ? abs : `${abs}/`;
    const relBase = rel === '' ? '' : `${rel}/`;
    for (const d of entries) {
      const childAbs = absBase + d.name;
      const childRel = relBase + d.name;
      const childShort = short + d.name;
      // Trove's temp names start with '.': the regex runs on those only.
      if (d.name.charCodeAt(0) === 46 && parseTempName(d.name)) {
        removeIfAbandoned(childAbs);
        continue;
      }
      if (levels.length > 0 && IgnoreRules.ignored(levels, joinRepoPath(this.repoDirPath, childRel), d.type === 'd')) continue;
      if (d.type === 'd') {
        const sub = listSortedAt(childShort, childAbs);
        yield* this.walk(childAbs, childRel, `${childShort}/`, sub.entries, sub.ignoreFile);
        continue;
      }
      if (d.type === 'o') {
        this.skipped.push(childRel);
        continue;
      }
      yield scanOne(childAbs, childRel, lstatAt(childShort, childAbs), this.repoDirPath, this.storeObjects);
    }
  }
}

/** Look-ups by short path that failed and were made again by absolute path, in this thread (tests: 0 when the short paths are right). */
export const shortPathRetries = { count: 0 };

/** lstat by the short path; on any error, again by the absolute one, so what is thrown names the absolute path. */
function lstatAt(short: string, abs: string): LstatFields {
  try {
    return lstatFields(short);
  } catch {
    // the retry throws the error to report, or finds the file (it appeared in between)
    shortPathRetries.count++;
    return lstatFields(abs);
  }
}

function listSortedAt(short: string, abs: string): { entries: WalkEntry[]; ignoreFile: boolean } {
  try {
    return listSorted(short === '' ? '.' : short);
  } catch {
    // as lstatAt: the error names the absolute path
    shortPathRetries.count++;
    return listSorted(abs);
  }
}

/**
 * Walk a directory in compareEntries order, one directory in memory at a
 * time (no list of every file, no global sort: scale plan S1). The rules are
 * scanTree's: symlinks recorded, never followed (and refused when they leave
 * the repository), .troveignore honoured, trove's temp files skipped (and
 * removed when their writer is gone), sockets and the like reported in
 * `skipped`.
 */
export function walkSorted(absDir: string, repoDirPath: string, storeObjects: string | undefined, skipped: string[]): Generator<ScannedFile> {
  const top = listSorted(absDir);
  return new SortedWalk(absDir, repoDirPath, storeObjects, skipped).top(top.entries, top.ignoreFile);
}

/** One file or symlink as a ScannedFile (scanTree's rules). */
export function scanOne(childAbs: string, childRel: string, st: LstatFields, repoDirPath: string, storeObjects: string | undefined): ScannedFile {
  if (isLinkMode(st.mode)) {
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

/**
 * Cuts the sorted sequence of files into chunks (isLeafCut) and signs each:
 * the one chunker of the single-threaded scan and of the threaded scan's
 * stitching. The signature is the sha256 of the chunk's files as
 * ScanRecords, hashed once per chunk.
 */
export class ChunkCutter {
  private files: ScannedFile[] = [];
  private size = 0;
  private readonly records = new ScanRecords();
  private racy = false;
  private started: number;

  constructor(private readonly clock: () => number) {
    this.started = clock();
  }

  get open(): number {
    return this.files.length;
  }

  /**
   * Add the next file; returns the chunk it closes, if any. `statAfter` is a
   * clock reading taken before the file was looked at, for a file a scan
   * worker saw before this chunk started: the earlier reading decides.
   */
  push(f: ScannedFile, statAfter = Infinity): ScanChunk | undefined {
    this.files.push(f);
    this.size += f.size;
    if (isRacy(f.mtimeMs, Math.min(this.started, statAfter))) this.racy = true;
    else if (!this.racy) this.records.push(f);
    return isLeafCut(f.path, this.files.length) ? this.close() : undefined;
  }

  close(): ScanChunk {
    const c: ScanChunk = { first: this.files[0]!.path, count: this.files.length, size: this.size, sig: this.racy ? undefined : this.records.sha256(), files: this.files };
    this.files = [];
    this.size = 0;
    this.records.clear();
    this.racy = false;
    this.started = this.clock();
    return c;
  }
}

/**
 * The sorted scan of a tracked directory, cut into chunks exactly where a
 * manifest of the same files would cut its leaves. Holds one chunk at a time.
 * `now` is read when a chunk starts, before any of its files is looked at,
 * so a file changed later in the same timestamp tick always leaves its chunk
 * unsigned. `threads` > 1 splits the walk across scan workers
 * (scanThreaded): the same chunks, signatures and files; `workersOnly`
 * (tests) leaves every range to the workers, the main thread only stitching;
 * `postBytes` (tests) is how many bytes of scan records a worker gathers
 * before it posts them (default 256 KiB).
 */
export function* scanChunks(absDir: string, repoDirPath: string, storeObjects: string | undefined, o: { skipped?: string[]; now?: () => number; threads?: number; workersOnly?: boolean; postBytes?: number } = {}): Generator<ScanChunk> {
  const skipped = o.skipped ?? [];
  const clock = o.now ?? Date.now;
  if ((o.threads ?? 1) > 1) {
    yield* scanThreaded(absDir, repoDirPath, storeObjects, { skipped, clock, threads: o.threads!, workersOnly: o.workersOnly, postBytes: o.postBytes });
    return;
  }
  const cut = new ChunkCutter(clock);
  for (const f of walkSorted(absDir, repoDirPath, storeObjects, skipped)) {
    const c = cut.push(f);
    if (c) yield c;
  }
  if (cut.open > 0) yield cut.close();
}
