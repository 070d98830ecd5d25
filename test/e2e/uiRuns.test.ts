import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { initExperiment } from '../../src/api/initExperiment.js';
import type { Experiment } from '../../src/api/initExperiment.js';
import { bulkRuns, writeRuns, type FixtureRun } from '../helpers/experimentFixture.js';
import { createTmpRepo } from '../helpers/tmpRepo.js';
import { saveScreenshot } from '../helpers/uiBrowser.js';
import { uiSession } from '../helpers/uiSession.js';

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const LRS = [0.1, 0.03, 0.01, 0.003, 0.001, 0.0003];
const STEPS = 40;

/** Six finished runs: lr differs (batch does not), loss falls faster with a larger lr (with some noise, so best and last differ), one crashed. */
function finishedRuns(): FixtureRun[] {
  return LRS.map((lr, i) => ({
    id: `${i + 1}`.repeat(32),
    created: new Date(T0 + i * 3600_000).toISOString(),
    params: { lr, batch: 64, optimizer: i % 2 ? 'adam' : 'sgd' },
    primary_metric: { name: 'loss', goal: 'minimize' as const },
    status: i === 5 ? ('crashed' as const) : ('stopped' as const),
    checkpoints: Array.from({ length: STEPS }, (_, s) => ({
      step: s * 10,
      created: new Date(T0 + i * 3600_000 + (s + 1) * 1500).toISOString(),
      // a NaN at step 200 of the first run: drawn as a gap (null)
      metrics: { loss: i === 0 && s === 20 ? NaN : 2 * Math.exp(-s * lr * 4) + 0.05 * i + 0.03 + 0.02 * Math.sin(s * 1.3 + i), accuracy: 0.97 - Math.exp(-s * lr * 3) * 0.87 + 0.015 * Math.cos(s * 0.7 + i) },
    })),
  }));
}

/** What a column shows, top to bottom, for the rows in the DOM. */
async function column(page: Page, key: string): Promise<string[]> {
  return page.$$eval(`[data-testid="run-row"] td[data-col="${key}"]`, (tds) => tds.map((td) => td.textContent ?? ''));
}

async function rowIds(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="run-row"]', (trs) => trs.map((tr) => tr.getAttribute('data-id') ?? ''));
}

type Drawn = { series: { label: string; id: string; metric: string; x: number[]; y: (number | null)[] }[] };

async function drawn(page: Page): Promise<Drawn | null> {
  return page.evaluate(() => ((window as unknown as { __troveCharts?: Record<string, unknown> }).__troveCharts?.curves as Drawn | undefined) ?? null);
}

describe('trove ui in Chromium: the runs page', () => {
  let live: Experiment;
  const runs = finishedRuns();
  // Registered first, so it runs before the session's after hook closes the browser and server.
  after(async () => {
    await live?.stop().catch(() => {});
  });
  const session = uiSession(() => createTmpRepo(), {
    prepare: async (repo) => {
      repo.git('commit', '-q', '--allow-empty', '-m', 'init');
      writeRuns(repo.dir, runs);
      // A run still training, recorded by the library as a training script would (this process is its pid).
      live = await initExperiment({ cwd: repo.dir }, { params: { lr: 0.05, batch: 64, optimizer: 'adam' }, primaryMetric: ['loss', 'minimize'], remote: null });
      await live.checkpoint({ step: 0, metrics: { loss: 3, accuracy: 0.1 } });
    },
  });

  async function openRuns(): Promise<Page & { consoleErrors: string[] }> {
    const page = await session.browser.newPage();
    await page.goto(`${session.ui.url}#/runs`);
    await page.getByTestId('runs-table').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length >= 7);
    return page;
  }

  test('the runs page lists every run newest first, with only the params that differ and best and last of each metric', async () => {
    const page = await openRuns();
    assert.equal(await page.getByTestId('nav-runs').getAttribute('class'), 'active');
    const ids = await rowIds(page);
    assert.equal(ids.length, 7);
    assert.equal(ids[0], live.id, 'the live run started last');
    assert.deepEqual(ids.slice(1), runs.map((r) => r.id!).reverse());
    const headers = await page.$$eval('[data-testid="runs-table"] thead th', (ths) => ths.map((th) => th.textContent ?? ''));
    assert.ok(headers.includes('lr') && headers.includes('optimizer'), headers.join('|'));
    assert.ok(!headers.includes('batch'), 'batch is the same in every run: hidden by default');
    assert.ok(headers.includes('loss best') && headers.includes('loss last') && headers.includes('accuracy best'));
    assert.deepEqual(await page.$$eval('[data-testid="run-status"]', (b) => b.map((x) => x.textContent)), ['running', 'stopped', 'stopped', 'stopped', 'stopped', 'stopped', 'stopped'].map((s, i) => (i === 1 ? 'crashed' : s)));
    // best loss of run 1 (lr 0.1): the last step's value, NaN never best
    const run1 = runs[0]!.checkpoints!.map((c) => c.metrics!.loss as number).filter((v) => !Number.isNaN(v));
    const best = await page.$eval(`[data-id="${runs[0]!.id}"] td[data-col="best.loss"]`, (td) => td.textContent);
    assert.equal(Number(best), Number(Math.min(...run1).toPrecision(4)));
    // the id links to the run's page
    assert.equal(await page.$eval(`[data-id="${runs[0]!.id}"] [data-testid="run-link"]`, (a) => a.getAttribute('href')), `#/run/${runs[0]!.id}`);
    // the column chooser shows a hidden param
    await page.getByTestId('runs-columns').locator('summary').click();
    await page.getByTestId('runs-col-params.batch').check();
    assert.deepEqual(new Set(await column(page, 'params.batch')), new Set(['64']));
    await page.getByTestId('runs-columns-reset').click();
    assert.equal(await page.$$eval('td[data-col="params.batch"]', (t) => t.length), 0);
    await page.getByTestId('runs-columns').locator('summary').click();
    await saveScreenshot(page, 'runs');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('clicking a column header sorts by it, again reverses it; missing values stay last', async () => {
    const page = await openRuns();
    await page.getByTestId('runs-th-params.lr').click();
    // numbers sort descending first (the largest learning rate on top), a second click ascending
    const lrDesc = (await column(page, 'params.lr')).map(Number);
    assert.deepEqual(lrDesc, [...lrDesc].sort((a, b) => b - a));
    assert.equal(lrDesc[0], 0.1);
    await page.getByTestId('runs-th-params.lr').click();
    const lrAsc = (await column(page, 'params.lr')).map(Number);
    assert.deepEqual(lrAsc, [...lrDesc].reverse());
    await page.getByTestId('runs-th-best.loss').click();
    const loss = (await column(page, 'best.loss')).map(Number);
    assert.deepEqual(loss, [...loss].sort((a, b) => b - a));
    await page.getByTestId('runs-th-params.optimizer').click();
    const opt = await column(page, 'params.optimizer');
    assert.deepEqual(opt, [...opt].sort());
  });

  test('the filter box takes trove exp ls filters (lr>0.005 status=stopped) and shows a bad one inline', async () => {
    const page = await openRuns();
    await page.getByTestId('runs-filter').fill('lr>0.005 status=stopped');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 3);
    const expected = runs.filter((r) => (r.params!.lr as number) > 0.005 && r.status === 'stopped').map((r) => r.id!);
    assert.deepEqual(new Set(await rowIds(page)), new Set(expected));
    assert.match((await page.getByTestId('runs-count').textContent()) ?? '', /3 of 7 runs/);
    // the filter is in the address: reloading keeps it
    assert.equal(decodeURIComponent(await page.evaluate(() => window.location.hash)).replace(/\+/g, ' '), '#/runs?filter=lr>0.005 status=stopped');
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 3);
    assert.equal(await page.getByTestId('runs-filter').inputValue(), 'lr>0.005 status=stopped');
    // `loss` is the best checkpoint's, as in exp ls: runs 1 (0.07) and 3 (0.52) of the sgd ones
    await page.getByTestId('runs-filter').fill('loss<0.6 optimizer=sgd');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 2);
    await page.getByTestId('runs-filter').fill('lr >');
    assert.match((await page.getByTestId('runs-filter-error').textContent()) ?? '', /Cannot read the filter/);
    assert.equal(await page.getByTestId('runs-filter').getAttribute('aria-invalid'), 'true');
  });

  test("selecting two runs overlays their curves, and what is drawn is exactly the recorded metric (NaN as a gap)", async () => {
    const page = await openRuns();
    const [a, b] = [runs[0]!, runs[2]!];
    await page.locator(`[data-id="${a.id}"] [data-testid="run-select"]`).check();
    await page.locator(`[data-id="${b.id}"] [data-testid="run-select"]`).check();
    await page.waitForFunction(() => ((window as any).__troveCharts?.curves?.series?.length ?? 0) === 2);
    const d = (await drawn(page))!;
    assert.deepEqual(d.series.map((s) => s.id), [a.id, b.id]);
    for (const [i, run] of [a, b].entries()) {
      const s = d.series[i]!;
      assert.equal(s.metric, 'loss', 'the primary metric is shown first');
      assert.deepEqual(s.x, run.checkpoints!.map((c) => c.step));
      assert.deepEqual(s.y, run.checkpoints!.map((c) => (Number.isNaN(c.metrics!.loss as number) ? null : c.metrics!.loss)));
    }
    assert.equal(await page.locator('.runs-chart canvas').count() > 0, true, 'uPlot drew on a canvas');
    // x axis: time since the run's start
    await page.getByTestId('curves-x').selectOption('time');
    await page.waitForFunction(() => (window as any).__troveCharts.curves.series[0].x[0] === 1.5);
    assert.deepEqual((await drawn(page))!.series[1]!.x, b.checkpoints!.map((_, s) => (s + 1) * 1.5));
    // smoothing changes what is drawn; back to 0 gives the recorded values again
    const raw = b.checkpoints!.map((c) => c.metrics!.loss as number);
    await page.getByTestId('curves-smoothing').fill('0.9');
    await page.waitForFunction((r) => JSON.stringify((window as any).__troveCharts.curves.series[1].y) !== JSON.stringify(r), raw);
    const smooth = (await drawn(page))!.series[1]!.y as number[];
    assert.ok(Math.abs(smooth[0]! - raw[0]!) < 1e-12, 'the debiased EMA starts at the first value');
    assert.ok(smooth[10]! > raw[10]!, 'a falling curve smoothed lags above it');
    // a second metric adds a curve per run
    await page.getByTestId('curves-metric-accuracy').check();
    await page.waitForFunction(() => (window as any).__troveCharts.curves.series.length === 4);
    await page.getByTestId('curves-smoothing').fill('0');
    await page.getByTestId('curves-x').selectOption('step');
    await page.getByTestId('curves-metric-accuracy').uncheck();
    await page.waitForFunction(() => (window as any).__troveCharts.curves.series.length === 2 && (window as any).__troveCharts.curves.series[0].x[1] === 10);
    await page.locator('[data-testid="runs-curves"][data-state="ok"] .runs-chart canvas').waitFor();
    await saveScreenshot(page, 'runs-curves');
    // two selected: a link compares them side by side
    assert.equal(await page.getByTestId('runs-compare').getAttribute('href'), `#/compare?ids=${encodeURIComponent(`${a.id},${b.id}`)}`);
    assert.deepEqual(page.consoleErrors, []);
  });

  test('the address keeps the selection and metric (#/runs?select=…&metric=…), so a comparison can be bookmarked', async () => {
    const page = await session.browser.newPage();
    const [a, b] = [runs[1]!.id!, runs[3]!.id!];
    await page.goto(`${session.ui.url}#/runs?select=${a.slice(0, 8)},${b}&metric=accuracy`);
    await page.waitForFunction(() => ((window as any).__troveCharts?.curves?.series?.length ?? 0) === 2);
    const d = (await drawn(page))!;
    assert.deepEqual(d.series.map((s) => [s.id, s.metric]), [[a, 'accuracy'], [b, 'accuracy']]);
    assert.deepEqual(d.series[1]!.y, runs[3]!.checkpoints!.map((c) => c.metrics!.accuracy));
    assert.equal(await page.locator(`[data-id="${a}"] [data-testid="run-select"]`).isChecked(), true);
    // the page marks when its table and curves were drawn (bench/ui.mjs reads them)
    assert.equal(await page.evaluate(() => performance.getEntriesByName('trove:runs-table', 'mark').length + performance.getEntriesByName('trove:curves-drawn', 'mark').length), 2);
    await page.getByTestId('curves-metric-loss').check();
    await page.locator(`[data-id="${runs[0]!.id}"] [data-testid="run-select"]`).check();
    await page.waitForFunction(() => (window as any).__troveCharts.curves.series.length === 6);
    const hash = await page.evaluate(() => window.location.hash);
    // a prefix from the address becomes the full id once the selection changes
    assert.equal(decodeURIComponent(hash), `#/runs?select=${a},${b},${runs[0]!.id}&metric=accuracy,loss`);
  });

  test('Export CSV downloads the rows and columns shown', async () => {
    const page = await openRuns();
    await page.getByTestId('runs-filter').fill('status=stopped');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-row"]').length === 5);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('runs-csv').click()]);
    assert.equal(download.suggestedFilename(), 'runs.csv');
    const text = readFileSync((await download.path())!, 'utf8');
    const lines = text.trim().split(/\r\n/);
    assert.equal(lines.length, 6);
    const header = lines[0]!.split(',');
    assert.deepEqual(header.slice(0, 4), ['id', 'status', 'started', 'checkpoints']);
    assert.ok(header.includes('lr') && header.includes('best_loss') && !header.includes('batch'), header.join(','));
    const row1 = lines.find((l) => l.startsWith(runs[1]!.id!))!.split(',');
    assert.equal(row1[header.indexOf('lr')], '0.03');
    assert.equal(Number(row1[header.indexOf('last_loss')]), runs[1]!.checkpoints!.at(-1)!.metrics!.loss);
  });

  test('a run still training updates live: its new checkpoint shows in the table and in its curve', async () => {
    const page = await openRuns();
    const row = `[data-id="${live.id}"]`;
    assert.equal(await page.$eval(`${row} td[data-col="checkpoints"]`, (td) => td.textContent), '1');
    await page.locator(`${row} [data-testid="run-select"]`).check();
    await page.waitForFunction(() => ((window as any).__troveCharts?.curves?.series?.[0]?.y?.length ?? 0) === 1);
    await live.checkpoint({ step: 1, metrics: { loss: 2.5, accuracy: 0.2 } });
    await live.checkpoint({ step: 2, metrics: { loss: 1.25, accuracy: 0.3 } });
    await page.waitForFunction((sel) => document.querySelector(`${sel} td[data-col="checkpoints"]`)?.textContent === '3', row, { timeout: 10_000 });
    assert.equal(await page.$eval(`${row} td[data-col="last.loss"]`, (td) => td.textContent), '1.25');
    await page.waitForFunction(() => (window as any).__troveCharts.curves.series[0].y.length === 3, undefined, { timeout: 10_000 });
    assert.deepEqual((await drawn(page))!.series[0]!.y, [3, 2.5, 1.25]);
    assert.deepEqual(page.consoleErrors, []);
  });
});

describe('trove ui in Chromium: 1,000 runs', () => {
  const session = uiSession(() => createTmpRepo(), { prepare: (repo) => { writeRuns(repo.dir, bulkRuns(1000, 20)); } });

  test('the table draws only the rows in view, sorts and filters all 1,000, and scrolls to the last one', async () => {
    const page = await session.browser.newPage();
    const t = Date.now();
    await page.goto(`${session.ui.url}#/runs`);
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-count"]')?.textContent?.startsWith('1000 runs'));
    const ms = Date.now() - t;
    const inDom = await page.locator('[data-testid="run-row"]').count();
    assert.ok(inDom > 10 && inDom < 100, `${inDom} rows in the DOM for 1,000 runs`);
    assert.ok(ms < 10_000, `the table of 1,000 runs took ${ms} ms`);
    await page.getByTestId('runs-th-params.seed').click(); // descending: seed 999 first
    assert.equal((await column(page, 'params.seed'))[0], '999');
    await page.getByTestId('runs-table-box').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForFunction(() => [...document.querySelectorAll('td[data-col="params.seed"]')].some((td) => td.textContent === '0'));
    await page.getByTestId('runs-filter').fill('learning_rate=0.01 seed<100');
    await page.waitForFunction(() => document.querySelector('[data-testid="runs-count"]')?.textContent?.startsWith('25 of 1000'));
    assert.deepEqual(page.consoleErrors, []);
  });
});

describe('trove ui in Chromium: no runs yet', () => {
  const session = uiSession(() => createTmpRepo());
  test('a repository without runs says how to record one instead of showing an empty table', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.ui.url}#/runs`);
    assert.match((await page.getByTestId('runs-empty').textContent()) ?? '', /No experiment runs in this repository yet/);
    assert.match((await page.getByTestId('runs-count').textContent()) ?? '', /^0 runs/);
    assert.deepEqual(page.consoleErrors, []);
  });
});
