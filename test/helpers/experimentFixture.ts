import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stringifyJson } from '../../src/core/jsonFloats.js';
import { metricStats } from '../../src/core/runSummary.js';

/**
 * Experiment runs written straight into a repository's Git data with ONE
 * `git fast-import`, in the run format of docs/formats.md ("Experiments"):
 * a ref refs/trove/experiments/<id> per run whose commit holds
 * experiment.json, checkpoints.jsonl and status.json and whose message is
 * `trove experiment <id>\n\n<summary JSON>`. 1,000 runs × 100 checkpoints
 * take about a second. Checkpoint data (`data`) is whatever the caller
 * stored (e.g. with `trove add` and the pointer's oid), or null. NaN and
 * ±Infinity are written as {"$float"} like the real writer does.
 */

export interface FixtureCheckpoint {
  id?: string;
  step?: number | null;
  created?: string;
  metrics?: Record<string, unknown>;
  path?: string | null;
  data?: { kind: 'file' | 'dir'; oid: string; size: number; files: number } | null;
}

export interface FixtureRun {
  id?: string;
  created?: string;
  params?: Record<string, unknown>;
  command?: string[];
  host?: string;
  user?: string;
  python?: string | null;
  packages?: Record<string, string>;
  code?: { commit: string | null; path: string; dirty: { kind: 'file' | 'dir'; oid: string; size: number; files: number } | null };
  data?: { path: string; kind: 'file' | 'dir'; oid: string }[];
  primary_metric?: { name: string; goal: 'minimize' | 'maximize' } | null;
  status?: 'running' | 'stopped' | 'crashed';
  pid?: number | null;
  checkpoints?: FixtureCheckpoint[];
  /** write the summary as trove did before metric_stats existed (readers must fall back to best/latest) */
  legacySummary?: boolean;
}

export const hexId = (): string => randomBytes(16).toString('hex');

function isBetter(a: number, b: number, goal: string): boolean {
  return goal === 'maximize' ? a > b : a < b;
}

/** The full records a fixture run stands for (ids and dates filled in). */
export function completeRun(run: FixtureRun, index = 0): { experiment: any; checkpoints: any[]; status: any; summary: any } {
  const id = run.id ?? hexId();
  const created = run.created ?? new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString();
  const checkpoints = (run.checkpoints ?? []).map((c, i) => ({
    id: c.id ?? hexId(),
    step: c.step === undefined ? i : c.step,
    created: c.created ?? created,
    metrics: c.metrics ?? {},
    path: c.path ?? null,
    data: c.data ?? null,
  }));
  const pm = run.primary_metric ?? null;
  const experiment = {
    'trove-experiment': 1,
    id,
    created,
    params: run.params ?? {},
    command: run.command ?? ['python', 'train.py'],
    host: run.host ?? 'testhost',
    user: run.user ?? 'tester',
    python: run.python === undefined ? '3.11.7' : run.python,
    packages: run.packages ?? {},
    code: run.code ?? { commit: null, path: '.', dirty: null },
    data: run.data ?? [],
    primary_metric: pm,
  };
  const updated = checkpoints.length ? checkpoints[checkpoints.length - 1]!.created : created;
  const status = { status: run.status ?? 'stopped', updated, pid: run.pid ?? null, host: experiment.host };
  let best: any = null;
  if (pm) {
    for (const c of checkpoints) {
      const v = c.metrics[pm.name];
      if (typeof v !== 'number' || Number.isNaN(v)) continue;
      if (!best || isBetter(v, best.metrics[pm.name], pm.goal)) best = c;
    }
  }
  const brief = (c: any): any => (c ? { id: c.id, step: c.step, metrics: c.metrics } : null);
  const summary = {
    id,
    created,
    updated,
    status: status.status,
    host: experiment.host,
    user: experiment.user,
    pid: status.pid,
    params: experiment.params,
    primary_metric: pm,
    checkpoints: checkpoints.length,
    best: brief(best),
    latest: brief(checkpoints[checkpoints.length - 1] ?? null),
    ...(run.legacySummary ? {} : { metric_stats: metricStats(checkpoints) }),
  };
  return { experiment, checkpoints, status, summary };
}

/** Write the runs with one `git fast-import` in `dir`; returns their completed records in order. */
export function writeRuns(dir: string, runs: readonly FixtureRun[]): ReturnType<typeof completeRun>[] {
  const done = runs.map((r, i) => completeRun(r, i));
  const parts: Buffer[] = [];
  const data = (s: string): void => {
    const b = Buffer.from(s, 'utf8');
    parts.push(Buffer.from(`data ${b.length}\n`), b, Buffer.from('\n'));
  };
  const when = Math.floor(Date.UTC(2026, 0, 1) / 1000);
  for (const r of done) {
    parts.push(Buffer.from(`commit refs/trove/experiments/${r.experiment.id}\ncommitter trove <trove@localhost> ${when} +0000\n`));
    data(`trove experiment ${r.experiment.id}\n\n${stringifyJson(r.summary)}\n`);
    parts.push(Buffer.from('M 100644 inline experiment.json\n'));
    data(stringifyJson(r.experiment, 2) + '\n');
    parts.push(Buffer.from('M 100644 inline checkpoints.jsonl\n'));
    data(r.checkpoints.map((c) => stringifyJson(c) + '\n').join(''));
    parts.push(Buffer.from('M 100644 inline status.json\n'));
    data(stringifyJson(r.status) + '\n');
    parts.push(Buffer.from('\n'));
  }
  execFileSync('git', ['fast-import', '--quiet', '--force'], { cwd: dir, input: Buffer.concat(parts), maxBuffer: 1 << 28 });
  return done;
}

/** 1,000 × 100 style bulk runs: params lr/batch varying, metrics loss/accuracy per step, no files. */
export function bulkRuns(runs: number, checkpoints: number): FixtureRun[] {
  const out: FixtureRun[] = [];
  for (let i = 0; i < runs; i++) {
    const lr = [0.1, 0.01, 0.001, 0.0001][i % 4]!;
    out.push({
      params: { learning_rate: lr, batch_size: 32, seed: i },
      primary_metric: { name: 'loss', goal: 'minimize' },
      checkpoints: Array.from({ length: checkpoints }, (_, s) => ({ step: s, metrics: { loss: 1 / (1 + s * lr * 10) + (i % 7) / 1000, accuracy: 1 - 1 / (2 + s + i / runs) } })),
    });
  }
  return out;
}
