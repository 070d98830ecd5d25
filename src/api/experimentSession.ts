import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { atomicWriteSync } from '../util/atomicWriteSync.js';
import { hostname, userInfo } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { TroveError, isTroveError } from '../errors/index.js';
import { formatOid, parseOid } from '../core/oid.js';
import { checkRepoPath } from '../core/repoPath.js';
import { parsePrimaryMetric, type CheckpointRecord, type DataLineage, type ExperimentCode, type ExperimentRecord, type PrimaryMetric, type RunSummary, type StoredData } from '../core/experimentRecord.js';
import { encodeFloats } from '../core/jsonFloats.js';
import { RunWriter } from '../experiments/runWriter.js';
import { storeFileList, storePath } from '../experiments/storeCheckpoint.js';
import { journalDir, unpushedPath } from '../experiments/readRuns.js';
import { listWorkArtifacts } from '../workspace/pointers/pointers.js';
import { openRepo, saveCaches, type Repo } from '../workspace/Repo.js';
import { resolveRemoteName } from '../sync/remoteConfig.js';
import { IgnoreRules } from '../workspace/scan/troveIgnore.js';
import { push } from './push.js';

export interface InitRunOptions {
  /** the code to record, relative to the repository's cwd (default '.') */
  readonly path?: string;
  readonly params?: Record<string, unknown>;
  /** argv of the training script (default: this process's) */
  readonly command?: readonly string[];
  readonly python?: string | null;
  readonly packages?: Record<string, string>;
  readonly primaryMetric?: PrimaryMetric | readonly [string, string] | null;
  /**
   * The status a run still live when the session closes (EOF on the protocol) gets: 'stopped'
   * (default: the script ended without stop()), or 'crashed' for clients that send stop from an
   * exit hook, so that EOF without it means the script was killed.
   */
  readonly eofStatus?: 'stopped' | 'crashed';
}

export interface CheckpointOptions {
  /** a file or directory, relative to the repository's cwd; null/undefined = metrics only */
  readonly path?: string | null;
  readonly step?: number | null;
  readonly metrics?: Record<string, unknown> | null;
  readonly primaryMetric?: PrimaryMetric | readonly [string, string] | null;
}

export interface StopResult {
  readonly experiment: RunSummary;
  /** every checkpoint's data is on the remote (false without a remote) */
  readonly pushed: boolean;
  /** uploads still pending (left for trove exp push) */
  readonly pending: number;
  /** the remote uploads go to, or null */
  readonly remote: string | null;
}

export interface SessionOptions {
  /** remote for background uploads: a name, null = none, undefined = the default remote if one is configured */
  readonly remote?: string | null;
  /** ms between retries of a failed upload (first; doubles up to 30 s) */
  readonly retryMs?: number;
}

interface Upload {
  readonly run: string;
  readonly data: StoredData;
  readonly what: string;
}

/**
 * Uploads checkpoint data to a remote in the background with the ordinary
 * push machinery; never awaited by a checkpoint. A failure (remote down) is
 * retried with backoff; what is still pending when a run stops is recorded
 * for `trove exp push`.
 */
export class BackgroundUploader {
  private readonly pending = new Map<string, Upload>();
  private running: Promise<void> | null = null;
  private failures = 0;
  private wake: (() => void) | null = null;
  lastError: unknown = null;
  private closed = false;

  constructor(
    private readonly repo: Repo,
    readonly remote: string,
    private readonly retryMs = 1000,
  ) {}

  add(run: string, data: StoredData, what: string): void {
    this.pending.set(`${run}:${data.kind}:${data.oid}`, { run, data, what });
    this.kick();
  }

  pendingFor(run: string): Upload[] {
    return [...this.pending.values()].filter((u) => u.run === run);
  }

  private kick(): void {
    this.wake?.();
    if (this.running || this.closed) return;
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.pending.size && !this.closed) this.kick();
    });
  }

  private async loop(): Promise<void> {
    while (this.pending.size && !this.closed) {
      const batch = [...this.pending.entries()];
      try {
        await push(this.repo, { remote: this.remote, artifacts: batch.map(([, u]) => ({ kind: u.data.kind, oid: parseOid(u.data.oid, u.what), what: u.what })) });
        for (const [k, u] of batch) if (this.pending.get(k) === u) this.pending.delete(k);
        this.failures = 0;
        this.lastError = null;
      } catch (err) {
        this.lastError = err;
        this.failures++;
        const wait = Math.min(30_000, this.retryMs * 2 ** (this.failures - 1));
        await new Promise<void>((res) => {
          const t = setTimeout(res, wait);
          t.unref?.();
          this.wake = () => {
            clearTimeout(t);
            res();
          };
        });
        this.wake = null;
      }
    }
  }

  /** Wait until run's uploads are done or `timeoutMs` passed; `progress(left)` about once a second. */
  async waitFor(run: string, timeoutMs: number, progress?: (left: number) => void): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let lastReport = 0;
    for (;;) {
      const left = this.pendingFor(run).length;
      if (left === 0 || Date.now() >= deadline) return left;
      if (Date.now() - lastReport >= 1000) {
        progress?.(left);
        lastReport = Date.now();
      }
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))));
    }
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }
}

/**
 * Live runs of one process (the `trove exp serve` child, or a TS script):
 * init / checkpoint / stop with the semantics of docs/experiments.md. A
 * checkpoint returns once its data is in the LOCAL store and journalled;
 * uploads to the remote happen in the background.
 */
export class ExperimentSession {
  private readonly runs = new Map<string, RunWriter>();
  /** the status close() gives each live run (init's eofStatus) */
  private readonly eofStatus = new Map<string, 'stopped' | 'crashed'>();
  readonly uploader: BackgroundUploader | null;
  /** background ref updates that failed (the journal still has everything) */
  readonly flushErrors: unknown[] = [];

  constructor(
    readonly repo: Repo,
    options: SessionOptions = {},
  ) {
    let remote: string | null = null;
    if (options.remote !== null) {
      try {
        remote = resolveRemoteName(repo, options.remote ?? undefined);
      } catch (err) {
        if (options.remote !== undefined) throw err;
        remote = null; // no default remote: runs stay local until trove exp push
      }
    }
    this.uploader = remote ? new BackgroundUploader(repo, remote, options.retryMs) : null;
  }

  static async open(cwd?: string, options: SessionOptions = {}): Promise<ExperimentSession> {
    return new ExperimentSession(await openRepo(cwd ? { cwd } : {}), options);
  }

  liveRuns(): string[] {
    return [...this.runs.keys()];
  }

  async init(options: InitRunOptions = {}): Promise<ExperimentRecord> {
    const params = checkObject(options.params ?? {}, 'params');
    const path = options.path ?? '.';
    const repoPath = toRunPath(this.repo, path, true);
    const code = await captureCode(this.repo, repoPath);
    const data = await captureLineage(this.repo);
    const writer = await RunWriter.start(
      this.repo,
      {
        params,
        command: [...(options.command ?? process.argv)],
        host: hostname(),
        user: currentUser(),
        python: options.python ?? null,
        packages: { ...(options.packages ?? {}) },
        code,
        data,
        primary_metric: parsePrimaryMetric(options.primaryMetric ?? null),
      },
      { onFlushError: (err) => this.flushErrors.push(err) },
    );
    this.runs.set(writer.id, writer);
    if (options.eofStatus === 'crashed') this.eofStatus.set(writer.id, 'crashed');
    if (code.dirty && this.uploader) {
      // re-key the code upload under the run, so stop() waits for it too
      this.uploader.add(writer.id, code.dirty, `code of ${repoPath}`);
    }
    return writer.experiment;
  }

  private writer(id: unknown): RunWriter {
    if (typeof id !== 'string') throw new TroveError('USAGE', 'The request names no experiment.', { hint: 'Pass the id init returned.', data: { reason: 'no-experiment' } });
    const w = this.runs.get(id) ?? [...this.runs.values()].find((r) => id.length >= 4 && r.id.startsWith(id.toLowerCase()));
    if (!w) throw new TroveError('NOT_FOUND', `Experiment ${id} is not live in this process.`, { hint: 'Call init first; a stopped run takes no more checkpoints.', data: { experiment: id } });
    return w;
  }

  async checkpoint(id: string, options: CheckpointOptions = {}): Promise<CheckpointRecord> {
    const w = this.writer(id);
    const metrics = checkObject(options.metrics ?? {}, 'metrics');
    const step = options.step ?? null;
    if (step !== null && (typeof step !== 'number' || !Number.isSafeInteger(step))) {
      throw new TroveError('USAGE', `step must be a whole number or null, not ${JSON.stringify(encodeFloats(step))}.`, { hint: 'Pass step=epoch.', data: { step: encodeFloats(step) as unknown } });
    }
    const primaryMetric = parsePrimaryMetric(options.primaryMetric ?? null);
    let data: StoredData | null = null;
    let repoPath: string | null = null;
    if (options.path !== null && options.path !== undefined) {
      if (typeof options.path !== 'string' || options.path === '') throw new TroveError('USAGE', 'path must be a file or directory name.', { data: { path: String(options.path) } });
      repoPath = toRunPath(this.repo, options.path, false);
      data = await storePath({ store: this.repo.store, jobs: this.repo.config.core.jobs }, join(this.repo.root, ...repoPath.split('/')), repoPath);
    }
    const record = w.addCheckpoint({ step, metrics, path: repoPath, data, primaryMetric });
    if (data) this.uploader?.add(w.id, data, `${repoPath} (checkpoint ${record.id.slice(0, 8)})`);
    return record;
  }

  async stop(id: string, options: { timeoutMs?: number; progress?: (left: number, remote: string) => void; status?: 'stopped' | 'crashed' } = {}): Promise<StopResult> {
    const w = this.writer(id);
    const summary = await w.stop(options.status ?? 'stopped');
    this.runs.delete(w.id);
    saveCaches(this.repo);
    if (!this.uploader) return { experiment: summary, pushed: false, pending: 0, remote: null };
    const left = await this.uploader.waitFor(w.id, options.timeoutMs ?? 60_000, (n) => options.progress?.(n, this.uploader!.remote));
    const pending = this.uploader.pendingFor(w.id);
    if (left > 0) {
      mkdirSync(journalDir(this.repo), { recursive: true });
      // Temp and rename: a crash mid-write must not leave a torn file that reads as nothing pending.
      atomicWriteSync(unpushedPath(this.repo, w.id), JSON.stringify({ remote: this.uploader.remote, oids: pending.map((p) => p.data.oid) }) + '\n');
    } else {
      rmSync(unpushedPath(this.repo, w.id), { force: true });
    }
    return { experiment: summary, pushed: left === 0, pending: left, remote: this.uploader.remote };
  }

  /** Stop every live run (EOF on the protocol: the script ended without stop()). */
  async close(options: { timeoutMs?: number; progress?: (left: number, remote: string) => void } = {}): Promise<void> {
    for (const id of [...this.runs.keys()]) {
      await this.stop(id, { ...options, status: this.eofStatus.get(id) ?? 'stopped' }).catch((err: unknown) => {
        // Nothing is lost: the run's journal keeps every checkpoint, and `trove exp ls` folds it in and shows
        // the run crashed once this process is gone. The other runs must still be stopped, so say it and go on.
        this.repo.reporter.warn(`The run ${id} could not be stopped cleanly (${err instanceof Error ? err.message : String(err)}); its journal keeps its checkpoints and trove exp ls will show it as crashed.`, { id });
      });
    }
    this.uploader?.close();
  }
}

function checkObject(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new TroveError('USAGE', `${what} must be a mapping of names to values.`, { hint: `Pass ${what}={"name": value}.`, data: { what } });
  }
  return v as Record<string, unknown>;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // no passwd entry for this uid (containers): fall back to the environment's user name
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** A path relative to the repository's cwd as a repository path ('.' only where allowed). */
function toRunPath(repo: Repo, input: string, allowRoot: boolean): string {
  const abs = resolve(repo.cwd, input);
  const rel = relative(repo.root, abs);
  if (rel === '') {
    if (allowRoot) return '.';
    throw new TroveError('USAGE', `"${input}" is the repository root; checkpoint a file or directory inside it.`, { data: { path: input } });
  }
  if (rel.startsWith('..') || resolve(repo.root, rel) !== abs) {
    throw new TroveError('USAGE', `"${input}" is outside the repository ${repo.root}.`, { hint: 'Save checkpoints inside the repository.', data: { path: input } });
  }
  const posix = rel.split(sep).join('/');
  if (posix === '.trove' || posix.startsWith('.trove/') || posix === '.git' || posix.startsWith('.git/')) {
    throw new TroveError('USAGE', `"${input}" is inside ${posix.split('/')[0]}.`, { data: { path: input } });
  }
  checkRepoPath(posix, 'the checkpoint path');
  return posix;
}

/**
 * The code as it runs: HEAD, plus the uncommitted changes under `path`
 * (modified and untracked files, honouring .gitignore and .troveignore)
 * stored as a directory object whose entries are repository paths.
 */
export async function captureCode(repo: Repo, path: string): Promise<ExperimentCode> {
  const head = await repo.git.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { allowFail: true });
  const commit = head.code === 0 ? head.stdout.toString('utf8').trim() || null : null;
  const res = await repo.git.run(['ls-files', '-z', '--modified', '--others', '--exclude-standard', '--deduplicate', '--', path === '.' ? '.' : `:(literal)${path}`]);
  const rules = new IgnoreRules(repo.root);
  const files = [...new Set(res.stdout.toString('utf8').split('\0').filter(Boolean))]
    .filter((p) => !p.startsWith('.trove/') && !p.startsWith('.git/'))
    .filter((p) => {
      const dir = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
      if (IgnoreRules.ignored(rules.levels(dir), p, false)) return false;
      try {
        return lstatSync(join(repo.root, ...p.split('/'))).isFile();
      } catch {
        return false; // deleted: the commit has it, nothing to store
      }
    })
    .sort();
  // Tracked files deleted in the work tree are uncommitted changes too: `exp checkout --code` must not bring them back.
  const gone = await repo.git.run(['ls-files', '-z', '--deleted', '--', path === '.' ? '.' : `:(literal)${path}`]);
  const deletedPaths = [...new Set(gone.stdout.toString('utf8').split('\0').filter(Boolean))].filter((p) => !p.startsWith('.trove/') && !p.startsWith('.git/')).sort();
  const deleted = deletedPaths.length ? { deleted: deletedPaths } : {};
  if (files.length === 0) return { commit, path, dirty: null, ...deleted };
  const dirty = await storeFileList({ store: repo.store, jobs: repo.config.core.jobs }, files.map((p) => ({ path: p, abs: join(repo.root, ...p.split('/')) })));
  return { commit, path, dirty, ...deleted };
}

/** The versions of the tracked data in the work tree (lineage). */
export async function captureLineage(repo: Repo): Promise<DataLineage[]> {
  try {
    const arts = await listWorkArtifacts(repo);
    return arts.map((a) => ({ path: a.path, kind: a.pointer.kind, oid: formatOid(a.pointer.oid) })).sort((a, b) => (a.path < b.path ? -1 : 1));
  } catch (err) {
    if (isTroveError(err)) return []; // an invalid pointer does not stop training
    throw err;
  }
}

