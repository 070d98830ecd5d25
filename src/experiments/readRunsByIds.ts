import { isTroveError } from '../errors/index.js';
import { EXPERIMENT_FILES, EXPERIMENT_REF_PREFIX, isExperimentId, parseCheckpoints, parseExperiment, parseStatus } from '../core/experimentRecord.js';
import { catFiles, correctStatus, listJournalIds, readRun, readUnpushed, type ExperimentContext, type Run } from './readRuns.js';

/** Every run ref's id → commit: one `git for-each-ref` without messages. */
export async function runCommits(ctx: ExperimentContext): Promise<Map<string, string>> {
  const res = await ctx.git.run(['for-each-ref', '--format=%(refname) %(objectname)', EXPERIMENT_REF_PREFIX]);
  const out = new Map<string, string>();
  for (const line of res.stdout.toString('utf8').split('\n')) {
    const [ref, commit] = line.split(' ');
    const id = ref?.slice(EXPERIMENT_REF_PREFIX.length);
    if (commit && isExperimentId(id)) out.set(id, commit);
  }
  return out;
}

/**
 * Some runs in full, by full id, cheaply: one for-each-ref, the trees of
 * those without a local journal with ONE `git cat-file --batch` (three blobs
 * each), readRun (journal folded in) for live ones. Ids with neither a ref
 * nor a journal (removed meanwhile) come back in `missing`; order follows `ids`.
 */
export async function readRunsByIds(ctx: ExperimentContext, ids: readonly string[]): Promise<{ runs: Run[]; missing: string[] }> {
  const journals = new Set(listJournalIds(ctx));
  const commits = await runCommits(ctx);
  const fromRefs = ids.filter((id) => !journals.has(id) && commits.has(id));
  const files = [EXPERIMENT_FILES.experiment, EXPERIMENT_FILES.checkpoints, EXPERIMENT_FILES.status];
  const blobs = await catFiles(ctx.git, fromRefs.flatMap((id) => files.map((f) => `${commits.get(id)}:${f}`)));
  const byId = new Map<string, Run>();
  fromRefs.forEach((id, i) => {
    const [e, c, s] = blobs.slice(3 * i, 3 * i + 3);
    const commit = commits.get(id)!;
    const src = commit.slice(0, 12);
    if (!e || !s) return; // a commit that is not a run: left in `missing`, as exp ls leaves it out
    byId.set(id, {
      experiment: parseExperiment(e.toString('utf8'), `${src}:${files[0]}`),
      checkpoints: c ? parseCheckpoints(c.toString('utf8'), `${src}:${files[1]}`) : [],
      status: correctStatus(parseStatus(s.toString('utf8'), `${src}:${files[2]}`)),
      commit,
      journal: false,
      unpushed: readUnpushed(ctx, id)?.oids.length ?? 0,
    });
  });
  for (const id of ids) {
    if (!journals.has(id) || byId.has(id)) continue;
    try {
      byId.set(id, await readRun(ctx, id));
    } catch (err) {
      if (!isTroveError(err, 'NOT_FOUND')) throw err; // the journal went and no ref came: gone
    }
  }
  const runs: Run[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const r = byId.get(id);
    if (r) runs.push(r);
    else missing.push(id);
  }
  return { runs, missing };
}
