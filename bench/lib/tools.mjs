// One adapter per tool. Every method returns the commands to run, as a list of
// { cmd, args }, in the repository directory; the workloads time them.
//
//   init()          make the fresh git repo a repo of this tool
//   add(paths)      put paths under the tool's control (and stage them)
//   commit(msg)     record a git commit
//   status(paths)   "which tracked data files under paths changed since the
//                   last commit?" -- like for like: git's own answer for the
//                   tools whose work tree git sees (git-lfs, git-annex, plain
//                   git), trove's for trove (docs/benchmarks.md says what each does)
//   checkout(rev)   switch the work tree, data included, to rev
//   checkoutLink(rev, mode)  the same with another way of placing files (trove
//                   only: core.link's hardlink / symlink)
//   workloads       the workloads the tool runs (default: all)
//   prepareEdit(p)  untimed: what a user must do before editing p in place
//   storeDir        where the tool keeps content, relative to the repo
//   hookCheckout(rev)  switch versions with `git checkout` alone: the data
//                   follows through the tool's Git integration (git-lfs's
//                   smudge filter, git-annex's symlinks, trove's post-checkout
//                   hook)
//   installHooks() / uninstallHooks()  untimed, around hookCheckout (trove)
//   hookEnv(env, dir)  the environment Git runs the hooks in (trove on PATH)
//
// Push and pull (bench/lib/remotes.mjs), with r = { dir, originDir, origin,
// clone, s3: { host, port, endpoint, bucket }, gitRemote, dataRemote, revs,
// jobs } (absolute paths and URLs; gitRemote is git's name for the bare origin,
// dataRemote the tool's name for the data remote, revs every commit of main --
// each tool sends the data of all of them -- and jobs, when set, the parallel
// transfers to ask of a peer: trove's own default for the same remote):
//   remoteSetup(kind, r)  untimed, in the repo: configure the data remote
//                         (kind 'dir' or 's3'; git's `origin` is already set)
//   push(kind, r)         publish: the data and the git history
//   pull(kind, r)         from outside: `git clone` r.origin into r.clone, then
//                         bring the data into place
//   remoteData(r)         where a directory remote's data lands
//   s3Unsupported         why the tool has no S3 measurement (or undefined)
//   defaultJobs           what the tool does with no concurrency setting
//   jobsShort             the same in a few words (table cells)
//   fewerJobsThanTrove    true: its push and pull run again at trove's jobs
//   remotes               false: no push/pull steps (plain git)

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const c = (cmd, ...args) => ({ cmd, args });
const git = (...args) => c('git', ...args);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TROVE_BIN = process.env.TROVE_BIN ?? path.join(ROOT, 'dist', 'cli', 'trove.cjs');
const trove = (...args) => c(process.execPath, TROVE_BIN, ...args);

export const gitLfs = {
  name: 'git-lfs',
  storeDir: '.git/lfs/objects',
  mode: 'clean/smudge filters; the work tree holds a full copy of each file beside `.git/lfs/objects`',
  init: () => [git('lfs', 'install', '--local'), git('lfs', 'track', '*.bin'), git('add', '.gitattributes')],
  add: (paths) => [git('add', '--', ...paths)],
  commit: (msg) => [git('commit', '-q', '-m', msg)],
  status: (paths) => gitStatus(paths),
  checkout: (rev) => [git('checkout', '-q', rev)],
  hookCheckout: (rev) => [git('checkout', '-q', rev)],
  prepareEdit: () => [],
  defaultJobs: '8 concurrent transfers',
  jobsShort: '8 transfers',
  // origin is a file:// URL to a bare repo: git-lfs 3 moves the objects with
  // its standalone file transfer agent into <origin>/lfs/objects.
  remoteSetup: () => [],
  // The pre-push hook uploads the objects of every commit being pushed: all
  // of main's history, as the others are asked to send.
  push: (kind, r) => [git(...lfsJobs(r), 'push', '-q', r.gitRemote, 'main')],
  // The bench's git config installs no global lfs filter, so the clone checks
  // out pointers (as GIT_LFS_SKIP_SMUDGE=1 would) and `git lfs pull` fetches
  // in batches and replaces them.
  pull: (kind, r) => [git('clone', '-q', r.origin, r.clone), git('-C', r.clone, 'lfs', 'install', '--local'), git('-C', r.clone, ...lfsJobs(r), 'lfs', 'pull')],
  remoteData: (r) => path.join(r.originDir, 'lfs', 'objects'),
  s3Unsupported: 'git-lfs has no S3 transfer; it needs an LFS server in front of the bucket',
  available: () => ok('git', ['lfs', 'version']),
  version: () => firstMatch('git', ['lfs', 'version'], /git-lfs\/(\S+)/),
};

export const gitAnnex = {
  name: 'git-annex',
  storeDir: '.git/annex/objects',
  mode:
    'default (locked) mode: work-tree files are symlinks into `.git/annex/objects`; ' +
    'each file is `git annex unlock`ed before an edit (untimed) and `git annex add` locks it again',
  init: () => [git('annex', 'init', '--quiet', 'bench')],
  add: (paths) => [git('annex', 'add', '--quiet', '--', ...paths)],
  commit: (msg) => [git('commit', '-q', '-m', msg)],
  // Locked files are symlinks git compares itself; git-annex's own `status`
  // (deprecated in later releases for this reason) lists the same files.
  status: (paths) => gitStatus(paths),
  checkout: (rev) => [git('checkout', '-q', rev)],
  hookCheckout: (rev) => [git('checkout', '-q', rev)],
  defaultJobs: 'one transfer at a time (no `-J`)',
  fewerJobsThanTrove: true,
  prepareEdit: (paths) => (paths.length ? [git('annex', 'unlock', '--quiet', '--', ...paths)] : []),
  remoteSetup: (kind, r) =>
    kind === 'dir'
      ? [git('annex', 'initremote', r.dataRemote, 'type=directory', `directory=${r.dir}`, 'encryption=none')]
      : [
          git('annex', 'initremote', r.dataRemote, 'type=S3', `host=${r.s3.host}`, `port=${r.s3.port}`, 'protocol=http', 'requeststyle=path',
            `bucket=${r.s3.bucket}`, 'encryption=none', 'signature=v4'),
        ],
  // The git-annex branch carries the location log the clone needs. `sync`
  // rather than `git push`: a clone's `git annex init` initialises the bare
  // origin too (it is local) and commits to its git-annex branch, which a
  // plain push would then be refused over; sync merges that first.
  // `--all`: every version of every file, i.e. main's whole history (the
  // bench's repositories have no other branch and no unused content).
  push: (kind, r) => [
    git('annex', 'copy', '--quiet', ...annexJobs(r), '--all', '--to', r.dataRemote),
    git('annex', 'sync', '--quiet', '--no-content', '--no-commit', r.gitRemote),
  ],
  pull: (kind, r) => [
    git('clone', '-q', r.origin, r.clone),
    git('-C', r.clone, 'annex', 'init', '--quiet', 'clone'),
    kind === 'dir' ? git('-C', r.clone, 'annex', 'enableremote', r.dataRemote, `directory=${r.dir}`) : git('-C', r.clone, 'annex', 'enableremote', r.dataRemote),
    git('-C', r.clone, 'annex', 'get', '--quiet', ...annexJobs(r), '--from', r.dataRemote, '.'),
  ],
  remoteData: (r) => r.dir,
  available: () => ok('git', ['annex', 'version', '--raw']),
  version: () => firstMatch('git', ['annex', 'version', '--raw'], /(\S+)/),
};

export const troveTool = {
  name: 'trove',
  storeDir: '.trove/cache',
  mode: '`git checkout` followed by `trove checkout` to switch versions',
  init: () => [trove('init')],
  add: (paths) => [trove('add', ...paths)],
  commit: (msg) => [git('commit', '-q', '-m', msg)],
  status: (paths) => [trove('status', ...paths)],
  checkout: (rev) => [git('checkout', '-q', rev), trove('checkout')],
  checkoutLink: (rev, mode) => [git('checkout', '-q', rev), trove('checkout', '--link', mode)],
  defaultJobs: '4 parallel requests to a directory remote, 8 to S3 (`jobs` unset)',
  // `trove install` writes hooks that call `trove`; the restore runs inside git checkout.
  installHooks: () => [trove('install', '--json')],
  uninstallHooks: () => [trove('uninstall', '--json')],
  hookCheckout: (rev) => [git('checkout', '-q', rev)],
  hookEnv: (env, dir) => troveOnPath(env, dir),
  prepareEdit: () => [],
  // The remote goes into the committed .trove/config.yaml, so the clone has it.
  remoteSetup: (kind, r) => [
    ...(kind === 'dir'
      ? [trove('remote', 'add', '-d', r.dataRemote, r.dir)]
      : [
          trove('remote', 'add', r.dataRemote, `s3://${r.s3.bucket}/trove`),
          trove('remote', 'modify', r.dataRemote, 'endpoint', r.s3.endpoint),
          trove('remote', 'modify', r.dataRemote, 'path_style', 'true'),
          trove('remote', 'modify', r.dataRemote, 'region', 'us-east-1'),
        ]),
    git('add', '.trove/config.yaml'),
    git('commit', '-q', '-m', `trove remote ${kind}`),
  ],
  // The work tree's data plus what each earlier commit of main needs (--rev).
  push: (kind, r) => [
    trove('push', ...(kind === 'dir' ? [] : ['-r', r.dataRemote]), ...r.revs.slice(1).flatMap((rev) => ['--rev', rev]), '--json'),
    git('push', '-q', r.gitRemote, 'main'),
  ],
  pull: (kind, r) => [git('clone', '-q', r.origin, r.clone), trove('-C', r.clone, 'pull', ...(kind === 'dir' ? [] : ['-r', r.dataRemote]), '--json')],
  remoteData: (r) => r.dir,
  available: () => fs.existsSync(TROVE_BIN),
  // package.json's version stays 0.1.0 while the code changes: the commit
  // (and "-dirty" for uncommitted changes) tells builds apart for carry-over.
  version: () => {
    let v;
    try {
      v = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
    const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
    if (head.status !== 0) return v;
    const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
    return `${v}+${head.stdout.trim()}${dirty ? '-dirty' : ''}`;
  },
};

/**
 * Git itself storing the files (W2 only: a tree of small files is what git is
 * made for; a 1 GiB file is not). The row "git does this job on its own".
 */
export const plainGit = {
  name: 'git',
  storeDir: '.git/objects',
  workloads: ['W2'],
  remotes: false,
  mode: 'the files committed to git itself (`.git/objects`, zlib-compressed loose objects); W2 only, no push/pull',
  init: () => [],
  add: (paths) => [git('add', '--', ...paths)],
  commit: (msg) => [git('commit', '-q', '-m', msg)],
  status: (paths) => gitStatus(paths),
  checkout: (rev) => [git('checkout', '-q', rev)],
  hookCheckout: (rev) => [git('checkout', '-q', rev)],
  prepareEdit: () => [],
  available: () => ok('git', ['--version']),
  version: () => firstMatch('git', ['--version'], /git version (\S+)/),
};

export const ALL_TOOLS = [gitLfs, gitAnnex, troveTool, plainGit];

/**
 * trove's parallel requests when a remote sets no `jobs` (DEFAULT_JOBS in
 * src/sync/remoteSession.ts): the peers' "at trove's jobs" rows ask for the same.
 */
export const TROVE_JOBS = { dir: 4, s3: 8 };

/** Does the tool take part in workload wl? */
export const runsWorkload = (tool, wl) => !tool.workloads || tool.workloads.includes(wl);

/**
 * git's answer to "which files under paths changed since the last commit":
 * refresh the index (lstat every tracked file, re-read -- through the clean
 * filter for git-lfs -- those whose stat changed, write the index back), then
 * list modified, deleted and new files under paths.
 */
function gitStatus(paths) {
  return [git('status', '--porcelain', '--', ...paths)];
}

const lfsJobs = (r) => (r.jobs ? ['-c', `lfs.concurrenttransfers=${r.jobs}`] : []);
const annexJobs = (r) => (r.jobs ? ['-J', String(r.jobs)] : []);

/** An environment whose PATH starts with a `trove` script running TROVE_BIN, written into dir/bin. */
function troveOnPath(env, dir) {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'trove'), `#!/bin/sh\nexec "${process.execPath}" "${TROVE_BIN}" "$@"\n`, { mode: 0o755 });
  return { ...env, PATH: `${bin}${path.delimiter}${env.PATH ?? ''}` };
}

/** Human-readable command lines for the doc's "commands used" table. */
export function describeCommands(tool) {
  const show = (cmds) =>
    cmds.length === 0
      ? '—'
      : cmds
          .map(({ cmd, args }) => (cmd === process.execPath ? ['trove', ...args.slice(1)] : [cmd, ...args]).map(shq).join(' '))
          .map((s) => `\`${s}\``)
          .join(' + ');
  return {
    'add + commit (first time)': show([...tool.init(), ...tool.add(['<paths>']), ...tool.commit('<msg>')]),
    'status (which tracked data under the path changed)': show(tool.status(['<paths>'])),
    'before editing (untimed)': show(tool.prepareEdit(['<paths>'])),
    'add + commit (edits)': show([...tool.add(['<paths>']), ...tool.commit('<msg>')]),
    'switch version': show(tool.checkout('<rev>')),
    'switch version, hardlink / symlink mode (W1)': tool.checkoutLink ? ['hardlink', 'symlink'].map((m) => show(tool.checkoutLink('<rev>', m))).join(' / ') : 'n/a',
    'hooks setup (untimed)': show(tool.installHooks?.() ?? []),
    'switch version, git alone (hooks, filters)': show(tool.hookCheckout('<rev>')),
    ...(tool.remotes === false ? {} : remoteCommands(tool, show)),
  };
}

/** Push/pull rows of the "commands used" table, with placeholders. */
function remoteCommands(tool, show) {
  const r = (kind, jobs) => ({
    dir: '<dir>',
    originDir: '<origin>',
    origin: 'file://<origin>',
    clone: '<clone>',
    s3: { host: '127.0.0.1', port: '<port>', endpoint: 'http://127.0.0.1:<port>', bucket: '<bucket>' },
    gitRemote: 'origin',
    dataRemote: kind === 'dir' ? 'd' : 's3',
    revs: ['<latest>', '<each earlier commit>'],
    ...(jobs ? { jobs } : {}),
  });
  const peer = Boolean(tool.fewerJobsThanTrove);
  const out = {
    'remote setup, directory (untimed)': show(tool.remoteSetup('dir', r('dir'))),
    'push, directory remote': show(tool.push('dir', r('dir'))),
    'clone + pull, directory remote': show(tool.pull('dir', r('dir'))),
  };
  if (peer) {
    out['push / clone + pull, directory remote, at trove\'s jobs'] = `${show(tool.push('dir', r('dir', TROVE_JOBS.dir)))} / … ${show(tool.pull('dir', r('dir', TROVE_JOBS.dir)).slice(-1))}`;
  }
  if (tool.s3Unsupported) {
    for (const k of ['remote setup, S3 (untimed)', 'push, S3', 'clone + pull, S3']) out[k] = 'n/a';
  } else {
    out['remote setup, S3 (untimed)'] = show(tool.remoteSetup('s3', r('s3')));
    out['push, S3'] = show(tool.push('s3', r('s3')));
    out['clone + pull, S3'] = show(tool.pull('s3', r('s3')));
    if (peer) out['push / clone + pull, S3, at trove\'s jobs'] = `${show(tool.push('s3', r('s3', TROVE_JOBS.s3)))} / … ${show(tool.pull('s3', r('s3', TROVE_JOBS.s3)).slice(-1))}`;
  }
  return out;
}

const shq = (a) => (/^[\w@%+=:,./<>-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

function ok(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

function firstMatch(cmd, args, re) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const m = re.exec(r.stdout);
  return m ? m[1] : null;
}

/**
 * Make sure git-lfs and git-annex are installed: apt-get update once, then
 * apt-get install. Never fatal: returns the names still missing.
 */
export function ensurePeers({ install = true, log = console.error } = {}) {
  const peers = [gitLfs, gitAnnex];
  let missing = peers.filter((t) => !t.available());
  if (missing.length === 0) return [];
  const names = missing.map((t) => t.name);
  if (!install) {
    log(`[bench] not installed: ${names.join(', ')} (BENCH_NO_INSTALL=1); measuring without them`);
    return names;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    log(`[bench] not installed: ${names.join(', ')}; not root, so not running apt-get -- measuring without them`);
    return names;
  }
  log(`[bench] installing ${names.join(', ')} with apt-get ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const upd = spawnSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (upd.status !== 0) log(`[bench] apt-get update failed (${upd.error?.message ?? `exit ${upd.status}`}); trying install anyway`);
  const ins = spawnSync('apt-get', ['install', '-y', 'git-lfs', 'git-annex'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (ins.status !== 0) log(`[bench] apt-get install git-lfs git-annex failed (${ins.error?.message ?? `exit ${ins.status}`})`);
  missing = peers.filter((t) => !t.available()).map((t) => t.name);
  if (missing.length) log(`[bench] still not installed: ${missing.join(', ')} -- these columns will say "not installed"`);
  return missing;
}
