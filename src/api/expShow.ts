import { type CheckpointRecord, type ExperimentRecord } from '../core/experimentRecord.js';
import { bestCheckpoint, latestCheckpoint } from '../core/runSummary.js';
import { resolveId } from '../experiments/expRuns.js';
import { readRun } from '../experiments/readRuns.js';
import type { Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export interface ExpShowExperiment extends ExperimentRecord {
  readonly status: string;
  readonly updated: string;
  readonly pid: number | null;
  readonly checkpoints: readonly CheckpointRecord[];
  /** ids of the best (by the primary metric) and latest checkpoints */
  readonly best: string | null;
  readonly latest: string | null;
  /** objects of this run not yet on the remote (a stop() that timed out, a remote that was down): trove exp push sends them */
  readonly unpushed: number;
}

export type ExpShowResult =
  | { readonly experiment: ExpShowExperiment }
  | { readonly checkpoint: CheckpointRecord & { readonly experiment: string; readonly primary_metric: ExperimentRecord['primary_metric']; readonly best: boolean } };

/**
 * An experiment (its record, status and checkpoints) or one checkpoint,
 * named by a unique id prefix (≥ 4 hex digits; an ambiguous one is USAGE
 * with the candidates in `data.candidates`). A live run's journal is folded in.
 *
 * @example
 *   const r = await expShow(repo, { id: '3f2a' });
 */
export async function expShow(repo: Repo, options: { readonly id: string }): Promise<ExpShowResult> {
  checkOptions('expShow', repo, options, { id: 'string' });
  const found = await resolveId(repo, options.id);
  const run = await readRun(repo, found.kind === 'experiment' ? found.id : found.experiment);
  const best = bestCheckpoint(run.checkpoints, run.experiment.primary_metric);
  if (found.kind === 'checkpoint') {
    const c = run.checkpoints.find((x) => x.id === found.id)!;
    return { checkpoint: { ...c, experiment: run.experiment.id, primary_metric: run.experiment.primary_metric, best: best?.id === c.id } };
  }
  return {
    experiment: {
      ...run.experiment,
      status: run.status.status,
      updated: run.status.updated,
      pid: run.status.pid,
      checkpoints: run.checkpoints,
      best: best?.id ?? null,
      latest: latestCheckpoint(run.checkpoints)?.id ?? null,
      unpushed: run.unpushed,
    },
  };
}
