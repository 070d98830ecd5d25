import { TroveError } from '../errors/index.js';
import { EXPERIMENT_REF_PREFIX } from '../core/experimentRecord.js';
import { rmSync } from 'node:fs';
import { resolveId } from '../experiments/expRuns.js';
import { journalPath, readRun } from '../experiments/readRuns.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export interface ExpRmResult {
  /** full ids of the runs removed */
  readonly removed: string[];
}

/**
 * Delete runs: their refs (and a leftover local journal). Their checkpoint
 * files stay in the store until the next `trove gc`, which keeps only what
 * something still names. A run still running is refused unless `force`.
 *
 * @example
 *   await expRm(repo, { ids: ['3f2a', '9c01'] });
 */
export async function expRm(repo: Repo, options: { readonly ids: readonly string[]; readonly force?: boolean }): Promise<ExpRmResult> {
  checkOptions('expRm', repo, options, { ids: 'string[]', force: 'boolean?' });
  if (options.ids.length === 0) throw new TroveError('USAGE', 'Name the runs to remove.', { hint: 'trove exp rm 3f2a 9c01', data: { reason: 'no-ids' } });
  return withLock(repo, 'exp rm', async () => {
    // Every id resolved and checked before anything is deleted.
    const runs = [];
    for (const id of options.ids) {
      const found = await resolveId(repo, id, 'experiment');
      const run = await readRun(repo, found.id);
      if (run.status.status === 'running' && !options.force) {
        throw new TroveError('USAGE', `Experiment ${found.id.slice(0, 12)} is still running (pid ${run.status.pid} on ${run.status.host}).`, { hint: 'Stop it first, or remove it anyway with --force.', data: { id: found.id, reason: 'running' } });
      }
      runs.push(run);
    }
    const removed: string[] = [];
    for (const run of runs) {
      const id = run.experiment.id;
      if (removed.includes(id)) continue;
      if (run.commit) await repo.git.run(['update-ref', '-d', `${EXPERIMENT_REF_PREFIX}${id}`, run.commit]);
      rmSync(journalPath(repo, id), { force: true });
      removed.push(id);
    }
    return { removed };
  });
}
