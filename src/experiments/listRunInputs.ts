import { EXPERIMENT_FILES, parseExperiment, type DataLineage } from '../core/experimentRecord.js';
import { catFiles, listJournalIds, listRunRefs, readJournal, type ExperimentContext } from './readRuns.js';

/** What a run read: the tracked paths (and their content ids) in its work tree when it started. */
export interface RunInputs {
  readonly id: string;
  /** ISO 8601, when the run started */
  readonly created: string;
  readonly data: readonly DataLineage[];
}

export interface ListRunInputsResult {
  readonly runs: RunInputs[];
  /** runs whose record could not be read: {id, message} */
  readonly problems: { id: string; message: string }[];
}

/**
 * The data lineage of every run, for graphs that join runs to registry
 * versions. The run summaries (for-each-ref) do not carry it, so the
 * experiment.json of every run ref is read with ONE `git cat-file --batch`;
 * runs that exist only as a local journal (live, or crashed before their
 * first commit) take it from the journal's init event.
 */
export async function listRunInputs(ctx: ExperimentContext): Promise<ListRunInputsResult> {
  const refs = await listRunRefs(ctx);
  const blobs = refs.length ? await catFiles(ctx.git, refs.map((r) => `${r.commit}:${EXPERIMENT_FILES.experiment}`)) : [];
  const runs = new Map<string, RunInputs>();
  const problems: { id: string; message: string }[] = [];
  refs.forEach((r, i) => {
    const blob = blobs[i];
    if (!blob) return void problems.push({ id: r.id, message: `its commit ${r.commit.slice(0, 12)} lacks ${EXPERIMENT_FILES.experiment}` });
    try {
      const e = parseExperiment(blob.toString('utf8'), `${r.commit.slice(0, 12)}:${EXPERIMENT_FILES.experiment}`);
      runs.set(r.id, { id: r.id, created: e.created, data: e.data });
    } catch (err) {
      problems.push({ id: r.id, message: err instanceof Error ? err.message : String(err) });
    }
  });
  for (const id of listJournalIds(ctx)) {
    if (runs.has(id)) continue; // the init event never changes: the ref's record is the same
    try {
      const init = readJournal(ctx, id).find((e) => e.event === 'init');
      if (init && init.event === 'init') runs.set(id, { id, created: init.experiment.created, data: init.experiment.data });
    } catch (err) {
      problems.push({ id, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { runs: [...runs.values()].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : 1)), problems };
}
