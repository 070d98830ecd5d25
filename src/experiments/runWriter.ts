import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { TroveError, isTroveError } from '../errors/index.js';
import type { Git } from '../platform/git.js';
import { EXPERIMENT_FILES, experimentRef, newExperimentId, normalizeExperiment, serializeCheckpoints, serializeExperiment, serializeStatus, type CheckpointRecord, type ExperimentRecord, type JournalEvent, type PrimaryMetric, type RunState, type RunStatus, type RunSummary, type StoredData } from '../core/experimentRecord.js';
import { foldJournal, serializeJournalEvent } from '../core/experimentJournal.js';
import { serializeCommitMessage, summarizeRun } from '../core/runSummary.js';
import { correctStatus, journalDir, journalPath, listJournalIds, readJournal, readRunTree, type ExperimentContext } from './readRuns.js';

/** The ref moves at most this often while a run is live (and at stop). */
export const FLUSH_INTERVAL_MS = 1000;

export interface RunWriterOptions {
  /** fsync each journal line (default false: a killed process loses nothing, only a power cut could) */
  readonly fsync?: boolean;
  readonly flushIntervalMs?: number;
  /** a background ref update failed (the journal still has everything) */
  readonly onFlushError?: (err: unknown) => void;
}

export interface NewCheckpoint {
  readonly step: number | null;
  readonly metrics: Record<string, unknown>;
  readonly path: string | null;
  readonly data: StoredData | null;
  readonly primaryMetric: PrimaryMetric | null;
}

/**
 * The writer of one live run. Every event goes to the run's journal before
 * the call returns (so an acknowledged checkpoint survives a kill -9); the
 * run's ref moves at most once per flush interval and at stop, with a
 * compare-and-swap update-ref, never under the repository lock: runs in one
 * repository touch only their own ref and journal.
 */
export class RunWriter {
  private state: RunState;
  private commit: string | null = null;
  private fd: number | null;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private dirty = false;
  private lastFlush = 0;
  private closed = false;

  private constructor(
    private readonly ctx: ExperimentContext,
    experiment: ExperimentRecord,
    private readonly options: RunWriterOptions,
  ) {
    this.state = { experiment, checkpoints: [], status: { status: 'running', updated: experiment.created, pid: process.pid, host: hostname() } };
    mkdirSync(journalDir(ctx), { recursive: true });
    this.fd = openSync(journalPath(ctx, experiment.id), 'a', 0o644);
  }

  /** Start a run: journal its record, then create its ref (before returning, so `exp ls` sees it at once). */
  static async start(ctx: ExperimentContext, experiment: Omit<ExperimentRecord, 'id' | 'created' | 'trove-experiment'> & { id?: string; created?: string }, options: RunWriterOptions = {}): Promise<RunWriter> {
    await recoverCrashedRuns(ctx).catch(() => undefined); // tidying older crashed runs must not stop a new one; their journals stay and the next run's start folds them
    const record: ExperimentRecord = normalizeExperiment({ ...experiment, 'trove-experiment': 1, id: experiment.id ?? newExperimentId(), created: experiment.created ?? new Date().toISOString() });
    const w = new RunWriter(ctx, record, options);
    w.append([{ event: 'init', experiment: record }, { event: 'status', status: w.state.status }]);
    w.dirty = true;
    await w.flush();
    return w;
  }

  get id(): string {
    return this.state.experiment.id;
  }

  get experiment(): ExperimentRecord {
    return this.state.experiment;
  }

  get run(): RunState {
    return this.state;
  }

  summary(): RunSummary {
    return summarizeRun(this.state);
  }

  /** Record a checkpoint whose data is already in the local store; returns once it is in the journal. */
  addCheckpoint(c: NewCheckpoint): CheckpointRecord {
    this.assertOpen();
    const record: CheckpointRecord = { id: newExperimentId(), step: c.step, created: new Date().toISOString(), metrics: c.metrics, path: c.path, data: c.data };
    const event: JournalEvent = { event: 'checkpoint', checkpoint: record, primary_metric: c.primaryMetric };
    this.append([event]);
    this.state = foldJournal(this.state, [event])!;
    this.dirty = true;
    this.schedule();
    return record;
  }

  /** Stop: journal the final status, move the ref, remove the journal. */
  async stop(status: RunStatus = 'stopped'): Promise<RunSummary> {
    if (this.closed) return this.summary();
    const event: JournalEvent = { event: 'status', status: { status, updated: new Date().toISOString(), pid: process.pid, host: hostname() } };
    this.append([event]);
    this.state = foldJournal(this.state, [event])!;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dirty = true;
    await this.flush();
    closeSync(this.fd!);
    this.fd = null;
    rmSync(journalPath(this.ctx, this.id), { force: true });
    return this.summary();
  }

  private assertOpen(): void {
    if (this.closed) throw new TroveError('USAGE', `Experiment ${this.id} is stopped.`, { hint: 'Start a new run with init().', data: { experiment: this.id, reason: 'stopped' } });
  }

  private append(events: readonly JournalEvent[]): void {
    const text = events.map(serializeJournalEvent).join('');
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd!, buf, off);
    if (this.options.fsync) fsyncSync(this.fd!);
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const interval = this.options.flushIntervalMs ?? FLUSH_INTERVAL_MS;
    const wait = Math.max(0, this.lastFlush + interval - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((err) => this.options.onFlushError?.(err));
    }, wait);
    this.timer.unref?.();
  }

  /** Move the ref to the current state (one at a time; a flush requested meanwhile runs after). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.dirty) return;
    this.dirty = false;
    const state = this.state;
    this.flushing = (async () => {
      try {
        this.commit = await commitRun(this.ctx.git, state, this.commit);
        this.lastFlush = Date.now();
      } catch (err) {
        this.dirty = true;
        throw err;
      } finally {
        this.flushing = null;
      }
    })();
    await this.flushing;
    if (this.dirty && !this.closed) this.schedule();
  }
}

let identityEnv: Promise<NodeJS.ProcessEnv> | null = null;

/** Git wants an identity for commit-tree; a machine without one still records runs (as "trove"). */
function commitEnv(git: Git): Promise<NodeJS.ProcessEnv> {
  identityEnv ??= git.run(['var', 'GIT_COMMITTER_IDENT'], { allowFail: true }).then((r) =>
    r.code === 0 ? {} : { GIT_AUTHOR_NAME: 'trove', GIT_AUTHOR_EMAIL: 'trove@localhost', GIT_COMMITTER_NAME: 'trove', GIT_COMMITTER_EMAIL: 'trove@localhost' },
  );
  return identityEnv;
}

/**
 * Write the run's three files as a commit on top of `parent` and move the
 * run's ref from `parent` to it (compare-and-swap; null = the ref must not
 * exist). Returns the new commit. The ref moved by someone else is a GIT
 * error with data.reason 'ref-moved'.
 */
export async function commitRun(git: Git, state: RunState, parent: string | null): Promise<string> {
  const blob = async (text: string): Promise<string> => (await git.run(['hash-object', '-w', '--stdin'], { input: text })).stdout.toString('utf8').trim();
  const [c, e, s] = await Promise.all([blob(serializeCheckpoints(state.checkpoints)), blob(serializeExperiment(state.experiment)), blob(serializeStatus(state.status))]);
  // mktree wants the entries in Git's order: checkpoints.jsonl < experiment.json < status.json
  const mk = `100644 blob ${c}\t${EXPERIMENT_FILES.checkpoints}\n100644 blob ${e}\t${EXPERIMENT_FILES.experiment}\n100644 blob ${s}\t${EXPERIMENT_FILES.status}\n`;
  const tree = (await git.run(['mktree'], { input: mk })).stdout.toString('utf8').trim();
  const env = await commitEnv(git);
  const commit = (await git.run(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'], { input: serializeCommitMessage(summarizeRun(state)), env })).stdout.toString('utf8').trim();
  const ref = experimentRef(state.experiment.id);
  const res = await git.run(['update-ref', '-m', `trove experiment ${state.status.status}`, ref, commit, parent ?? ''], { allowFail: true });
  if (res.code !== 0) {
    throw new TroveError('GIT', `${ref} moved while trove was recording the run; nothing was changed.`, {
      hint: 'Another trove process is writing this run (or it was removed with trove exp rm).',
      data: { ref, expected: parent, reason: 'ref-moved', stderr: res.stderr.slice(0, 2000) },
    });
  }
  return commit;
}

/**
 * Fold the journals of runs whose writer died (running, pid not alive on this
 * host) or that finished without tidying up into their refs, marked crashed,
 * and remove those journals. Live runs are left alone. Returns the ids folded.
 */
export async function recoverCrashedRuns(ctx: ExperimentContext): Promise<string[]> {
  const done: string[] = [];
  for (const id of listJournalIds(ctx)) {
    try {
      const refRes = await ctx.git.run(['rev-parse', '--verify', '--quiet', `${experimentRef(id)}^{commit}`], { allowFail: true });
      const commit = refRes.code === 0 ? refRes.stdout.toString('utf8').trim() : null;
      const base = commit ? await readRunTree(ctx.git, commit) : null;
      const state = foldJournal(base, readJournal(ctx, id));
      if (!state) continue;
      const corrected = correctStatus(state.status);
      if (state.status.status === 'running' && corrected.status === 'running') continue; // alive, or another host's
      if (state.status.status === 'running' && state.status.pid === null) continue;
      const final: RunState = corrected.status === state.status.status ? state : { ...state, status: { ...corrected, updated: new Date().toISOString() } };
      await commitRun(ctx.git, final, commit);
      rmSync(journalPath(ctx, id), { force: true });
      done.push(id);
    } catch (err) {
      if (isTroveError(err, 'GIT') && err.data?.reason === 'ref-moved') continue; // another process recovered it
      throw err;
    }
  }
  return done;
}
