import { type CheckpointRecord, type DataLineage, type ExperimentCode, type PrimaryMetric, type RunStatus } from '../core/experimentRecord.js';
import { bestCheckpoint, latestCheckpoint } from '../core/runSummary.js';
import { checkpointStoreBytes, type CheckpointStoreBytes } from '../experiments/checkpointStoreBytes.js';
import { resolveId } from '../experiments/expRuns.js';
import { readRun } from '../experiments/readRuns.js';
import type { Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export interface RunDetailCheckpoint extends CheckpointRecord {
  /** what this checkpoint added to and needs in the local store (see CheckpointStoreBytes) */
  readonly store: CheckpointStoreBytes;
}

export interface RunDetailResult {
  readonly id: string;
  readonly created: string;
  readonly params: Record<string, unknown>;
  readonly environment: { readonly host: string; readonly user: string; readonly python: string | null; readonly packages: Record<string, string>; readonly command: readonly string[] };
  readonly code: ExperimentCode;
  /** tracked data the run started from (lineage) */
  readonly data: readonly DataLineage[];
  readonly status: { readonly status: RunStatus; readonly updated: string; readonly pid: number | null };
  readonly primary_metric: PrimaryMetric | null;
  /** ids of the best checkpoint (by the primary metric) and the latest */
  readonly best: string | null;
  readonly latest: string | null;
  readonly checkpoints: readonly RunDetailCheckpoint[];
  /** sums over the checkpoints: bytes they added to the store, and their data's logical size */
  readonly totals: { readonly added: number; readonly dataSize: number; readonly complete: boolean };
}

/**
 * One run as its page in `trove ui` shows it: params, environment, code,
 * status, and every checkpoint with its metrics, data and the bytes it added
 * to the local store (new store files no earlier checkpoint of the run, its
 * code snapshot or its input data needed). `id` is a run id or a unique
 * prefix (a checkpoint id names its run).
 *
 * @example
 *   const run = await runDetail(repo, { id: '3f2a' });
 *   for (const c of run.checkpoints) console.log(c.step, c.store.added);
 */
export async function runDetail(repo: Repo, options: { readonly id: string }): Promise<RunDetailResult> {
  checkOptions('runDetail', repo, options, { id: 'string' });
  const found = await resolveId(repo, options.id);
  const run = await readRun(repo, found.kind === 'experiment' ? found.id : found.experiment);
  const e = run.experiment;
  const bytes = checkpointStoreBytes(repo.store, run);
  const checkpoints = run.checkpoints.map((c, i) => ({ ...c, store: bytes[i]! }));
  return {
    id: e.id,
    created: e.created,
    params: e.params,
    environment: { host: e.host, user: e.user, python: e.python, packages: e.packages, command: e.command },
    code: e.code,
    data: e.data,
    status: { status: run.status.status, updated: run.status.updated, pid: run.status.pid },
    primary_metric: e.primary_metric,
    best: bestCheckpoint(run.checkpoints, e.primary_metric)?.id ?? null,
    latest: latestCheckpoint(run.checkpoints)?.id ?? null,
    checkpoints,
    totals: {
      added: bytes.reduce((s, b) => s + b.added, 0),
      dataSize: run.checkpoints.reduce((s, c) => s + (c.data?.size ?? 0), 0),
      complete: bytes.every((b) => b.complete),
    },
  };
}
