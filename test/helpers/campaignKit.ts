import { spawn, execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BIN } from './tmpRepo.js';

/**
 * The building blocks of the crash-and-fault campaign (test/helpers/crashCampaign.ts):
 * seeded randomness, data whose sha256 is known, the CLI run asynchronously so it
 * can be killed at a chosen moment, and the checks that classify a run.
 */

/** ok; corrupt (fsck finds a bad object, or data differs); lost (added or committed content cannot be recovered); stuck (the re-run fails, refuses, hangs or leaves trove's own temp files). */
export type Outcome = 'ok' | 'corrupt' | 'lost' | 'stuck';
const SEVERITY: Outcome[] = ['ok', 'stuck', 'corrupt', 'lost'];

export interface RunResult {
  outcome: Outcome;
  /** What went wrong, one line per finding (empty when ok). */
  findings: string[];
  /** Whether the operation was killed before it finished (kill scenarios). */
  killed?: boolean;
  killAfterMs?: number;
  /** Figures worth tracking that are not an outcome (e.g. bytes left in a remote's tmp/). */
  metrics?: Record<string, number>;
}

/** Collects findings during a run; the worst one decides the outcome. */
export class Verdict {
  readonly findings: string[] = [];
  outcome: Outcome = 'ok';
  metrics: Record<string, number> = {};
  add(outcome: Outcome, finding: string): void {
    this.findings.push(`${outcome}: ${finding}`);
    if (SEVERITY.indexOf(outcome) > SEVERITY.indexOf(this.outcome)) this.outcome = outcome;
  }
  result(extra: Partial<RunResult> = {}): RunResult {
    return { outcome: this.outcome, findings: this.findings, metrics: this.metrics, ...extra };
  }
}

/** mulberry32: a small, fast, seeded generator; the same seed replays the same campaign. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for one part (scenario, run) of a campaign, so one scenario replays alone with the same numbers. */
export function deriveSeed(seed: number, ...parts: (string | number)[]): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const c of parts.join('/')) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

export const randInt = (rng: () => number, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

/** Write `size` seeded pseudo-random bytes (AES-CTR keystream: fast enough for 512 MiB) and return their sha256. */
export function writeSeededFile(path: string, size: number, seed: number): string {
  mkdirSync(dirname(path), { recursive: true });
  const key = createHash('sha256').update(`trove-campaign-${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const hash = createHash('sha256');
  const zeros = Buffer.alloc(Math.min(size, 8 * 1024 * 1024));
  const fd = openSync(path, 'w');
  try {
    for (let left = size; left > 0; left -= zeros.length) {
      const block = cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
      writeSync(fd, block);
      hash.update(block);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export function hashFile(path: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Work-tree files (not .git, .trove, pointers or .gitignore): relative path → absolute path. */
export function listWorkFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (dir === root && (name === '.git' || name === '.trove')) continue;
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

/** trove's own temp files in the work tree (`.name.tmp-…`, `name.tmp-…`): never user data, never to be left behind. */
export function troveTempFiles(root: string): string[] {
  return listWorkFiles(root).filter((p) => /\.tmp-/.test(p));
}

/** Compare the work tree with what was written: the first few differences, or [] when every file is byte-identical. */
export function compareTree(root: string, expected: Record<string, string>): string[] {
  const diffs: string[] = [];
  for (const [path, sha] of Object.entries(expected)) {
    const abs = join(root, path);
    if (!existsSync(abs)) diffs.push(`${path} is missing`);
    else if (hashFile(abs) !== sha) diffs.push(`${path} differs from what was written`);
    if (diffs.length >= 3) break;
  }
  return diffs;
}

export interface Proc {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** We killed it (at killAfterMs) before it exited on its own. */
  killed: boolean;
  timedOut: boolean;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** kill -9 the trove process after this many ms (the git it started finishes on its own, as after `kill -9 PID`). */
  killAfterMs?: number;
  /** A hang is a failure: kill it after this many ms and report timedOut. */
  timeoutMs?: number;
}

/** Run the built CLI without blocking, so several can run at once and one can be killed at a chosen moment. */
export function trove(cwd: string, args: string[], options: RunOptions = {}): Promise<Proc> {
  const start = Date.now();
  // Its own process group, so that we can tell when the git processes it started have finished, and end them all on a hang.
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let killed = false;
  let timedOut = false;
  const killGroup = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const timers: NodeJS.Timeout[] = [];
  // Only trove itself is killed, as `kill -9 PID` does: killing its git children too (a power cut) leaves git's own
  // .git/index.lock, which git asks the user to remove; that is git's contract, not trove's.
  if (options.killAfterMs !== undefined) timers.push(setTimeout(() => ((killed = true), child.kill('SIGKILL')), options.killAfterMs));
  timers.push(setTimeout(() => ((timedOut = true), killGroup()), options.timeoutMs ?? 300_000));
  return new Promise((resolve) => {
    child.on('close', async (code, signal) => {
      timers.forEach(clearTimeout);
      // The re-run starts once the orphans of a killed run are gone (a user would not see them); 30 s at most.
      for (const until = Date.now() + 30_000; groupAlive(child.pid!) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 10));
      killGroup();
      resolve({ code, signal, stdout, stderr, ms: Date.now() - start, killed: killed && signal === 'SIGKILL', timedOut });
    });
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The JSON error of a `--json` run, or undefined. */
export function jsonError(p: Proc): { code?: string; message?: string; hint?: string } | undefined {
  try {
    return JSON.parse(p.stderr.trim().split('\n').pop() ?? '').error;
  } catch {
    return undefined;
  }
}

/** One line naming how a command failed: exit code, error code and its message. */
export function describeFailure(args: string[], p: Proc): string {
  if (p.timedOut) return `trove ${args.join(' ')} hung (killed after ${p.ms} ms)`;
  const e = jsonError(p);
  const text = e ? `${e.code}: ${e.message}` : p.stderr.trim().split('\n').slice(-2).join(' | ');
  return `trove ${args.join(' ')} exited ${p.code ?? p.signal}: ${text.slice(0, 300)}`;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** git init with an identity; then `trove init`. */
export async function initRepo(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  identify(dir);
  const r = await trove(dir, ['init']);
  if (r.code !== 0) throw new Error(describeFailure(['init'], r));
}

export function identify(dir: string): void {
  git(dir, 'config', 'user.email', 'campaign@example.com');
  git(dir, 'config', 'user.name', 'campaign');
  git(dir, 'config', 'commit.gpgsign', 'false');
}

/** cp -a (reflinks where the file system has them): a run starts from a copy of a prepared template. */
export function copyTree(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  execFileSync('cp', ['-a', '--reflink=auto', from, to]);
}

/** Bytes under a directory (0 when it does not exist). */
export function duBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const st = lstatSync(join(d, name));
      if (st.isDirectory()) walk(join(d, name));
      else total += st.size;
    }
  };
  walk(dir);
  return total;
}

/** Packs on a directory remote without the index that makes them readable. */
export function orphanPacks(remote: string): number {
  const dir = join(remote, 'packs');
  if (!existsSync(dir)) return 0;
  const names = new Set(readdirSync(dir));
  return [...names].filter((n) => n.endsWith('.pack') && !names.has(n.replace(/\.pack$/, '.idx'))).length;
}

export const fileSize = (p: string): number => statSync(p).size;

/** How big a campaign's data is: CI keeps the whole suite short, the soak uses the sizes of the issue. */
export interface Scale {
  /** The one large file of the add scenario. */
  largeBytes: number;
  /** The large file of every other scenario (checkout, push, pull, concurrency, full file systems). */
  mediumBytes: number;
  smallFiles: number;
  /** A command running longer than this is a hang. */
  timeoutMs: number;
}

/** What a scenario's run gets: its index, its own seeded generator, and a directory of its own. */
export interface RunInput {
  index: number;
  seed: number;
  rng: () => number;
  dir: string;
  scale: Scale;
}

/**
 * One scenario: `prepare` builds whatever every run starts from (once), `run`
 * does one seeded run and classifies it. Scenarios that need root (tmpfs) say so.
 */
export interface Scenario<S = any> {
  name: string;
  what: string;
  needsRoot?: boolean;
  prepare(base: string, scale: Scale): Promise<S>;
  run(state: S, input: RunInput): Promise<RunResult>;
}

/** Run `args` in `dir` after a kill -9 at `killAfterMs`: the re-run must complete. Returns whether it did. */
export async function killThenRerun(dir: string, args: string[], killAfterMs: number, scale: Scale, v: Verdict, env: NodeJS.ProcessEnv = {}): Promise<{ killed: boolean; completed: boolean }> {
  const first = await trove(dir, ['--json', ...args], { killAfterMs, timeoutMs: scale.timeoutMs, env });
  if (first.timedOut) v.add('stuck', describeFailure(args, first));
  else if (!first.killed && first.code !== 0) v.add('stuck', `before any kill: ${describeFailure(args, first)}`);
  const again = await trove(dir, ['--json', ...args], { timeoutMs: scale.timeoutMs, env });
  if (again.code !== 0) v.add('stuck', `re-run: ${describeFailure(args, again)}`);
  return { killed: first.killed, completed: again.code === 0 };
}

/**
 * The checks after a re-run: a clean fsck (else corrupt), every file byte-identical to what was
 * written (else corrupt), no trove temp file left in the work tree and a clean status (else stuck),
 * and, with `recover`, those paths deleted and checked out again from the local store alone
 * (else lost: content that was added is gone).
 */
export async function checkRepo(dir: string, expected: Record<string, string>, scale: Scale, v: Verdict, recover: string[] = []): Promise<void> {
  const fsck = await trove(dir, ['--json', 'fsck'], { timeoutMs: scale.timeoutMs });
  if (fsck.code !== 0) v.add('corrupt', describeFailure(['fsck'], fsck) + ` ${fsck.stdout.slice(0, 300)}`);
  for (const d of compareTree(dir, expected)) v.add('corrupt', d);
  // Temp files inside the store are invisible to the user; counted, since a killed writer leaves them until gc.
  const cache = join(dir, '.trove/cache');
  if (existsSync(cache)) v.metrics.storeTempFiles = listWorkFiles(cache).filter((p) => /\.tmp-/.test(p)).length;
  const temps = troveTempFiles(dir);
  if (temps.length) v.add('stuck', `trove temp files left in the work tree: ${temps.slice(0, 3).join(', ')}${temps.length > 3 ? ` (+${temps.length - 3})` : ''}`);
  const status = await trove(dir, ['--json', 'status'], { timeoutMs: scale.timeoutMs });
  if (status.code !== 0) v.add('stuck', describeFailure(['status'], status));
  else {
    const r = JSON.parse(status.stdout).result;
    if (!r.clean) v.add('stuck', `status not clean: ${r.artifacts.filter((a: any) => a.state !== 'clean').slice(0, 3).map((a: any) => `${a.path} ${a.state}`).join(', ')}`);
  }
  if (recover.length === 0) return;
  for (const p of recover) rmSync(join(dir, p), { recursive: true, force: true });
  const back = await trove(dir, ['--json', 'checkout', '--no-fetch', ...recover], { timeoutMs: scale.timeoutMs });
  if (back.code !== 0) v.add('lost', `from the store: ${describeFailure(['checkout', '--no-fetch'], back)}`);
  else for (const d of compareTree(dir, expected)) v.add('lost', `from the store: ${d}`);
}
