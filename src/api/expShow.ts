import { readRunTree, resolveId, type CheckpointRecord, type ExperimentRecord, type RunTree } from '../experiments/expRuns.js';
import type { Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export type ExpShowResult =
  | { readonly experiment: ExperimentRecord & { readonly status: string; readonly updated: string; readonly checkpoints: CheckpointRecord[]; readonly best: string | null; readonly latest: string | null } }
  | { readonly checkpoint: CheckpointRecord & { readonly experiment: string; readonly primary_metric: ExperimentRecord['primary_metric']; readonly best: boolean } };

/**
 * An experiment (its record, status and checkpoints) or one checkpoint,
 * named by a unique id prefix (≥ 4 hex characters; an ambiguous one is
 * USAGE with the candidates in `data.candidates`).
 *
 * @example
 *   const r = await expShow(repo, { id: '3f2a' });
 */
export async function expShow(repo: Repo, options: { readonly id: string }): Promise<ExpShowResult> {
  checkOptions('expShow', repo, options, { id: 'string' });
  const found = await resolveId(repo.git, options.id);
  const run = await readRunTree(repo.git, found.kind === 'experiment' ? found.id : found.experiment);
  if (found.kind === 'checkpoint') {
    const c = run.checkpoints.find((x) => x.id === found.id)!;
    return { checkpoint: { ...c, experiment: run.experiment.id, primary_metric: primaryMetric(run), best: run.summary.best?.id === c.id } };
  }
  return {
    experiment: {
      ...run.experiment,
      primary_metric: primaryMetric(run),
      status: run.status.status,
      updated: run.status.updated,
      checkpoints: run.checkpoints,
      best: run.summary.best?.id ?? null,
      latest: run.summary.latest?.id ?? null,
    },
  };
}

export function primaryMetric(run: RunTree): ExperimentRecord['primary_metric'] {
  return run.summary.primary_metric ?? run.experiment.primary_metric ?? null;
}
