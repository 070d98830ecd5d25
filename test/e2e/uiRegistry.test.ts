import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildUiRegistryWorld } from '../helpers/uiRegistryFixture.js';
import { saveScreenshot } from '../helpers/uiBrowser.js';
import { uiSession } from '../helpers/uiSession.js';

interface Drawn {
  nodes: { id: string; kind: string; href: string; focus?: boolean }[];
  edges: { from: string; to: string; kind: string }[];
}
interface Timeline {
  lanes: string[];
  markers: { lane: string; kind: string; version: string | null; time: number }[];
  spans: { stage: string; version: string; from: number; to: number | null }[];
}

/**
 * The registry pages in real Chromium against `trove ui` on a repository
 * made with the real CLI (test/helpers/uiRegistryFixture.ts): two model
 * versions promoted from two runs, v2 in staging and production.
 */
describe('trove ui in Chromium: registry, entity, lineage', () => {
  const session = uiSession(buildUiRegistryWorld);

  test('the registry page lists every entity with type, categories, latest and what each stage holds', async () => {
    const page = await session.browser.newPage();
    await page.goto(session.ui.url);
    await page.getByTestId('nav-registry').click();
    const table = page.getByTestId('registry-table');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), 3);
    const model = page.getByTestId('registry-row-modelmnist');
    assert.match((await model.textContent()) ?? '', /model/);
    assert.match((await model.textContent()) ?? '', /handwritten \/ digits/);
    assert.equal((await page.getByTestId('registry-stage-modelmnist-production').textContent())?.trim(), 'v2.0.0');
    assert.equal((await page.getByTestId('registry-stage-modelmnist-staging').textContent())?.trim(), 'v2.0.0');
    assert.equal((await page.getByTestId('registry-stage-mnist-production').textContent())?.trim(), '–');
    // The type filter keeps the datasets only.
    await page.getByTestId('registry-type').selectOption('dataset');
    assert.equal(await table.locator('tbody tr').count(), 1);
    await page.getByTestId('registry-type').selectOption('');
    await page.mouse.move(640, 700); // no hover underline in the picture
    await saveScreenshot(page, 'registry');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('the entity page shows the versions with their metrics, the trove metrics table and the promotions on the timeline', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.ui.url}#/registry`);
    await page.getByTestId('registry-link-modelmnist').click();
    await page.getByTestId('entity-versions').waitFor();
    assert.equal(await page.getByTestId('entity-name').textContent(), 'modelmnist');
    // Newest first, one column per metric.
    const rows = page.getByTestId('entity-versions').locator('tbody tr');
    assert.equal(await rows.count(), 2);
    assert.equal(await rows.first().getAttribute('data-testid'), 'entity-version-v2.0.0');
    assert.equal(await page.getByTestId('entity-metric-v2.0.0-accuracy').textContent(), '0.9746');
    assert.equal(await page.getByTestId('entity-metric-v1.0.0-accuracy').textContent(), '0.95');
    assert.match((await page.getByTestId('entity-version-v2.0.0').textContent()) ?? '', /labelsmnist@v2\.0\.0, mnist@v2\.0\.0/);
    assert.equal(await page.getByTestId('entity-run-v2.0.0').getAttribute('href'), `#/run/${session.fixture.runB}`);
    assert.match((await page.getByTestId('entity-stage-production').textContent()) ?? '', /production\s*v2\.0\.0/);
    // The table of seed 002, as trove metrics prints it.
    const metricsRows = page.getByTestId('entity-metrics-row');
    assert.equal(await metricsRows.count(), 2);
    assert.deepEqual(await metricsRows.nth(1).locator('td').allTextContents(), ['2026-01-02 12:00:00', 'modelmnist@v2.0.0', 'mnist - (v2.0.0)', 'labelsmnist - (v2.0.0)', '0.9746', '0.3']);
    // The timeline: v1 held production from its merge until v2's; v2 holds it now.
    await page.getByTestId('stage-timeline').waitFor();
    const drawn = (await page.evaluate(() => (window as any).__troveCharts['stage-timeline'])) as Timeline;
    assert.deepEqual(drawn.lanes, ['versions', 'dev', 'staging', 'production']);
    const prod = drawn.spans.filter((s) => s.stage === 'production').map((s) => [s.version, s.from, s.to]);
    assert.deepEqual(prod, [
      ['v1.0.0', Date.parse('2026-01-03T11:00:00Z') / 1000, Date.parse('2026-01-05T11:00:00Z') / 1000],
      ['v2.0.0', Date.parse('2026-01-05T11:00:00Z') / 1000, null],
    ]);
    const promo = page.locator('[data-testid="timeline-marker"][data-kind="assign"][data-lane="production"][data-version="v2.0.0"]');
    assert.equal(await promo.count(), 1);
    assert.match((await promo.locator('title').textContent()) ?? '', /v2\.0\.0 → production, 2026-01-05 11:00 UTC, promoted by Ann/);
    assert.equal(await page.locator('[data-testid="timeline-marker"][data-kind="register"]').count(), 2);
    await saveScreenshot(page, 'entity');
    assert.deepEqual(page.consoleErrors, []);
  });

  test('follow the lineage from the production model through its run to its dataset, by clicking', async () => {
    const page = await session.browser.newPage();
    // The whole graph first (the picture in docs/ui.md).
    await page.goto(`${session.ui.url}#/lineage`);
    await page.getByTestId('lineage-graph').waitFor();
    const all = (await page.evaluate(() => (window as any).__troveCharts['lineage'])) as Drawn;
    assert.equal(all.nodes.filter((n) => n.kind === 'run').length, 2);
    assert.equal(await page.getByTestId('lineage-edge').count(), all.edges.length);
    await saveScreenshot(page, 'lineage');

    // Registry → what production holds → its lineage.
    await page.getByTestId('nav-registry').click();
    await page.getByTestId('registry-stage-modelmnist-production').getByRole('link', { name: 'v2.0.0' }).click();
    await page.getByTestId('entity-versions').waitFor();
    assert.match(await page.getByTestId('entity-version-v2.0.0').getAttribute('class') ?? '', /reg-selected/);
    await page.getByTestId('entity-lineage').click();
    await page.getByTestId('lineage-graph').waitFor();
    assert.equal(await page.getByTestId('lineage-focus').textContent(), 'modelmnist@v2.0.0');
    const g = (await page.evaluate(() => (window as any).__troveCharts['lineage'])) as Drawn;
    const has = (from: string, to: string, kind: string): boolean => g.edges.some((e) => e.from === from && e.to === to && e.kind === kind);
    const run = `run:${session.fixture.runB}`;
    // dataset → run → model → stage
    assert.ok(has('v:mnist@v2.0.0', run, 'input'));
    assert.ok(has(run, 'v:modelmnist@v2.0.0', 'produced'));
    assert.ok(has('v:modelmnist@v2.0.0', 'stage:modelmnist#production', 'stage'));
    assert.equal(g.nodes.find((n) => n.focus)?.id, 'v:modelmnist@v2.0.0');
    assert.ok(!g.nodes.some((n) => n.id === 'v:mnist@v1.0.0'), 'v1 data is not in v2\'s lineage');
    // Laid out left to right: the dataset before the run, the run before the model.
    const x = (await page.evaluate(() => Object.fromEntries((window as any).__troveCharts['lineage'].nodes.map((n: any) => [n.id, n.x])))) as Record<string, number>;
    assert.ok(x['v:mnist@v2.0.0']! < x[run]! && x[run]! < x['v:modelmnist@v2.0.0']! && x['v:modelmnist@v2.0.0']! < x['stage:modelmnist#production']!);

    // The run node opens the run's page; back, then the dataset node opens mnist at v2.0.0.
    await page.getByTestId(`lineage-node-${run}`).click();
    await page.waitForFunction((id) => window.location.hash === `#/run/${id}`, session.fixture.runB);
    await page.goBack();
    await page.getByTestId('lineage-graph').waitFor();
    await page.getByTestId('lineage-node-v:mnist@v2.0.0').click();
    await page.getByTestId('entity-versions').waitFor();
    assert.equal(await page.getByTestId('entity-name').textContent(), 'mnist');
    assert.match(await page.getByTestId('entity-version-v2.0.0').getAttribute('class') ?? '', /reg-selected/);
    assert.equal(await page.getByTestId('entity-data').getAttribute('href'), '#/data/dataset/handwritten/digits/mnist');
    assert.deepEqual(page.consoleErrors, []);
  });
});
