import { TroveError } from '../errors/index.js';
import { EXPERIMENT_FILES, EXPERIMENT_REF_PREFIX, MIN_PREFIX, isExperimentId, parseCheckpoints, parseExperiment, parseStatus, type CheckpointRecord } from '../core/experimentRecord.js';
import { bestCheckpoint, latestCheckpoint } from '../core/runSummary.js';
import { catFiles, correctStatus, listJournalIds, listRunRefs, readJournal, readRun, readUnpushed, type ExperimentContext, type Run } from './readRuns.js';

/**
 * Id prefixes for the analysis commands (`exp show/diff/checkout/promote`):
 * an experiment id (the refs and local journals) or a checkpoint id (every
 * run's checkpoints.jsonl, read with one cat-file only when no experiment
 * matches alone), by a unique prefix of ≥ 4 hex digits.
 */

export type Resolved =
  | { readonly kind: 'experiment'; readonly id: string }
  | { readonly kind: 'checkpoint'; readonly id: string; readonly experiment: string };

export async function resolveId(ctx: ExperimentContext, prefix: string, want: 'experiment' | 'checkpoint' | 'any' = 'any'): Promise<Resolved> {
  const p = prefix.toLowerCase();
  if (!/^[0-9a-f]+$/.test(p) || p.length < MIN_PREFIX || p.length > 32) {
    throw new TroveError('USAGE', `"${prefix}" is not an experiment or checkpoint id or prefix (${MIN_PREFIX} to 32 hex digits).`, { hint: 'Copy the id from trove exp ls or trove exp show.', data: { prefix, reason: 'bad-prefix' } });
  }
  const res = await ctx.git.run(['for-each-ref', '--format=%(refname)', EXPERIMENT_REF_PREFIX]);
  const refIds = res.stdout.toString('utf8').split('\n').map((l) => l.slice(EXPERIMENT_REF_PREFIX.length)).filter(isExperimentId);
  const ids = [...new Set([...refIds, ...listJournalIds(ctx)])].sort();
  const candidates: Resolved[] = [];
  if (want !== 'checkpoint') for (const id of ids) if (id.startsWith(p)) candidates.push({ kind: 'experiment', id });
  if (want !== 'experiment') {
    const blobs = await catFiles(ctx.git, refIds.map((id) => `${EXPERIMENT_REF_PREFIX}${id}:checkpoints.jsonl`));
    const seen = new Set<string>();
    const scan = (exp: string, cks: readonly CheckpointRecord[]): void => {
      for (const c of cks) if (c.id.startsWith(p) && !seen.has(c.id)) (seen.add(c.id), candidates.push({ kind: 'checkpoint', id: c.id, experiment: exp }));
    };
    refIds.forEach((exp, i) => {
      const text = blobs[i]?.toString('utf8');
      if (text && text.includes(`"${p}`)) scan(exp, parseCheckpoints(text, `${exp.slice(0, 12)}:checkpoints.jsonl`));
    });
    // Checkpoints of live runs not yet in their ref.
    for (const exp of listJournalIds(ctx)) {
      try {
        scan(exp, readJournal(ctx, exp).flatMap((e) => (e.event === 'checkpoint' ? [e.checkpoint] : [])));
      } catch {
        /* an unreadable journal: its run is reported by exp ls */
      }
    }
  }
  if (candidates.length === 1) return candidates[0]!;
  const what = want === 'any' ? 'experiment or checkpoint' : want;
  if (candidates.length === 0) throw new TroveError('NOT_FOUND', `No ${what} id starts with "${prefix}".`, { hint: 'trove exp ls lists the runs; trove exp show RUN lists its checkpoints.', data: { prefix, what } });
  throw new TroveError('USAGE', `"${prefix}" matches ${candidates.length} ids: ${candidates.slice(0, 6).map((c) => `${c.kind} ${c.id.slice(0, 12)}`).join(', ')}${candidates.length > 6 ? ', …' : ''}; give more digits.`, {
    hint: 'Give more digits of the id.',
    data: { prefix, reason: 'ambiguous', matches: candidates.map((c) => c.id), candidates: candidates.map((c) => ({ kind: c.kind, id: c.id, ...(c.kind === 'checkpoint' ? { experiment: c.experiment } : {}) })) },
  });
}

/** The checkpoint an experiment id stands for: its best by the primary metric, else its latest (null: none). */
export function defaultCheckpoint(run: Run): CheckpointRecord | null {
  return bestCheckpoint(run.checkpoints, run.experiment.primary_metric) ?? latestCheckpoint(run.checkpoints);
}

/**
 * Every run in full, cheaply: the trees of all run refs with ONE cat-file
 * (three blobs per run), and readRun (journal folded in) only for runs with
 * a local journal. Status corrected for dead processes.
 */
export async function readAllRuns(ctx: ExperimentContext): Promise<Run[]> {
  const refs = await listRunRefs(ctx);
  const names = refs.flatMap((r) => [EXPERIMENT_FILES.experiment, EXPERIMENT_FILES.checkpoints, EXPERIMENT_FILES.status].map((f) => `${r.commit}:${f}`));
  const blobs = names.length ? await catFiles(ctx.git, names) : [];
  const journals = new Set(listJournalIds(ctx));
  const out: Run[] = [];
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i]!;
    if (journals.has(r.id)) continue;
    const [e, c, s] = blobs.slice(3 * i, 3 * i + 3);
    const src = r.commit.slice(0, 12);
    if (!e || !s) throw new TroveError('BAD_RECORD', `Experiment commit ${src} lacks ${!e ? EXPERIMENT_FILES.experiment : EXPERIMENT_FILES.status}.`, { data: { commit: r.commit, id: r.id } });
    out.push({
      experiment: parseExperiment(e.toString('utf8'), `${src}:${EXPERIMENT_FILES.experiment}`),
      checkpoints: c ? parseCheckpoints(c.toString('utf8'), `${src}:${EXPERIMENT_FILES.checkpoints}`) : [],
      status: correctStatus(parseStatus(s.toString('utf8'), `${src}:${EXPERIMENT_FILES.status}`)),
      commit: r.commit,
      journal: false,
      unpushed: readUnpushed(ctx, r.id)?.oids.length ?? 0,
    });
  }
  for (const id of journals) out.push(await readRun(ctx, id));
  return out;
}
