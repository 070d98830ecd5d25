import { EXPERIMENT_FILES, parseCheckpoints, parseExperiment, type RunState, type StoredData } from '../core/experimentRecord.js';
import { foldJournal } from '../core/experimentJournal.js';
import { catFiles, listJournalIds, listRunRefs, readJournal, type ExperimentContext } from './readRuns.js';

export interface ExperimentRoot {
  readonly data: StoredData;
  /** for messages: "experiment 1a2b3c4d checkpoint 5e6f7a8b (model.pth)" */
  readonly what: string;
  readonly experiment: string;
  /** null for the run's code object */
  readonly checkpoint: string | null;
}

/**
 * Every store object an experiment names: each run's checkpoints and its
 * dirty-code object, from every ref under refs/trove/experiments/ (one
 * for-each-ref and one cat-file --batch for all runs) plus the journals of
 * live runs (checkpoints not yet in a ref). gc keeps these alive.
 */
export async function listExperimentRoots(ctx: ExperimentContext): Promise<ExperimentRoot[]> {
  const refs = await listRunRefs(ctx);
  const names = refs.flatMap((r) => [`${r.commit}:${EXPERIMENT_FILES.experiment}`, `${r.commit}:${EXPERIMENT_FILES.checkpoints}`]);
  const blobs = names.length ? await catFiles(ctx.git, names) : [];
  const out: ExperimentRoot[] = [];
  const states: RunState[] = [];
  refs.forEach((r, i) => {
    const e = blobs[2 * i];
    const c = blobs[2 * i + 1];
    if (!e) return;
    const experiment = parseExperiment(e.toString('utf8'), `${r.id.slice(0, 12)}:${EXPERIMENT_FILES.experiment}`);
    const checkpoints = c ? parseCheckpoints(c.toString('utf8'), `${r.id.slice(0, 12)}:${EXPERIMENT_FILES.checkpoints}`) : [];
    states.push({ experiment, checkpoints, status: { status: 'stopped', updated: experiment.created, pid: null, host: experiment.host } });
  });
  const known = new Map(states.map((s) => [s.experiment.id, s]));
  for (const id of listJournalIds(ctx)) {
    const folded = foldJournal(known.get(id) ?? null, readJournal(ctx, id));
    if (folded) known.set(id, folded);
  }
  for (const s of known.values()) {
    const id = s.experiment.id;
    if (s.experiment.code.dirty) out.push({ data: s.experiment.code.dirty, what: `experiment ${id.slice(0, 8)} code`, experiment: id, checkpoint: null });
    for (const c of s.checkpoints) {
      if (c.data) out.push({ data: c.data, what: `experiment ${id.slice(0, 8)} checkpoint ${c.id.slice(0, 8)} (${c.path ?? ''})`, experiment: id, checkpoint: c.id });
    }
  }
  return out;
}
