import { existsSync, lstatSync, mkdirSync } from 'node:fs';
import { storeWriteDirs } from '../store/storeWriteDirs.js';
import { join, relative, resolve, sep } from 'node:path';
import { TroveError } from '../errors/index.js';
import { checkRepoPath, reservedName } from '../core/repoPath.js';
import { silentReporter, type Reporter } from '../core/Reporter.js';
import { createGit, findWorkTree, type Git } from '../platform/git.js';
import { loadConfig, resolveCacheDir, type Config } from '../platform/config.js';
import { acquireRepoLock, type RepoLock } from '../platform/repoLock.js';
import { ObjectStore } from '../store/ObjectStore.js';
import { StatCache } from '../store/StatCache.js';
import { WorkIndex } from '../store/WorkIndex.js';
import { createHash } from 'node:crypto';
import { checkStoreFormat, ensureStoreFormat } from '../store/storeFormat.js';
import { takeReaderLease } from '../store/pack/readerLease.js';

/** The opened context, passed explicitly to every operation (never a global). */
export interface Repo {
  /** absolute path of the Git work tree */
  readonly root: string;
  /** absolute path of .trove */
  readonly troveDir: string;
  /** where the command was run from (relative paths on the command line are relative to it) */
  readonly cwd: string;
  readonly git: Git;
  /** .trove/config.yaml + config.local.yaml + TROVE_* variables, read once at open; remote.add / modify / remove / setDefault refresh it (a hand edit is seen at the next open) */
  readonly config: Config;
  readonly store: ObjectStore;
  readonly statCache: StatCache;
  /**
   * The work index of tracked directory `path` (store/WorkIndex): opened on
   * first use (header and chunk table only), the same object for the rest of
   * the command, saved by saveCaches.
   */
  readonly workIndex: (path: string) => WorkIndex;
  readonly reporter: Reporter;
  /** true when the store is the repository's own (.trove/cache), false for a shared cache */
  readonly privateStore: boolean;
}

export const TROVE_DIR = '.trove';

export interface OpenRepoOptions {
  readonly cwd?: string;
  readonly reporter?: Reporter;
}

export async function openRepo(options: OpenRepoOptions = {}): Promise<Repo> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const root = await findWorkTree(cwd);
  const troveDir = join(root, TROVE_DIR);
  if (!existsSync(join(troveDir, 'config.yaml'))) {
    throw new TroveError('NOT_INITIALIZED', `trove is not initialised in ${root}.`, { hint: 'Run trove init in the repository first.', data: { root } });
  }
  refuseSymlinkedTroveDirs(troveDir, [join(troveDir, 'tmp'), join(troveDir, 'tmp', 'work')]);
  const config = loadConfig(troveDir);
  const reporter = options.reporter ?? silentReporter;
  for (const w of config.warnings ?? []) reporter.warn(w);
  const storeDir = resolveCacheDir(troveDir, config.core.cache);
  // The repository's own store (not a shared one the user configured) and the directories packs, leases and retired packs are written in.
  if (storeDir.startsWith(troveDir + '/')) refuseSymlinkedTroveDirs(troveDir, storeWriteDirs(storeDir));
  checkStoreFormat(storeDir);
  // before anything lists a pack: gc keeps what this process may read (store/pack/readerLease.ts)
  if (existsSync(storeDir)) takeReaderLease(storeDir);
  mkdirSync(join(troveDir, 'tmp'), { recursive: true });
  return {
    root,
    troveDir,
    cwd,
    git: createGit(root),
    config,
    store: new ObjectStore(storeDir, { fsync: config.core.fsync }),
    statCache: StatCache.load(join(troveDir, 'tmp', 'statcache.json')),
    workIndex: workIndexOpener(join(troveDir, 'tmp', 'work')),
    reporter,
    privateStore: resolve(storeDir) === resolve(troveDir, 'cache'),
  };
}

/**
 * Read the configuration again into `repo.config`, for the one case where it
 * is known to have changed under an opened repository: trove itself just
 * wrote config.yaml or config.local.yaml (`remote add / modify / remove /
 * default`). The rest of that command, and a library caller that keeps using
 * `repo` (remote.add then push), see the change. Everything else uses the
 * config read at open; warnings were reported then and are not repeated.
 */
export function reloadConfig(repo: Repo): Config {
  const config = loadConfig(repo.troveDir);
  // The one writer of the field: readonly for every reader of a Repo.
  (repo as { config: Config }).config = config;
  return config;
}

/**
 * `.trove` and `.trove/tmp` are real directories: a repository that commits
 * `.trove -> elsewhere` (or `.trove/tmp -> elsewhere`) would have every
 * command, and the hooks of a plain `git clone`, write its lock, caches and
 * store outside the clone. (A shared store is configured with core.cache.)
 */
function refuseSymlinkedTroveDirs(troveDir: string, below: readonly string[] = []): void {
  for (const dir of [troveDir, ...below]) {
    let link = false;
    try {
      link = lstatSync(dir).isSymbolicLink();
    } catch {
      /* absent: nothing to refuse (tmp is made below, the others when first written) */
    }
    if (link) {
      const name = TROVE_DIR + dir.slice(troveDir.length);
      throw new TroveError('UNSAFE_PATH', `${name} is a symbolic link; trove keeps its own files in a real directory of the repository.`, {
        hint: `Replace the link by a directory (a shared store is set with core.cache in .trove/config.local.yaml, see docs/config.md); a repository that ships such a link may be hostile.`,
        data: { path: name },
      });
    }
  }
}

/** Run `fn` holding the repository lock; the stat cache is saved before release. */
export async function withLock<T>(repo: Repo, command: string, fn: () => Promise<T>): Promise<T> {
  const lock: RepoLock = await acquireRepoLock(join(repo.troveDir, 'tmp'), { command });
  try {
    ensureStoreFormat(repo.store.dir);
    return await fn();
  } finally {
    saveCaches(repo);
    lock.release();
  }
}

/**
 * A path from the command line (relative to cwd, or absolute) as a checked
 * repository-relative POSIX path. Paths outside the work tree are USAGE errors.
 */
export function toRepoPath(repo: Repo, input: string): string {
  const abs = resolve(repo.cwd, input);
  const rel = relative(repo.root, abs);
  if (rel === '' ) throw new TroveError('USAGE', `"${input}" is the repository root; name a file or directory inside it.`, { hint: 'Example: trove add data/' });
  if (rel.startsWith('..') || resolve(repo.root, rel) !== abs) {
    throw new TroveError('USAGE', `"${input}" is outside the repository ${repo.root}.`, { hint: 'Copy or move the data into the repository first.', data: { path: input } });
  }
  const posix = rel.split(sep).join('/');
  // .trove (or .Trove, which is .trove on macOS and Windows) first, for the plainer message; checkRepoPath refuses it at any depth.
  if (reservedName(posix.split('/')[0]!) === TROVE_DIR) {
    throw new TroveError('USAGE', `"${input}" is inside .trove, which trove manages itself.`, { hint: 'Name your data, not trove\'s own files.' });
  }
  checkRepoPath(posix, 'the command line');
  return posix;
}

export function absPath(repo: Repo, repoPath: string): string {
  return join(repo.root, ...repoPath.split('/'));
}

/** Persist the per-work-tree caches (best effort: a cache that cannot be saved only costs speed). */
export function saveCaches(repo: Repo): void {
  repo.statCache.save();
  for (const w of openedWorkIndexes.get(repo.workIndex)?.values() ?? []) w.save();
}

const openedWorkIndexes = new WeakMap<(path: string) => WorkIndex, Map<string, WorkIndex>>();

/** `.trove/tmp/work/<sha256(path)[0:16]>.twi`, one per tracked directory, each opened once per command. */
function workIndexOpener(dir: string): (path: string) => WorkIndex {
  const opened = new Map<string, WorkIndex>();
  const open = (path: string): WorkIndex => {
    let w = opened.get(path);
    if (!w) {
      w = WorkIndex.open(join(dir, `${createHash('sha256').update(path).digest('hex').slice(0, 16)}.twi`), path);
      opened.set(path, w);
    }
    return w;
  };
  openedWorkIndexes.set(open, opened);
  return open;
}
