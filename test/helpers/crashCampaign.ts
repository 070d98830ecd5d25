import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, deriveSeed, type RunResult, type Scale, type Scenario } from './campaignKit.js';
import { killScenarios, packLifecycleScenarios } from './crashScenarios.js';
import { faultScenarios } from './faultScenarios.js';
import { hostileScenarios } from './hostileScenarios.js';
import { CAN_MOUNT } from './tmpfs.js';

/**
 * The reliability campaign (docs/reliability.md): kill -9 at random moments of
 * add, checkout, push and pull; concurrent commands; full file systems; hostile
 * pointers, manifests and remote packs. Each run is classified ok / corrupt /
 * lost / stuck. The CI test (test/e2e/crashCampaign.test.ts) runs a few runs per
 * scenario; the soak (scripts/soak.mjs, `npm run soak`) runs many at full size.
 */

export const allScenarios: Scenario[] = [...killScenarios, ...packLifecycleScenarios, ...faultScenarios, ...hostileScenarios];

export const CI_SCALE: Scale = { largeBytes: 64 << 20, mediumBytes: 8 << 20, smallFiles: 1000, timeoutMs: 120_000 };
export const SOAK_SCALE: Scale = { largeBytes: 512 << 20, mediumBytes: 256 << 20, smallFiles: 5000, timeoutMs: 600_000 };

export interface CampaignOptions {
  seed: number;
  runs: number;
  scale: Scale;
  /** Only scenarios whose name contains one of these (case-insensitive); all when empty. */
  only?: string[];
  /** Called after every run (the soak prints progress with it). */
  onRun?: (scenario: string, index: number, r: RunResult) => void;
  /** Called after every scenario with everything so far (the soak rewrites its JSON with it, so a long run that is stopped keeps its results). */
  onScenario?: (summaries: ScenarioSummary[], records: RunRecord[]) => void;
  /** Keep the directories of runs that were not ok, for a post-mortem. */
  keepFailed?: boolean;
}

export interface RunRecord extends RunResult {
  scenario: string;
  index: number;
  seed: number;
  ms: number;
  dir?: string;
}

export interface ScenarioSummary {
  scenario: string;
  runs: number;
  ok: number;
  corrupt: number;
  lost: number;
  stuck: number;
  killed: number;
  skipped?: string;
  /** The distinct findings, most frequent first, with their counts. */
  findings: { finding: string; count: number }[];
}

export function selectScenarios(only: string[] = []): Scenario[] {
  const want = only.map((o) => o.toLowerCase()).filter(Boolean);
  return want.length ? allScenarios.filter((s) => want.some((w) => s.name.toLowerCase().includes(w))) : allScenarios;
}

/** Run one scenario `runs` times from its own seed; a scenario that cannot be prepared is reported, not thrown. */
export async function runScenario(scenario: Scenario, options: CampaignOptions): Promise<{ summary: ScenarioSummary; records: RunRecord[] }> {
  const summary: ScenarioSummary = { scenario: scenario.name, runs: 0, ok: 0, corrupt: 0, lost: 0, stuck: 0, killed: 0, findings: [] };
  const records: RunRecord[] = [];
  if (scenario.needsRoot && !CAN_MOUNT) return { summary: { ...summary, skipped: 'needs root and tmpfs mounts' }, records };
  const base = mkdtempSync(join(tmpdir(), 'trove-campaign-'));
  const counts = new Map<string, number>();
  try {
    const state = await scenario.prepare(join(base, 'prepare'), options.scale);
    for (let index = 0; index < options.runs; index++) {
      const seed = deriveSeed(options.seed, scenario.name, index);
      const dir = join(base, `run-${index}`);
      const start = Date.now();
      let r: RunResult;
      try {
        r = await scenario.run(state, { index, seed, rng: createRng(seed), dir, scale: options.scale });
      } catch (err) {
        // The harness itself failed (e.g. a setup step): count it as stuck so it is seen, with the reason.
        r = { outcome: 'stuck', findings: [`harness: ${(err as Error).message.split('\n')[0]}`] };
      }
      const record: RunRecord = { ...r, scenario: scenario.name, index, seed, ms: Date.now() - start };
      summary.runs++;
      summary[r.outcome]++;
      if (r.killed) summary.killed++;
      for (const f of r.findings) counts.set(normalise(f), (counts.get(normalise(f)) ?? 0) + 1);
      if (r.outcome !== 'ok' && options.keepFailed) record.dir = dir;
      else rmSync(dir, { recursive: true, force: true });
      records.push(record);
      options.onRun?.(scenario.name, index, r);
    }
  } finally {
    if (!options.keepFailed) rmSync(base, { recursive: true, force: true });
  }
  summary.findings = [...counts].sort((a, b) => b[1] - a[1]).map(([finding, count]) => ({ finding, count }));
  return { summary, records };
}

/** Findings differ by temp-file names, pids and sizes; fold those so the same failure counts once. */
function normalise(f: string): string {
  return f
    .replace(/[\w./-]*\.tmp-[\w-]+/g, 'PATH.tmp-…')
    .replace(/\b\d{3,}\b/g, 'N')
    .replace(/\/tmp\/[\w.-]+/g, '/tmp/…');
}

export async function runCampaign(options: CampaignOptions): Promise<{ seed: number; summaries: ScenarioSummary[]; records: RunRecord[] }> {
  const summaries: ScenarioSummary[] = [];
  const records: RunRecord[] = [];
  for (const s of selectScenarios(options.only)) {
    const r = await runScenario(s, options);
    summaries.push(r.summary);
    records.push(...r.records);
    options.onScenario?.(summaries, records);
  }
  return { seed: options.seed, summaries, records };
}

/** The results table of docs/reliability.md (Markdown). */
export function formatTable(summaries: ScenarioSummary[]): string {
  const rows = ['| scenario | runs | killed | ok | corrupt | lost | stuck |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const s of summaries) {
    if (s.skipped) rows.push(`| ${s.scenario} | skipped: ${s.skipped} | | | | | |`);
    else rows.push(`| ${s.scenario} | ${s.runs} | ${s.killed} | ${s.ok} | ${s.corrupt} | ${s.lost} | ${s.stuck} |`);
  }
  return rows.join('\n');
}

/** A seed from SOAK_SEED when set (to replay), else a fresh one; always printed by the caller. */
export function pickSeed(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.SOAK_SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 0) throw new Error(`SOAK_SEED must be a non-negative integer, got "${fromEnv}"`);
    return n >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32);
}
