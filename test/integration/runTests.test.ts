import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('../../../scripts/run-tests.mjs', import.meta.url));

/** Run scripts/run-tests.mjs on a tiny test tree of plain CommonJS files. */
function runOn(files: Record<string, string>): { code: number | null; stdout: string; lastLine: string } {
  const dir = mkdtempSync(join(tmpdir(), 'trove-runner-'));
  try {
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, [RUNNER, '--dir', dir], { encoding: 'utf8', env });
    return { code: r.status, stdout: r.stdout, lastLine: r.stdout.trim().split('\n').pop() ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const passing = `const { test } = require('node:test');\ntest('adds', () => {});\ntest('parent', async (t) => { await t.test('child ok', () => {}); });\n`;

test('the test runner ends with a summary: totals per suite, every failure by name and file, and one plain closing line', () => {
  const r = runOn({
    'unit/a.test.js': `${passing}test('fails here', () => { throw new Error('expected 1 got 2'); });\ntest('skipped one', { skip: true }, () => {});\n`,
    'e2e/b.test.js': `const { test } = require('node:test');\ntest('never runs', () => {});\n`,
    'e2e/c.test.js': `throw new Error('boom at import');\n`,
  });
  assert.equal(r.code, 1);
  assert.equal(r.lastLine, '4 passed, 2 failed, 1 skipped');
  assert.match(r.stdout, /^ {2}unit +3 passed +1 failed +1 skipped$/m);
  assert.match(r.stdout, /^ {2}e2e +1 passed +1 failed +0 skipped$/m);
  assert.match(r.stdout, /✗ \[unit\] fails here\n.*a\.test\.js: expected 1 got 2/);
});

test('the test runner counts a file that fails at import as a failure, named by its file, with its error', () => {
  const r = runOn({ 'unit/ok.test.js': passing, 'unit/broken.test.js': `require('./no-such-module');\n` });
  assert.equal(r.code, 1);
  assert.equal(r.lastLine, '3 passed, 1 failed, 0 skipped');
  assert.match(r.stdout, /✗ \[unit\] \(the file failed before its tests ran.*\n.*broken\.test\.js: Error: Cannot find module/);
});

test('the test runner exits 0 with "N passed, 0 failed" when everything passes', () => {
  const r = runOn({ 'unit/ok.test.js': passing });
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.lastLine, '3 passed, 0 failed, 0 skipped');
  assert.doesNotMatch(r.stdout, /failures \(/);
});
