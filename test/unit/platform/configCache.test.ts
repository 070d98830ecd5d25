import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/platform/config.js';
import { hookFastPath } from '../../../src/cli/hookFastPath.js';

function troveDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'trove-unit-')), '.trove');
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  return dir;
}

test('config parse cache: an edit by hand that keeps size and mtime is still seen (the cache is keyed by the exact text)', () => {
  const dir = troveDir();
  try {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'version: 1\ncore:\n  jobs: 3\n');
    assert.equal(loadConfig(dir, {}).core.jobs, 3);
    const cache = join(dir, 'tmp', 'config.parsed.json');
    assert.equal(statSync(cache).mode & 0o777, 0o600, 'it holds what config.local.yaml holds: owner only');
    const { mtime } = statSync(file);
    writeFileSync(file, 'version: 1\ncore:\n  jobs: 5\n');
    utimesSync(file, mtime, mtime);
    assert.equal(loadConfig(dir, {}).core.jobs, 5);
    writeFileSync(join(dir, 'config.local.yaml'), 'core:\n  jobs: 7\n');
    assert.equal(loadConfig(dir, {}).core.jobs, 7, 'the local file is layered over, cached or not');
    assert.equal(loadConfig(dir, {}).core.jobs, 7);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test('config parse cache: a corrupt or hostile cache file is a miss, never an error or a wrong value', () => {
  const dir = troveDir();
  try {
    writeFileSync(join(dir, 'config.yaml'), 'version: 1\ncore:\n  jobs: 3\n');
    const cache = join(dir, 'tmp', 'config.parsed.json');
    writeFileSync(cache, '{not json');
    assert.equal(loadConfig(dir, {}).core.jobs, 3);
    const good = JSON.parse(readFileSync(cache, 'utf8')) as { files: Record<string, { text: string; doc: unknown }> };
    assert.equal(good.files['config.yaml']!.text, 'version: 1\ncore:\n  jobs: 3\n');
    // A cache entry whose text does not match the file is ignored.
    writeFileSync(cache, JSON.stringify({ version: 1, files: { 'config.yaml': { text: 'other', doc: { version: 1, core: { jobs: 9 } } } } }));
    assert.equal(loadConfig(dir, {}).core.jobs, 3);
    // A value JSON cannot hold (.inf) is parsed from YAML every time, not cached as null.
    writeFileSync(join(dir, 'config.yaml'), 'version: 1\nextra: .inf\n');
    loadConfig(dir, {});
    const after = JSON.parse(readFileSync(cache, 'utf8')) as { files: Record<string, { text: string }> };
    assert.notEqual(after.files['config.yaml']?.text, 'version: 1\nextra: .inf\n');
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});

test('hook fast path takes exactly the form the installed hooks use, and nothing else', () => {
  assert.deepEqual(hookFastPath(['hook', 'post-checkout', '--', 'a', 'b', '1']), { name: 'post-checkout', args: ['a', 'b', '1'] });
  assert.deepEqual(hookFastPath(['hook', 'pre-commit', '--']), { name: 'pre-commit', args: [] });
  assert.equal(hookFastPath(['hook', 'post-checkout', 'a', 'b']), undefined, 'no -- : the full parser');
  assert.equal(hookFastPath(['hook', '--help', '--']), undefined);
  assert.equal(hookFastPath(['--json', 'hook', 'pre-commit', '--']), undefined);
  assert.equal(hookFastPath(['status']), undefined);
});
