import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import { catObjects, type Git } from '../platform/git.js';
import { isProcessAlive } from '../util/isProcessAlive.js';
import { EXPERIMENT_FILES, EXPERIMENT_REF_PREFIX, isExperimentId, matchIdPrefix, parseCheckpoints, parseExperiment, parseStatus, type RunState, type RunSummary, type StatusRecord } from '../core/experimentRecord.js';
import { foldJournal, parseJournal } from '../core/experimentJournal.js';
import { parseCommitMessage, summarizeRun } from '../core/runSummary.js';

/**
 * What experiments/ needs from an opened repository. A Repo satisfies it
 * structurally (experiments/ may not import workspace/).
 */
export interface ExperimentContext {
  /** absolute path of the Git work tree */
  readonly root: string;
  /** absolute path of .trove */
  readonly troveDir: string;
  readonly git: Git;
}

/** `.trove/tmp/experiments`: the journals of live (or crashed) runs. */
export function journalDir(ctx: ExperimentContext): string {
  return join(ctx.troveDir, 'tmp', 'experiments');
}

export function journalPath(ctx: ExperimentContext, id: string): string {
  return join(journalDir(ctx), `${id}.jsonl`);
}

/** The mark a run gets when it stopped before its background uploads finished (trove exp push clears it). */
export function unpushedPath(ctx: ExperimentContext, id: string): string {
  return join(journalDir(ctx), `${id}.unpushed.json`);
}

/** What run `id` had not uploaded when it stopped: `{remote, oids}`, or null when nothing is pending. */
export function readUnpushed(ctx: ExperimentContext, id: string): { remote: string; oids: string[] } | null {
  try {
    const o = JSON.parse(readFileSync(unpushedPath(ctx, id), 'utf8')) as { remote?: unknown; oids?: unknown };
    return typeof o.remote === 'string' && Array.isArray(o.oids) ? { remote: o.remote, oids: o.oids.map(String) } : null;
  } catch {
    // no file (the usual case) or a damaged one: shown as nothing pending; the count is display only, and the file is written atomically
    return null;
  }
}

export interface RunRef {
  readonly id: string;
  readonly commit: string;
  /** the summary from the commit message; null when the message is not one (BAD_RECORD in `problem`) */
  readonly summary: RunSummary | null;
  readonly problem?: string;
}

/** Every run ref with its summary: ONE `git for-each-ref` (the message is %(contents)). */
export async function listRunRefs(ctx: ExperimentContext): Promise<RunRef[]> {
  const res = await ctx.git.run(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(contents)%00', EXPERIMENT_REF_PREFIX]);
  const parts = res.stdout.toString('utf8').split('\0');
  const out: RunRef[] = [];
  for (let i = 0; i + 2 < parts.length; i += 3) {
    const ref = parts[i]!.replace(/^\n/, '');
    const id = ref.slice(EXPERIMENT_REF_PREFIX.length);
    if (!isExperimentId(id)) continue;
    const commit = parts[i + 1]!;
    try {
      out.push({ id, commit, summary: parseCommitMessage(parts[i + 2]!, ref) });
    } catch (err) {
      out.push({ id, commit, summary: null, problem: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

/** Ids of runs that have a local journal. */
export function listJournalIds(ctx: ExperimentContext): string[] {
  let names: string[];
  try {
    names = readdirSync(journalDir(ctx));
  } catch {
    // no journal folder: no run has a journal
    return [];
  }
  return names.filter((n) => n.endsWith('.jsonl') && isExperimentId(n.slice(0, -6))).map((n) => n.slice(0, -6));
}

/** A status of "running" whose pid is not alive on this host is "crashed". */
export function correctStatus(s: StatusRecord): StatusRecord {
  if (s.status === 'running' && s.host === hostname() && s.pid !== null && !isProcessAlive(s.pid)) return { ...s, status: 'crashed' };
  return s;
}

export interface ListRunsResult {
  readonly runs: RunSummary[];
  /** runs whose record could not be read: {id, message} */
  readonly problems: { id: string; message: string }[];
}

/**
 * Every run's summary, newest first: one for-each-ref, plus (only for runs
 * with a local journal, i.e. live or crashed ones) the journal folded over the
 * run's tree. Status corrected for dead pids.
 */
export async function listRuns(ctx: ExperimentContext): Promise<ListRunsResult> {
  const refs = await listRunRefs(ctx);
  const byId = new Map(refs.map((r) => [r.id, r]));
  const problems: { id: string; message: string }[] = [];
  const summaries = new Map<string, RunSummary>();
  for (const r of refs) {
    if (r.summary) summaries.set(r.id, r.summary);
    else problems.push({ id: r.id, message: r.problem ?? 'unreadable' });
  }
  for (const id of listJournalIds(ctx)) {
    try {
      const ref = byId.get(id);
      const base = ref ? await readRunTree(ctx.git, ref.commit) : null;
      const state = foldJournal(base, readJournal(ctx, id));
      if (state) summaries.set(id, summarizeRun(state));
    } catch (err) {
      problems.push({ id, message: err instanceof Error ? err.message : String(err) });
    }
  }
  const runs = [...summaries.values()].map((s) => {
    const st = correctStatus({ status: s.status, updated: s.updated, pid: s.pid, host: s.host });
    return st.status === s.status ? s : { ...s, status: st.status };
  });
  runs.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : a.id < b.id ? -1 : 1));
  return { runs, problems };
}

export function readJournal(ctx: ExperimentContext, id: string) {
  const p = journalPath(ctx, id);
  if (!existsSync(p)) return [];
  return parseJournal(readFileSync(p, 'utf8'), p);
}

export interface Run extends RunState {
  /** the run's commit (null: only a local journal so far) */
  readonly commit: string | null;
  /** true when a local journal newer than the ref was folded in */
  readonly journal: boolean;
  /** uploads still pending when the run stopped (0: none recorded here) */
  readonly unpushed: number;
}

/** Resolve an id or unique prefix (≥ 4 hex) among the run refs and local journals. */
export async function resolveRunId(ctx: ExperimentContext, prefix: string): Promise<string> {
  const res = await ctx.git.run(['for-each-ref', '--format=%(refname)', EXPERIMENT_REF_PREFIX]);
  const ids = res.stdout.toString('utf8').split('\n').map((l) => l.slice(EXPERIMENT_REF_PREFIX.length)).filter(isExperimentId);
  return matchIdPrefix([...ids, ...listJournalIds(ctx)], prefix, 'experiment');
}

/** One run in full: its tree (one cat-file --batch), a newer local journal folded in, status corrected. */
export async function readRun(ctx: ExperimentContext, idOrPrefix: string): Promise<Run> {
  const id = await resolveRunId(ctx, idOrPrefix);
  const refRes = await ctx.git.run(['rev-parse', '--verify', '--quiet', `${EXPERIMENT_REF_PREFIX}${id}^{commit}`], { allowFail: true });
  const commit = refRes.code === 0 ? refRes.stdout.toString('utf8').trim() : null;
  const base = commit ? await readRunTree(ctx.git, commit) : null;
  const events = readJournal(ctx, id);
  const state = foldJournal(base, events);
  if (!state) throw new TroveError('NOT_FOUND', `Experiment ${id} has no record yet.`, { data: { id } });
  return { ...state, status: correctStatus(state.status), commit, journal: events.length > 0, unpushed: readUnpushed(ctx, id)?.oids.length ?? 0 };
}

/** The three files of a run commit's tree, read with one `git cat-file --batch`. */
export async function readRunTree(git: Git, commit: string): Promise<RunState> {
  const names = [EXPERIMENT_FILES.experiment, EXPERIMENT_FILES.checkpoints, EXPERIMENT_FILES.status];
  const blobs = await catFiles(git, names.map((n) => `${commit}:${n}`));
  const [e, c, s] = blobs;
  if (e === null || s === null) {
    throw new TroveError('BAD_RECORD', `Experiment commit ${commit.slice(0, 12)} lacks ${e === null ? names[0] : names[2]}.`, { data: { commit } });
  }
  return {
    experiment: parseExperiment(e!.toString('utf8'), `${commit.slice(0, 12)}:${names[0]}`),
    checkpoints: c ? parseCheckpoints(c.toString('utf8'), `${commit.slice(0, 12)}:${names[1]}`) : [],
    status: parseStatus(s!.toString('utf8'), `${commit.slice(0, 12)}:${names[2]}`),
  };
}

/** Contents of `rev:path` names, in order, null for missing ones and for anything that is not a blob (one cat-file --batch). */
export async function catFiles(git: Git, names: readonly string[]): Promise<(Buffer | null)[]> {
  return (await catObjects(git, names)).map((o) => (o && o.type === 'blob' ? o.content : null));
}

/** mtime of a journal in ms, or 0 (used by writers to tell a journal from a finished run). */
export function journalMtime(ctx: ExperimentContext, id: string): number {
  try {
    return statSync(journalPath(ctx, id)).mtimeMs;
  } catch {
    // no journal: 0, as documented (a finished run)
    return 0;
  }
}
