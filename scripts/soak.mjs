#!/usr/bin/env node
// The long mode of the reliability campaign (docs/reliability.md), for the benchmark machine:
// many runs per scenario at full size, a table of runs/ok/corrupt/lost/stuck, and a JSON file.
// Knobs: SOAK_SEED (replay), SOAK_RUNS (30), SOAK_LARGE_MIB (512: add's large file),
// SOAK_MEDIUM_MIB (256: the large file of the other scenarios), SOAK_SMALL_FILES (5000),
// SOAK_ONLY (comma-separated parts of scenario names), SOAK_OUT (JSON path), SOAK_KEEP=1
// (keep the directories of runs that were not ok).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const campaign = await import(new URL('../dist/test/helpers/crashCampaign.js', import.meta.url).href).catch(() => {
  console.error('dist/test/helpers/crashCampaign.js is missing: run `npm run build` first (npm run soak does).');
  process.exit(2);
});

function intEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`${name} must be a positive integer, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

let seed;
try {
  seed = campaign.pickSeed();
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
const runs = intEnv('SOAK_RUNS', 30);
const scale = {
  ...campaign.SOAK_SCALE,
  largeBytes: intEnv('SOAK_LARGE_MIB', campaign.SOAK_SCALE.largeBytes / 2 ** 20) * 2 ** 20,
  mediumBytes: intEnv('SOAK_MEDIUM_MIB', campaign.SOAK_SCALE.mediumBytes / 2 ** 20) * 2 ** 20,
  smallFiles: intEnv('SOAK_SMALL_FILES', campaign.SOAK_SCALE.smallFiles),
};
const only = (process.env.SOAK_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = resolve(process.env.SOAK_OUT ?? `bench/results/soak-${stamp}.json`);
const started = Date.now();

console.error(`soak: seed ${seed} (replay with SOAK_SEED=${seed}), ${runs} runs per scenario, large file ${scale.largeBytes / 2 ** 20} MiB (others ${scale.mediumBytes / 2 ** 20} MiB), ${scale.smallFiles} small files`);
const mark = { ok: '.', corrupt: 'C', lost: 'L', stuck: 'S' };
let current = '';
const save = (summaries, records, done) =>
  writeFileSync(out, JSON.stringify({ version: 1, complete: done, seed, runs, scale, minutes: Number(((Date.now() - started) / 60000).toFixed(1)), node: process.version, date: new Date().toISOString(), summaries, records }, null, 2) + '\n');
mkdirSync(dirname(out), { recursive: true });
const result = await campaign.runCampaign({
  seed,
  runs,
  scale,
  only,
  keepFailed: process.env.SOAK_KEEP === '1',
  onScenario: (summaries, records) => save(summaries, records, false),
  onRun(scenario, index, r) {
    if (scenario !== current) {
      process.stderr.write(`${current ? '\n' : ''}${scenario}: `);
      current = scenario;
    }
    process.stderr.write(mark[r.outcome]);
  },
});
process.stderr.write('\n\n');
const minutes = ((Date.now() - started) / 60000).toFixed(1);
console.log(campaign.formatTable(result.summaries));
console.log('');
for (const s of result.summaries) {
  for (const f of s.findings.slice(0, 5)) console.log(`- ${s.scenario}: ${f.count}× ${f.finding}`);
}
console.log(`\nseed ${seed}, ${minutes} min; replay: SOAK_SEED=${seed} SOAK_RUNS=${runs} npm run soak`);
save(result.summaries, result.records, true);
console.log(`results: ${out}`);
const bad = result.summaries.reduce((n, s) => n + s.corrupt + s.lost + s.stuck, 0);
process.exit(bad ? 1 : 0);
