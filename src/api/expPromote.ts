import { TroveError } from '../errors/index.js';
import { checkRepoPath } from '../core/repoPath.js';
import { METRIC_KEY_RE } from '../core/metricsFile.js';
import { formatRunNote } from '../core/versionRunNote.js';
import { defaultCheckpoint, resolveId } from '../experiments/expRuns.js';
import { readRun } from '../experiments/readRuns.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import { withLock, type Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';
import { dataRoot, ensureLocalData } from './expData.js';
import { placeCheckpoint } from './expCheckout.js';
import { registerVersion, type RegisterVersionResult } from './registerVersion.js';
import type { Bump } from '../core/registryTypes.js';

export interface ExpPromoteOptions {
  /** a checkpoint, or an experiment (its best checkpoint, else its latest), by unique id prefix */
  readonly checkpoint: string;
  /** the registry entity (declared with trove create) */
  readonly name: string;
  readonly version?: string;
  readonly bump?: Bump;
  /** a note added to the version's message */
  readonly message?: string;
  /** replace local changes at the entity's path */
  readonly force?: boolean;
  readonly remote?: string;
}

export interface ExpPromoteResult extends RegisterVersionResult {
  readonly experiment: string;
  readonly checkpointId: string;
  readonly step: number | null;
  /** the registry versions the run's data was at its start (its lineage) */
  readonly uses: string[];
  /** metrics not recorded because a version's metrics hold numbers and strings only */
  readonly skippedMetrics: string[];
}

/**
 * Register a checkpoint as a version of a registry entity (issue 14): its
 * files are placed at the entity's path (as `exp checkout` would, refusing
 * to overwrite local changes without `force`), then `registerVersion` makes
 * the version with the checkpoint's metrics, `uses` = the registered
 * versions whose data the run saw at init (same path and content), and the
 * run and checkpoint ids in the version's message.
 *
 * @example
 *   const v = await expPromote(repo, { checkpoint: '3f2a', name: 'modelmnist' });
 */
export async function expPromote(repo: Repo, options: ExpPromoteOptions): Promise<ExpPromoteResult> {
  checkOptions('expPromote', repo, options, { checkpoint: 'string', name: 'string', version: 'string?', bump: 'string?', message: 'string?', force: 'boolean?', remote: 'string?' });
  const found = await resolveId(repo, options.checkpoint);
  const run = await readRun(repo, found.kind === 'experiment' ? found.id : found.experiment);
  const ck = found.kind === 'checkpoint' ? run.checkpoints.find((c) => c.id === found.id)! : defaultCheckpoint(run);
  if (!ck || !ck.data) {
    throw new TroveError('NOT_FOUND', ck ? `Checkpoint ${ck.id.slice(0, 12)} recorded metrics only: there are no files to register.` : `Experiment ${run.experiment.id.slice(0, 12)} has no checkpoints.`, {
      hint: 'trove exp show ID lists the checkpoints and which have files.',
      data: { experiment: run.experiment.id, checkpoint: ck?.id ?? null, reason: 'no-files' },
    });
  }
  const data = ck.data;
  const snapshot = await loadRegistry(repo);
  const entity = snapshot.entities.get(options.name);
  if (!entity) throw new TroveError('NOT_FOUND', `No entity named ${options.name} is declared.`, { hint: `Declare it first: trove create model ${options.name}`, data: { entity: options.name } });
  const path = checkRepoPath(entity.record.path, entity.file);
  // Lineage: the registered versions whose data the run had in its work tree.
  const uses = new Set<string>();
  for (const d of run.experiment.data) {
    for (const e of snapshot.entities.values()) {
      if (e.record.name === options.name) continue;
      for (const v of e.versions) if (v.dataOid === d.oid && v.dataKind === d.kind && v.path === d.path && !v.deprecated) uses.add(v.tag);
    }
  }
  const metrics: string[] = [];
  const skippedMetrics: string[] = [];
  for (const [k, v] of Object.entries(ck.metrics)) {
    if (METRIC_KEY_RE.test(k) && ((typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.trim() !== ''))) metrics.push(`${k}=${v}`);
    else skippedMetrics.push(k);
  }
  for (const k of skippedMetrics) repo.reporter.warn(`The metric ${k} of checkpoint ${ck.id.slice(0, 12)} is not a finite number or a string; it is not recorded in the version.`, { metric: k });
  await withLock(repo, 'exp promote', async () => {
    await ensureLocalData(repo, [dataRoot(data, ck.path ?? ck.id)], options.remote !== undefined ? { remote: options.remote } : {});
    await placeCheckpoint(repo, ck, data, path, Boolean(options.force));
  });
  const note = formatRunNote({ experiment: run.experiment.id, checkpoint: ck.id, step: ck.step });
  const v = await registerVersion(repo, {
    name: options.name,
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.bump !== undefined ? { bump: options.bump } : {}),
    metrics,
    uses: [...uses].sort(),
    message: options.message ? `${options.message}\n\n${note}` : note,
  });
  return { ...v, experiment: run.experiment.id, checkpointId: ck.id, step: ck.step, uses: [...uses].sort(), skippedMetrics };
}
