import type { CheckpointRecord, ExperimentRecord } from '../core/experimentRecord.js';
import { openRepo, type Repo } from '../workspace/Repo.js';
import { ExperimentSession, type CheckpointOptions, type InitRunOptions, type SessionOptions, type StopResult } from './experimentSession.js';

/** A live run from TypeScript (the same semantics as `trove exp serve`, in process). */
export interface Experiment {
  readonly id: string;
  readonly record: ExperimentRecord;
  /** Store `path` (if any) in the local store and record the checkpoint; uploads go on in the background. */
  checkpoint(options?: CheckpointOptions): Promise<CheckpointRecord>;
  /** Stop the run, waiting up to `timeoutMs` (default 60 s) for background uploads. */
  stop(options?: { timeoutMs?: number; progress?: (left: number, remote: string) => void }): Promise<StopResult>;
}

/**
 * Start a run in the repository: records params, the code (HEAD plus the
 * uncommitted changes under `path`), the command, host, user and the tracked
 * data's versions.
 *
 * @example
 *   const exp = await initExperiment({ cwd: '.' }, { path: '.', params: { lr: 0.01 } });
 *   await exp.checkpoint({ path: 'model.bin', step: 1, metrics: { loss: 0.3 }, primaryMetric: ['loss', 'minimize'] });
 *   await exp.stop();
 */
export async function initExperiment(where: Repo | { cwd?: string }, options: InitRunOptions & SessionOptions = {}): Promise<Experiment> {
  const repo = 'store' in where ? where : await openRepo(where.cwd ? { cwd: where.cwd } : {});
  const session = new ExperimentSession(repo, options.remote === undefined ? (options.retryMs ? { retryMs: options.retryMs } : {}) : { remote: options.remote, ...(options.retryMs ? { retryMs: options.retryMs } : {}) });
  const record = await session.init(options);
  return {
    id: record.id,
    record,
    checkpoint: (o = {}) => session.checkpoint(record.id, o),
    async stop(o = {}) {
      try {
        return await session.stop(record.id, o);
      } finally {
        session.uploader?.close();
      }
    },
  };
}
