import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTmpRepo, type TmpRepo } from '../helpers/tmpRepo.js';
import { launchBrowser, type UiBrowser } from '../helpers/uiBrowser.js';
import { startUiServer, type RunningUi } from '../helpers/uiServer.js';

describe('trove ui in Chromium: the shell', () => {
  let repo: TmpRepo;
  let ui: RunningUi;
  let browser: UiBrowser;
  before(async () => {
    repo = createTmpRepo();
    ui = await startUiServer(repo.dir);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await ui?.stop();
    repo?.cleanup();
  });

  test('the home page loads with the repository name and no script errors', async () => {
    const page = await browser.newPage();
    await page.goto(ui.url);
    const name = await page.getByTestId('repo-name').textContent();
    assert.match(name ?? '', /^trove-test-/);
    assert.equal(await page.getByTestId('overview').isVisible(), true);
    assert.deepEqual(page.consoleErrors, []);
  });

  test('an unknown page says so instead of showing a blank screen', async () => {
    const page = await browser.newPage();
    await page.goto(`${ui.url}#/no/such/page`);
    assert.match((await page.getByTestId('not-found').textContent()) ?? '', /No page at #\/no\/such\/page/);
  });
});
