import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRepo, initRepo, trove, Verdict, writeSeededFile } from '../helpers/campaignKit.js';
import { allScenarios, CI_SCALE, runScenario } from '../helpers/crashCampaign.js';
import { objectPath } from '../helpers/tmpRepo.js';

/**
 * The short mode of the reliability campaign (docs/reliability.md): one seeded
 * run of every scenario at CI size; `npm run soak` runs the same scenarios many
 * times at full size. The seed is fixed so CI is repeatable; SOAK_SEED replays
 * another (the soak prints its seed), SOAK_RUNS changes the number of runs.
 */
const seed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : 1;
const runs = Number(process.env.SOAK_RUNS) || 1;


for (const scenario of allScenarios) {
  test(`campaign ${scenario.name}: ${scenario.what}; 0 corrupt, 0 lost, 0 stuck`, async (t) => {
    const { summary } = await runScenario(scenario, { seed, runs, scale: CI_SCALE });
    if (summary.skipped) return t.skip(summary.skipped);
    t.diagnostic(`seed ${seed}: ${summary.runs} runs, ${summary.killed} killed, ${summary.ok} ok`);
    assert.equal(summary.runs, runs);
    const bad = { corrupt: summary.corrupt, lost: summary.lost, stuck: summary.stuck };
    assert.deepEqual(bad, { corrupt: 0, lost: 0, stuck: 0 }, summary.findings.map((f) => `${f.count}× ${f.finding}`).join('\n'));
  });
}

test('the campaign checks tell corrupt, lost and stuck apart (so a green campaign means something)', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-campaign-check-'));
  try {
    const dir = join(base, 'repo');
    await initRepo(dir);
    const expected = { 'm.bin': writeSeededFile(join(dir, 'm.bin'), 200_000, 3) };
    assert.equal((await trove(dir, ['add', 'm.bin'])).code, 0);
    const scale = { ...CI_SCALE, timeoutMs: 60_000 };
    const check = async (): Promise<Verdict> => {
      const v = new Verdict();
      await checkRepo(dir, expected, scale, v, ['m.bin']);
      return v;
    };
    assert.equal((await check()).outcome, 'ok');

    writeFileSync(join(dir, '.m.bin.tmp-1234-0'), 'left by a killed checkout');
    assert.equal((await check()).outcome, 'stuck');
    rmSync(join(dir, '.m.bin.tmp-1234-0'));

    const object = objectPath(dir, `sha256:${expected['m.bin']}`);
    const bytes = readFileSync(object);
    chmodSync(object, 0o644);
    writeFileSync(object, Buffer.concat([bytes.subarray(0, 10), Buffer.from([bytes[10]! ^ 1]), bytes.subarray(11)]));
    const corrupt = await check();
    assert.ok(corrupt.outcome === 'corrupt' || corrupt.outcome === 'lost', corrupt.findings.join('\n'));
    assert.ok(corrupt.findings.some((f) => f.startsWith('corrupt: trove fsck')), corrupt.findings.join('\n'));

    rmSync(object, { force: true });
    const lost = await check();
    assert.equal(lost.outcome, 'lost', lost.findings.join('\n'));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
