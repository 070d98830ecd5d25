import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTmpRepo, pseudoRandom, runCli, type TmpRepo } from '../helpers/tmpRepo.js';
import { saveScreenshot } from '../helpers/uiBrowser.js';
import { uiSession } from '../helpers/uiSession.js';

const CSV_V1 = 'id,species,length_cm\n1,trout,31\n2,perch,22\n3,pike,64\n4,carp,45\n';
/** v2: row 2 removed, row 5 added, row 3's length changed (paired by id) */
const CSV_V2 = 'id,species,length_cm\n1,trout,31\n3,pike,66\n4,carp,45\n5,eel,58\n';
const MANY = 3000;

describe('trove ui in Chromium: data history and data diff', () => {
  const commits: string[] = [];
  const commit = (repo: TmpRepo, msg: string, ...paths: string[]): void => {
    const r = runCli(repo.dir, ['add', ...paths]);
    assert.equal(r.code, 0, r.stderr);
    repo.git('add', '-A');
    repo.git('commit', '-qm', msg);
    commits.push(repo.git('rev-parse', 'HEAD').trim());
  };

  const session = uiSession(() => createTmpRepo(), {
    prepare: (repo) => {
      repo.write('data/fish.csv', CSV_V1);
      for (let i = 0; i < 6; i++) repo.write(`data/images/img${i}.bin`, pseudoRandom(20_000 + i * 5_000, i + 1));
      commit(repo, 'data: first catch', 'data');
      repo.write('data/fish.csv', CSV_V2);
      repo.write('data/images/img6.bin', pseudoRandom(80_000, 7));
      repo.write('data/labels/extra.txt', 'eel\n');
      for (let i = 0; i < MANY; i++) repo.write(`many/f${String(i).padStart(5, '0')}.txt`, `file ${i}\n`);
      commit(repo, 'data: eel season, a new image and labels', 'data', 'many');
      repo.write('data/images/img0.bin', pseudoRandom(20_000, 99));
      commit(repo, 'data: img0 re-shot', 'data');
    },
  });

  test('the data page lists tracked paths; a path opens its history with sizes, bytes new and the chart', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.ui.url}#/data`);
    await page.getByTestId('data-path-row').first().waitFor();
    const paths = await page.getByTestId('data-path-link').allTextContents();
    assert.deepEqual(paths, ['data', 'many']);
    await page.getByTestId('data-path-link').first().click();
    await page.getByTestId('data-versions').waitFor();
    assert.equal(page.url().endsWith('#/data/data'), true, page.url());
    const rows = page.getByTestId('data-version-row');
    assert.equal(await rows.count(), 3);
    assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-commit'))), [commits[2], commits[1], commits[0]]);
    // What the API says, the table and the chart show.
    const api = (await (await fetch(`${session.ui.origin}/api/history?path=data`)).json()) as { versions: { bytesNew: number; size: number }[] };
    assert.equal(api.versions[1]!.bytesNew, CSV_V2.length + 80_000 + 4);
    const bytesNew = await page.getByTestId('data-bytes-new').evaluateAll((cs) => cs.map((c) => c.getAttribute('title')));
    assert.deepEqual(bytesNew, api.versions.map((v) => `${v.bytesNew} bytes`));
    const chart = await page.evaluate(() => (window as unknown as { __troveCharts: Record<string, { series: { label: string; y: number[] }[] }> }).__troveCharts['data-history']);
    assert.deepEqual(chart!.series.map((s) => s.label), ['size', 'bytes new']);
    assert.deepEqual(chart!.series[1]!.y, [...api.versions].reverse().map((v) => v.bytesNew));
    assert.deepEqual(chart!.series[0]!.y, [...api.versions].reverse().map((v) => v.size));
    assert.equal(await page.locator('[data-testid="chart-data-history"] rect.data-bar').count(), 6);
    await saveScreenshot(page, 'data-history');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('pick two versions, open the data diff: the added, removed and changed files with sizes; then a CSV row diff', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.ui.url}#/data/data`);
    await page.getByTestId('data-versions').waitFor();
    const picks = page.getByTestId('data-version-pick');
    // The two newest are picked at first: swap the newest for the oldest (v1 → v2).
    await picks.nth(0).uncheck();
    await picks.nth(2).check();
    await page.getByTestId('data-compare').click();
    await page.getByTestId('data-diff-files').waitFor();
    const hash = new URLSearchParams(page.url().split('#/datadiff?')[1]);
    assert.equal(hash.get('from'), commits[0]);
    assert.equal(hash.get('to'), commits[1]);
    const files = await page.getByTestId('data-diff-file').evaluateAll((rs) =>
      rs.map((r) => [r.getAttribute('data-path'), r.getAttribute('data-change'), [...r.querySelectorAll('td')].slice(2, 4).map((td) => td.textContent)]),
    );
    assert.deepEqual(files, [
      ['fish.csv', 'modified', [`${CSV_V1.length} B`, `${CSV_V2.length} B`]],
      ['images/img6.bin', 'added', ['', '78.1 KiB']],
      ['labels/extra.txt', 'added', ['', '4 B']],
    ]);
    assert.match((await page.getByTestId('data-diff-totals').textContent()) ?? '', /\+2 added .*−0 removed.*~1 changed/);
    // The filter narrows the list.
    await page.getByTestId('data-diff-filter').fill('img');
    assert.equal(await page.getByTestId('data-diff-file').count(), 1);
    assert.match((await page.getByTestId('data-diff-count').textContent()) ?? '', /^1 of 3 files/);
    await page.getByTestId('data-diff-filter').fill('');
    // The CSV's rows: one removed, one added, one changed (paired by id, the changed cell marked).
    await page.getByTestId('data-rowdiff-link').click();
    await page.getByTestId('data-rowdiff-rows').waitFor();
    const removed = await page.getByTestId('data-row-removed').evaluateAll((rs) => rs.map((r) => [...r.querySelectorAll('td')].slice(2).map((td) => td.textContent)));
    const added = await page.getByTestId('data-row-added').evaluateAll((rs) => rs.map((r) => [...r.querySelectorAll('td')].slice(2).map((td) => td.textContent)));
    assert.deepEqual(removed, [['3', 'pike', '64'], ['2', 'perch', '22']]);
    assert.deepEqual(added, [['3', 'pike', '66'], ['5', 'eel', '58']]);
    assert.equal(await page.locator('[data-testid="data-row-added"] td.data-cell-changed').allTextContents().then((t) => t.join()), '66');
    assert.match((await page.getByTestId('data-rowdiff-counts').textContent()) ?? '', /\+1 added · −1 removed · 1 changed \(by id\) · 2 unchanged/);
    await saveScreenshot(page, 'data-diff');
    assert.deepEqual(page.consoleErrors, []);
  });

  test(`a diff of ${MANY} files renders only the rows in view, and scrolling shows the last`, async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.ui.url}#/datadiff?path=many&from=${commits[0]}&to=${commits[1]}`);
    await page.getByTestId('data-diff-files').waitFor();
    assert.equal(await page.getByTestId('data-diff-files').getAttribute('data-total'), String(MANY));
    const inDom = await page.getByTestId('data-diff-file').count();
    assert.ok(inDom > 10 && inDom < 80, `${inDom} rows in the DOM`);
    await page.getByTestId('data-diff-files').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
      el.dispatchEvent(new Event('scroll'));
    });
    await page.locator(`[data-testid="data-diff-file"][data-path="f${String(MANY - 1).padStart(5, '0')}.txt"]`).waitFor();
    assert.ok((await page.getByTestId('data-diff-file').count()) < 80);
  });
});
