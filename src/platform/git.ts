import { execFile, spawn } from 'node:child_process';
import { TroveError } from '../errors/index.js';
import { envValue } from '../util/envVars.js';
import { parseLsTree } from './parseLsTree.js';
import { parseRawLog, type RawChange } from './parseRawLog.js';
import { discoverWorkTree } from './discoverWorkTree.js';

/**
 * The real `git` binary, spawned with typed results. We never reimplement Git:
 * its own plumbing (ls-tree, cat-file --batch, rev-list) is fast and exact.
 */
export interface Git {
  readonly cwd: string;
  /** `env` is added to the process environment (e.g. GIT_INDEX_FILE for a private index). */
  run(args: readonly string[], options?: { input?: string | Buffer; allowFail?: boolean; env?: NodeJS.ProcessEnv }): Promise<{ stdout: Buffer; stderr: string; code: number }>;
}

export function createGit(cwd: string, gitBinary = envValue(process.env, 'TROVE_GIT') ?? 'git'): Git {
  return {
    cwd,
    run(args, options = {}) {
      return new Promise((resolve, reject) => {
        const child = execFile(gitBinary, [...args], { cwd, encoding: 'buffer', maxBuffer: 1 << 30, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...options.env } }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
          const errText = stderr.toString('utf8').trim();
          if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(new TroveError('GIT', 'The git command was not found.', { hint: 'Install Git (https://git-scm.com) and make sure it is on PATH.', cause: err }));
            return;
          }
          if (code !== 0 && !options.allowFail) {
            reject(new TroveError('GIT', `git ${args[0]} failed: ${firstLine(errText) || `exit code ${code}`}.`, { cause: err, data: { args: [...args], stderr: errText.slice(0, 2000) }, ...lockHint(errText) }));
            return;
          }
          resolve({ stdout, stderr: errText, code });
        });
        if (options.input !== undefined) child.stdin?.end(options.input);
      });
    },
  };
}

/**
 * Git leaves `<name>.lock` behind when it is killed (a power cut, a killed
 * process group); it cannot tell a stale lock from a live one, and neither can
 * we. Name the file and the check, so the user is not left with "File exists".
 */
function lockHint(stderr: string): { hint?: string } {
  const m = /Unable to create '([^']+\.lock)': File exists/.exec(stderr);
  return m ? { hint: `If no other git or trove command is running in this repository, remove the stale lock (rm '${m[1]}') and run the command again.` } : {};
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').replace(/^fatal: /, '').replace(/\.$/, '');
}

/**
 * Absolute path of the work tree containing `cwd`. NOT_A_GIT_REPO only when Git
 * says so; any other refusal (dubious ownership, safe.directory, a broken
 * .git) is Git's own reason and fix, passed through as GIT: "run git init"
 * would be wrong advice in a repository Git merely distrusts.
 */
export async function findWorkTree(cwd: string): Promise<string> {
  // The common case without a Git process (start-up time); anything unusual is still Git's to answer.
  const known = discoverWorkTree(cwd);
  if (known !== undefined) return known;
  const res = await createGit(cwd).run(['rev-parse', '--show-toplevel'], { allowFail: true });
  const top = res.stdout.toString('utf8').trim();
  if (res.code === 0 && top !== '') return top;
  if (res.code !== 0 && res.stderr !== '' && !/not a git repository/i.test(res.stderr)) throw gitRefusal(cwd, res.stderr);
  throw new TroveError('NOT_A_GIT_REPO', `${cwd} is not inside a Git work tree.`, {
    hint: 'Run git init (or cd into a Git repository), then trove init.',
    data: { cwd },
  });
}

/** Git's refusal to work in `cwd`, with the command Git itself suggests as the hint. */
function gitRefusal(cwd: string, stderr: string): TroveError {
  const reason = firstLine(stderr);
  // Git prints its fix on a line of its own, e.g. "\tgit config --global --add safe.directory /srv/repo".
  const fix = stderr.split('\n').map((l) => l.trim()).find((l) => /^git config .*safe\.directory/.test(l));
  const dubious = /dubious ownership|safe\.directory/i.test(stderr);
  const hint =
    fix ? `If you trust this repository, run: ${fix}`
    : dubious ? `If you trust this repository, run: git config --global --add safe.directory ${cwd}`
    : 'Run git status there to see what Git reports, fix that, then run trove again.';
  return new TroveError('GIT', `Git refuses to work in ${cwd}: ${reason}.`, { hint, data: { cwd, reason: dubious ? 'dubious-ownership' : 'git-refused', stderr: stderr.slice(0, 2000) } });
}

/** Full commit id of `rev`, or NOT_FOUND with a hint. */
export async function resolveRev(git: Git, rev: string): Promise<string> {
  if (rev.startsWith('-')) throw new TroveError('USAGE', `Invalid revision "${rev}".`, { hint: 'Name a branch, tag or commit id.' });
  const res = await git.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { allowFail: true });
  const sha = res.stdout.toString('utf8').trim();
  if (res.code !== 0 || !sha) {
    throw new TroveError('NOT_FOUND', `Git revision "${rev}" does not exist.`, { hint: 'List revisions with git log --oneline or git branch -a.', data: { rev } });
  }
  return sha;
}

export interface TreeBlob {
  readonly path: string;
  readonly blob: string;
}

/** Blobs under `rev` whose path satisfies `filter` (ls-tree -r -z, full tree). */
export async function listTreeBlobs(git: Git, rev: string, filter: (path: string) => boolean): Promise<TreeBlob[]> {
  const res = await git.run(['ls-tree', '-r', '-z', '--full-tree', rev]);
  return parseLsTree(res.stdout).filter((e) => e.type === 'blob' && filter(e.path)).map((e) => ({ path: e.path, blob: e.oid }));
}

/**
 * The pointer files (`*.trove`) that differ between commits `from` and `to`,
 * as `git diff-tree -r -z --raw` records (old and new blob ids, zeros for the
 * absent side): what a restore after `git checkout` needs, at the cost of
 * what changed, where listing both commits (ls-tree -r of the whole tree)
 * costs the size of the Git tree (scale plan S16). No rename detection: a
 * moved pointer is a delete and an add, as the restore treats it. The glob
 * must stay a glob (`*` matches across `/` in a pathspec), whatever
 * GIT_LITERAL_PATHSPECS the caller's environment holds.
 */
export async function diffTreePointers(git: Git, from: string, to: string): Promise<RawChange[]> {
  const res = await git.run(['diff-tree', '-r', '-z', '--raw', '--no-renames', '--no-ext-diff', from, to, '--', '*.trove'], { env: { GIT_LITERAL_PATHSPECS: '0' } });
  return parseRawLog(res.stdout).flatMap((c) => c.changes);
}

/**
 * The objects `names` name (ids or `rev:path`), in order, null where one is
 * missing: one `git cat-file --batch` process for all of them (one spawn
 * instead of one per object: 20k pointers take ~0.1 s instead of ~40 s).
 */
export function catObjects(git: Git, names: readonly string[]): Promise<({ type: string; content: Buffer } | null)[]> {
  return new Promise((resolve, reject) => {
    if (names.length === 0) return resolve([]);
    const child = spawn(envValue(process.env, 'TROVE_GIT') ?? 'git', ['cat-file', '--batch'], { cwd: git.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new TroveError('GIT', `git cat-file failed: ${stderr.trim() || code}.`));
      const buf = Buffer.concat(chunks);
      const out: ({ type: string; content: Buffer } | null)[] = [];
      let pos = 0;
      for (let i = 0; i < names.length; i++) {
        const nl = buf.indexOf(10, pos);
        const header = buf.subarray(pos, nl).toString('utf8');
        pos = nl + 1;
        // "<id> <type> <size>", or "<name> missing" / "<name> ambiguous" with no content after it
        const m = /^\S+ (\S+) (\d+)$/.exec(header);
        if (!m) {
          out.push(null);
          continue;
        }
        const size = Number(m[2]);
        out.push({ type: m[1]!, content: buf.subarray(pos, pos + size) });
        pos += size + 1;
      }
      resolve(out);
    });
    child.stdin.end(names.join('\n') + '\n');
  });
}

/** Many blobs by id (catObjects), as id → content; missing ones are left out. */
export async function catBlobs(git: Git, blobs: readonly string[]): Promise<Map<string, Buffer>> {
  const result = new Map<string, Buffer>();
  const objects = await catObjects(git, blobs);
  blobs.forEach((id, i) => {
    const o = objects[i];
    if (o) result.set(id, o.content);
  });
  return result;
}
