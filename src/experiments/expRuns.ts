import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { TroveError } from '../errors/index.js';
import type { CheckpointSummary, RunSummary } from '../core/expQuery.js';
import type { Git } from '../platform/git.js';

/**
 * What the analysis commands (`exp ls/show/diff/checkout/rm/gc/promote`)
 * read of the runs: the summaries (one for-each-ref, never a tree), a run's
 * tree, and id prefixes resolved to a run or a checkpoint. The format is
 * docs/formats.md's "Experiments"; the writer is the `exp serve` side.
 */

export const RUN_REF_PREFIX = 'refs/trove/experiments/';
export const MIN_ID_PREFIX = 4;

export interface StoredData {
  readonly kind: 'file' | 'dir';
  readonly oid: string;
  readonly size: number;
  readonly files: number;
}

export interface CheckpointRecord {
  readonly id: string;
  readonly step: number | null;
  readonly created: string;
  readonly metrics: Record<string, unknown>;
  readonly path: string | null;
  readonly data: StoredData | null;
}

export interface ExperimentRecord {
  readonly 'trove-experiment': number;
  readonly id: string;
  readonly created: string;
  readonly params: Record<string, unknown>;
  readonly command: readonly string[];
  readonly host: string;
  readonly user: string;
  readonly python: string | null;
  readonly packages: Record<string, string>;
  readonly code: { readonly commit: string | null; readonly path: string; readonly dirty: StoredData | null };
  readonly data: readonly { readonly path: string; readonly kind: 'file' | 'dir'; readonly oid: string }[];
  readonly primary_metric: { readonly name: string; readonly goal: 'minimize' | 'maximize' } | null;
}

export interface StatusRecord {
  readonly status: string;
  readonly updated: string;
  readonly pid: number | null;
  readonly host: string;
}

export interface RunTree {
  /** the commit the ref points to */
  readonly commit: string;
  readonly experiment: ExperimentRecord;
  readonly checkpoints: CheckpointRecord[];
  readonly status: StatusRecord;
  /** the summary of the commit message */
  readonly summary: RunSummary;
}

const SEP = '\u0001trove-run\u0001';

/** Every run's summary, from ONE `git for-each-ref` (no tree is read). Status corrected for dead pids on this host. */
export async function listRunSummaries(git: Git): Promise<{ summaries: RunSummary[]; commits: Map<string, string>; unreadable: string[] }> {
  const r = await git.run(['for-each-ref', RUN_REF_PREFIX, `--format=%(refname)%00%(objectname)%00%(contents)${SEP}`]);
  const text = r.stdout.toString('utf8');
  const summaries: RunSummary[] = [];
  const commits = new Map<string, string>();
  const unreadable: string[] = [];
  for (const rec of text.split(SEP + '\n')) {
    if (!rec.trim()) continue;
    const [ref, commit, contents] = rec.split('\0');
    const id = (ref ?? '').slice(RUN_REF_PREFIX.length);
    try {
      const s = parseSummaryMessage(contents ?? '', id);
      summaries.push(correctStatus(s));
      commits.set(s.id, commit!);
    } catch {
      unreadable.push(id);
    }
  }
  return { summaries, commits, unreadable };
}

/** The summary line of a run commit's message (`trove experiment <id>\n\n{json}`). */
export function parseSummaryMessage(message: string, id: string): RunSummary {
  const lines = message.split('\n');
  const line = lines.find((l) => l.startsWith('{'));
  if (!line) throw new TroveError('CORRUPT_OBJECT', `The run ${id} has no summary in its commit message.`, { data: { id } });
  const raw = JSON.parse(line) as Partial<RunSummary>;
  if (typeof raw.id !== 'string') throw new TroveError('CORRUPT_OBJECT', `The run ${id}'s summary has no id.`, { data: { id } });
  return {
    id: raw.id,
    created: String(raw.created ?? ''),
    updated: String(raw.updated ?? raw.created ?? ''),
    status: String(raw.status ?? 'stopped'),
    host: String(raw.host ?? ''),
    user: String(raw.user ?? ''),
    pid: typeof raw.pid === 'number' ? raw.pid : null,
    params: (raw.params ?? {}) as Record<string, unknown>,
    primary_metric: raw.primary_metric ?? null,
    checkpoints: typeof raw.checkpoints === 'number' ? raw.checkpoints : 0,
    best: (raw.best ?? null) as CheckpointSummary | null,
    latest: (raw.latest ?? null) as CheckpointSummary | null,
  };
}

/** A run recorded as running whose process is gone from this host is shown as crashed (the contract). */
export function correctStatus<T extends { status: string; pid: number | null; host: string }>(s: T): T {
  if (s.status !== 'running' || s.pid === null || s.host !== hostname()) return s;
  return isAlive(s.pid) ? s : { ...s, status: 'crashed' };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Read many `rev:path` objects with one `git cat-file --batch`, in order
 * (undefined for a missing one).
 */
export function catObjects(git: Git, names: readonly string[]): Promise<(Buffer | undefined)[]> {
  return new Promise((resolve, reject) => {
    if (names.length === 0) return resolve([]);
    const child = spawn(process.env.TROVE_GIT ?? 'git', ['cat-file', '--batch'], { cwd: git.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new TroveError('GIT', `git cat-file failed: ${stderr.trim() || code}.`));
      const buf = Buffer.concat(chunks);
      const out: (Buffer | undefined)[] = [];
      let pos = 0;
      for (let i = 0; i < names.length; i++) {
        const nl = buf.indexOf(10, pos);
        const header = buf.subarray(pos, nl).toString('utf8');
        pos = nl + 1;
        const parts = header.split(' ');
        if (parts[parts.length - 1] === 'missing' || parts.length < 3) {
          out.push(undefined);
          continue;
        }
        const size = Number(parts[2]);
        out.push(buf.subarray(pos, pos + size));
        pos += size + 1;
      }
      resolve(out);
    });
    child.stdin.end(names.join('\n') + '\n');
  });
}

export function parseCheckpointLines(text: string, id: string): CheckpointRecord[] {
  const out: CheckpointRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as CheckpointRecord);
    } catch {
      throw new TroveError('CORRUPT_OBJECT', `A line of the run ${id}'s checkpoints.jsonl is not JSON.`, { data: { id } });
    }
  }
  return out;
}

/** A run's whole record (its ref's tree), read with one cat-file. */
export async function readRunTree(git: Git, id: string): Promise<RunTree> {
  const ref = RUN_REF_PREFIX + id;
  const [commitBuf, exp, cks, status] = await catObjects(git, [ref, `${ref}:experiment.json`, `${ref}:checkpoints.jsonl`, `${ref}:status.json`]);
  if (!commitBuf || !exp) throw new TroveError('NOT_FOUND', `The run ${id} does not exist (or its record is incomplete).`, { hint: 'trove exp ls lists the runs.', data: { id } });
  const commitText = commitBuf.toString('utf8');
  const msgStart = commitText.indexOf('\n\n');
  const summary = parseSummaryMessage(msgStart >= 0 ? commitText.slice(msgStart + 2) : '', id);
  const r = await git.run(['rev-parse', ref]);
  const experiment = JSON.parse(exp.toString('utf8')) as ExperimentRecord;
  const checkpoints = cks ? parseCheckpointLines(cks.toString('utf8'), id) : [];
  const st = status ? (JSON.parse(status.toString('utf8')) as StatusRecord) : { status: summary.status, updated: summary.updated, pid: summary.pid, host: summary.host };
  return { commit: r.stdout.toString('utf8').trim(), experiment, checkpoints, status: correctStatus(st), summary: correctStatus(summary) };
}

/** The best checkpoint by the primary metric (NaN never best), else null. */
export function bestCheckpoint<T extends { metrics: Record<string, unknown> }>(cks: readonly T[], pm: { name: string; goal: string } | null): T | null {
  if (!pm) return null;
  let best: T | null = null;
  let bestV = 0;
  for (const c of cks) {
    const v = c.metrics[pm.name];
    if (typeof v !== 'number' || Number.isNaN(v)) continue;
    if (best === null || (pm.goal === 'maximize' ? v > bestV : v < bestV)) {
      best = c;
      bestV = v;
    }
  }
  return best;
}

export type Resolved =
  | { readonly kind: 'experiment'; readonly id: string }
  | { readonly kind: 'checkpoint'; readonly id: string; readonly experiment: string };

/**
 * An experiment or checkpoint id prefix (≥ 4 characters) resolved to the one
 * it names. Experiment ids come from the refs; checkpoint ids from every
 * run's checkpoints.jsonl (one cat-file for all runs), read only when needed.
 * Ambiguous: USAGE listing the candidates.
 */
export async function resolveId(git: Git, prefix: string, options: { want?: 'experiment' | 'checkpoint' | 'any' } = {}): Promise<Resolved> {
  const want = options.want ?? 'any';
  const p = prefix.toLowerCase();
  if (!/^[0-9a-f]+$/.test(p) || p.length < MIN_ID_PREFIX || p.length > 32) {
    throw new TroveError('USAGE', `"${prefix}" is not an experiment or checkpoint id: give at least ${MIN_ID_PREFIX} hex characters of one.`, { hint: 'trove exp ls lists the runs and their checkpoints.', data: { id: prefix, rule: 'bad-id' } });
  }
  const refs = (await git.run(['for-each-ref', RUN_REF_PREFIX, '--format=%(refname)'])).stdout.toString('utf8').split('\n').filter(Boolean).map((r) => r.slice(RUN_REF_PREFIX.length));
  const candidates: Resolved[] = [];
  if (want !== 'checkpoint') for (const id of refs) if (id.startsWith(p)) candidates.push({ kind: 'experiment', id });
  if (want !== 'experiment') {
    const blobs = await catObjects(git, refs.map((id) => `${RUN_REF_PREFIX}${id}:checkpoints.jsonl`));
    refs.forEach((exp, i) => {
      const text = blobs[i]?.toString('utf8');
      if (!text || !text.includes(`"${p}`)) return;
      for (const c of parseCheckpointLines(text, exp)) if (typeof c.id === 'string' && c.id.startsWith(p)) candidates.push({ kind: 'checkpoint', id: c.id, experiment: exp });
    });
  }
  if (candidates.length === 1) return candidates[0]!;
  const what = want === 'any' ? 'experiment or checkpoint' : want;
  if (candidates.length === 0) throw new TroveError('NOT_FOUND', `No ${what} has an id starting with ${p}.`, { hint: 'trove exp ls lists the runs; trove exp show RUN lists its checkpoints.', data: { id: p } });
  throw new TroveError('USAGE', `${p} is the start of ${candidates.length} ids: ${candidates.slice(0, 10).map((c) => `${c.kind} ${c.id}`).join(', ')}${candidates.length > 10 ? ', …' : ''}.`, {
    hint: 'Give more characters of the id.',
    data: { id: p, rule: 'ambiguous-id', candidates: candidates.map((c) => ({ kind: c.kind, id: c.id, ...(c.kind === 'checkpoint' ? { experiment: c.experiment } : {}) })) },
  });
}
