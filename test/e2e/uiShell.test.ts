import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTmpRepo, runCli } from '../helpers/tmpRepo.js';
import { uiSession } from '../helpers/uiSession.js';

describe('trove ui in Chromium: the shell', () => {
  const session = uiSession(() => createTmpRepo());

  test('the home page loads with the repository name and no script errors', async () => {
    const page = await session.browser.newPage();
    await page.goto(session.ui.url);
    const name = await page.getByTestId('repo-name').textContent();
    assert.match(name ?? '', /^trove-test-/);
    assert.equal(await page.getByTestId('overview').isVisible(), true);
    // An empty repository: every card counts nothing and says the first command instead.
    assert.match((await page.getByTestId('card-runs').textContent()) ?? '', /^0 runs.*import trove as keepsake/);
    assert.match((await page.getByTestId('card-data').textContent()) ?? '', /^0 tracked paths.*trove add/);
    assert.deepEqual(page.consoleErrors, []);
  });

  test('the home page counts runs, entities and tracked paths, and its cards lead to their pages', async () => {
    const repo = session.fixture;
    repo.write('data/a.txt', 'a\n');
    const add = runCli(repo.dir, ['add', 'data']);
    assert.equal(add.code, 0, add.stderr);
    const create = runCli(repo.dir, ['create', 'dataset', 'mnist', '--path', 'data']);
    assert.equal(create.code, 0, create.stderr);
    const page = await session.browser.newPage();
    await page.goto(session.ui.url);
    assert.match((await page.getByTestId('card-data').textContent()) ?? '', /^1 tracked path(?!s)/);
    assert.match((await page.getByTestId('card-registry').textContent()) ?? '', /^1 entity(?!s)/);
    await page.getByTestId('card-data').click();
    await page.waitForURL(/#\/data$/);
    assert.deepEqual(page.consoleErrors, []);
  });

  test('an unknown page says so instead of showing a blank screen', async () => {
    const page = await session.browser.newPage();
    await page.goto(`${session.ui.url}#/no/such/page`);
    assert.match((await page.getByTestId('not-found').textContent()) ?? '', /No page at #\/no\/such\/page/);
  });
});
