import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { initExperiment } from '../../src/api/initExperiment.js';
import { makeRunFixture } from '../helpers/uiRunFixture.js';
import { saveScreenshot } from '../helpers/uiBrowser.js';
import { uiSession } from '../helpers/uiSession.js';

type Charts = Record<string, { series: { label: string; x: unknown[]; y: unknown[]; ids?: string[] }[]; selected?: string[] }>;

/**
 * window.__troveCharts once `ok` holds (Preact runs effects after the paint). Polled with
 * evaluate, not waitForFunction: that one compiles its predicate in the page, which the
 * UI's Content-Security-Policy (no eval) refuses with a console error.
 */
async function chartsUntil(page: Page, ok: (c: Charts) => boolean): Promise<Charts> {
  for (let i = 0; ; i++) {
    const c = (await page.evaluate('window.__troveCharts')) as Charts;
    if (ok(c) || i >= 100) return c;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('trove ui in Chromium: a run, compare, plots', () => {
  const session = uiSession(makeRunFixture, { repoOf: (fx) => fx.repo });

  test('the run page shows params, every checkpoint with the bytes it added, its metrics chart, and a file downloads byte for byte', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.ui.url}#/run/${session.fixture.a.slice(0, 10)}`);
    await page.getByTestId('run-checkpoints').waitFor();
    assert.equal(await page.getByTestId('run-id').getAttribute('title'), session.fixture.a);
    assert.match((await page.getByTestId('run-params').textContent()) ?? '', /lr\s*0\.1/);
    const rows = page.getByTestId('run-checkpoint');
    assert.equal(await rows.count(), 2);
    const added = await page.getByTestId('run-bytes-added').evaluateAll((tds) => tds.map((td) => [Number(td.getAttribute('data-bytes')), td.textContent]));
    assert.deepEqual(added.map((a) => a[0]), session.fixture.storeGrowth);
    assert.match(String(added[0]![1]), /^3\.\d\d MiB$/, 'human size of the first checkpoint');
    assert.match(String(added[1]![1]), /KiB$/, 'the second adds only KiBs');
    const charts = (await page.evaluate('window.__troveCharts')) as Charts;
    const acc = charts['run-metrics']!.series.find((s) => s.label === 'accuracy')!;
    assert.deepEqual([acc.x, acc.y], [[1, 2], [0.7, 0.8]]);
    // The latest checkpoint with files is selected: its files, with download links.
    await page.getByTestId('run-files').waitFor();
    assert.deepEqual(await page.getByTestId('run-file').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-path'))), ['config.json', 'model.bin']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=run-file][data-path="model.bin"] [data-testid=run-download]').click()]);
    assert.equal(download.suggestedFilename(), 'model.bin');
    const got = readFileSync((await download.path())!);
    assert.equal(got.equals(session.fixture.modelAtStep2), true, `downloaded ${got.length} bytes`);
    await saveScreenshot(page, 'run');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('compare of two runs highlights the param that differs and shows the code diff with + and - lines', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.ui.url}#/compare?ids=${session.fixture.a.slice(0, 8)},${session.fixture.b.slice(0, 8)}`);
    await page.getByTestId('compare-params').waitFor();
    const lr = page.locator('[data-testid=compare-params] [data-testid=compare-row][data-key="lr"]');
    assert.equal(await lr.getAttribute('data-differs'), 'true');
    assert.match((await lr.getAttribute('class')) ?? '', /compare-differs/);
    const bg = await lr.locator('td').first().evaluate((td) => getComputedStyle(td).backgroundColor);
    assert.notEqual(bg, 'rgba(0, 0, 0, 0)', 'the differing row is coloured');
    const batch = page.locator('[data-testid=compare-params] [data-testid=compare-row][data-key="batch"]');
    assert.equal(await batch.getAttribute('data-differs'), 'false');
    const file = page.locator('[data-testid=code-diff-file][data-path="train.py"]');
    await file.waitFor();
    assert.deepEqual(await file.locator('.diff-del').allTextContents(), ['-lr = 0.1']);
    assert.deepEqual(await file.locator('.diff-add').allTextContents(), ['+lr = 0.01', '+print("done")']);
    const addColour = await file.locator('.diff-add').first().evaluate((d) => getComputedStyle(d).backgroundColor);
    assert.notEqual(addColour, 'rgba(0, 0, 0, 0)');
    await page.getByTestId('compare-only-diff').check();
    assert.equal(await page.locator('[data-testid=compare-params] [data-testid=compare-row][data-key="batch"]').count(), 0, 'equal params hidden');
    await page.getByTestId('compare-only-diff').uncheck();
    await saveScreenshot(page, 'compare');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('plots: the scatter draws exactly the runs\' (lr, best accuracy) pairs and exports them as CSV; brushing an axis filters the parallel coordinates', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.ui.url}#/plots`);
    await page.getByTestId('parallel-svg').waitFor();
    assert.equal(await page.getByTestId('parallel-line').count(), 4);
    await page.getByTestId('scatter-x').selectOption('param:lr');
    await page.getByTestId('scatter-y').selectOption('metric:accuracy');
    assert.equal(await page.getByTestId('scatter-point').count(), 4);
    await chartsUntil(page, (c) => c['scatter']?.series[0]?.label === 'accuracy (best) vs lr');
    const charts = (await page.evaluate('window.__troveCharts')) as Charts;
    const s = charts['scatter']!.series[0]!;
    const drawn = s.ids!.map((id, i) => ({ id, lr: s.x[i], accuracy: s.y[i] })).sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(drawn, [...session.fixture.points].sort((a, b) => (a.id < b.id ? -1 : 1)));
    const par = charts['parallel']!.series.find((x) => x.label === session.fixture.c)!;
    assert.equal(par.y[par.x.indexOf('param:lr')], 0.001);
    assert.equal(par.y[par.x.indexOf('param:optimizer')], 'sgd', 'a categorical axis');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('scatter-csv').click()]);
    const lines = readFileSync((await csv.path())!, 'utf8').trim().split(/\r?\n/);
    assert.equal(lines[0], 'run,lr,accuracy (best)');
    assert.deepEqual(lines.slice(1).sort(), session.fixture.points.map((p) => `${p.id},${p.lr},${p.accuracy}`).sort());

    // Brush the top 30% of the accuracy axis (0.65..0.85: from 0.79 up), so only 0.8 (A) and 0.85 (B) stay.
    const hit = page.locator('[data-testid=parallel-axis][data-key="metric:accuracy"] [data-testid=parallel-axis-hit]');
    const box = (await hit.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.3, { steps: 4 });
    await page.mouse.up();
    // Preact runs effects after the paint: wait for the chart to report the new selection.
    await chartsUntil(page, (c) => c['parallel']?.selected?.length !== 4);
    const after = (await page.evaluate('window.__troveCharts')) as Charts;
    assert.deepEqual([...after['parallel']!.selected!].sort(), [session.fixture.a, session.fixture.b].sort());
    assert.match((await page.getByTestId('parallel-count').textContent()) ?? '', /^2 of 4 runs/);
    // Both charts in the picture: the parallel coordinates' heading just under the top bar.
    await page.evaluate("window.scrollTo(0, document.querySelector('[data-testid=plots-dims]').getBoundingClientRect().top + window.scrollY - 90)");
    await saveScreenshot(page, 'plots');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('the page of a run still training shows its new checkpoints as they are recorded', async () => {
    const exp = await initExperiment({ cwd: session.fixture.repo.dir }, { params: { lr: 0.2 }, primaryMetric: ['accuracy', 'maximize'] });
    try {
      await exp.checkpoint({ step: 1, metrics: { accuracy: 0.5 } });
      const page = await session.browser.newPage();
      await page.goto(`${session.ui.url}#/run/${exp.id}`);
      await page.getByTestId('run-checkpoints').waitFor();
      assert.equal(await page.getByTestId('run-status').textContent(), 'running');
      assert.equal(await page.getByTestId('run-checkpoint').count(), 1);
      await exp.checkpoint({ step: 2, metrics: { accuracy: 0.6 } });
      await page.locator('[data-testid=run-checkpoint]:nth-child(2)').waitFor({ timeout: 15_000 });
      const charts = await chartsUntil(page, (c) => c['run-metrics']?.series[0]?.x.length === 2);
      assert.deepEqual(charts['run-metrics']!.series.find((x) => x.label === 'accuracy')!.y, [0.5, 0.6]);
      assert.deepEqual(page.consoleErrors, []);
    } finally {
      await exp.stop();
    }
  });
});
