import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HOOKS, loadConfig } from '../../../src/platform/config.js';
import { addMergeAttribute, removeMergeAttribute } from '../../../src/platform/gitAttributes.js';
import { parsePushUpdates } from '../../../src/workspace/history/pushedArtifacts.js';
import { isTroveError } from '../../../src/errors/index.js';

function withDir(fn: (dir: string) => void): () => void {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-unit-'));
    try {
      fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('hooks settings: defaults, committed values, local overrides, and false meaning off', withDir((dir) => {
  writeFileSync(join(dir, 'config.yaml'), 'version: 1\ncore:\n  cache: cache\n');
  assert.deepEqual(loadConfig(dir, {}).hooks, DEFAULT_HOOKS);
  assert.deepEqual(DEFAULT_HOOKS, { pre_commit: 'check', restore: true, fetch: true, pre_push: 'push' });
  writeFileSync(join(dir, 'config.yaml'), 'version: 1\nhooks:\n  pre_commit: add\n  fetch: false\n');
  writeFileSync(join(dir, 'config.local.yaml'), 'hooks:\n  pre_push: false\n  pre_commit: off\n');
  assert.deepEqual(loadConfig(dir, {}).hooks, { pre_commit: 'off', restore: true, fetch: false, pre_push: 'off' });
}));

test('a hooks setting of the wrong kind is a CONFIG error naming the key', withDir((dir) => {
  for (const bad of ['hooks:\n  pre_commit: sometimes\n', 'hooks:\n  restore: yes please\n', 'hooks:\n  pre_push: 1\n', 'hooks: [pre-commit]\n']) {
    writeFileSync(join(dir, 'config.yaml'), `version: 1\n${bad}`);
    assert.throws(() => loadConfig(dir, {}), (err: unknown) => isTroveError(err, 'CONFIG') && /hooks/.test((err as Error).message), bad);
  }
}));

test('the merge attribute is added once, and removing it restores the file byte for byte', withDir((dir) => {
  const path = join(dir, '.gitattributes');
  writeFileSync(path, '*.bin binary\n');
  assert.equal(addMergeAttribute(dir), 'added');
  assert.equal(addMergeAttribute(dir), 'unchanged');
  assert.equal(removeMergeAttribute(dir), 'removed');
  assert.equal(readFileSync(path, 'utf8'), '*.bin binary\n');
  assert.equal(removeMergeAttribute(dir), 'absent');
}));

test('pre-push stdin: one update per well-formed line; deletions keep their zero id', () => {
  const z = '0'.repeat(40);
  const a = 'a'.repeat(40);
  const b = 'b'.repeat(40);
  assert.deepEqual(parsePushUpdates(`refs/heads/main ${a} refs/heads/main ${b}\n\nrefs/heads/x ${z} refs/heads/x ${a}\ngarbage line\n`), [
    { localRef: 'refs/heads/main', localSha: a, remoteRef: 'refs/heads/main', remoteSha: b },
    { localRef: 'refs/heads/x', localSha: z, remoteRef: 'refs/heads/x', remoteSha: a },
  ]);
  assert.deepEqual(parsePushUpdates(''), []);
});
