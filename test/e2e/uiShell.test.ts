import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTmpRepo } from '../helpers/tmpRepo.js';
import { uiSession } from '../helpers/uiSession.js';

describe('trove ui in Chromium: the shell', () => {
  const session = uiSession(() => createTmpRepo());

  test('the home page loads with the repository name and no script errors', async () => {
    const page = await session.browser.newPage();
    await page.goto(session.ui.url);
    const name = await page.getByTestId('repo-name').textContent();
    assert.match(name ?? '', /^trove-test-/);
    assert.equal(await page.getByTestId('overview').isVisible(), true);
    assert.deepEqual(page.consoleErrors, []);
  });

  test('an unknown page says so instead of showing a blank screen', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.ui.url}#/no/such/page`);
    assert.match((await page.getByTestId('not-found').textContent()) ?? '', /No page at #\/no\/such\/page/);
  });
});
