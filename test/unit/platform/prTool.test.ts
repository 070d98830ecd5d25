import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPullRequest, prCommandLine, type PrToolIo } from '../../../src/platform/prTool.js';

const req = { base: 'main', head: 'trove/promote/modelmnist-v2.0.0-production', title: 'Promote modelmnist v2.0.0 to production', body: 'body text', bodyFile: '/tmp/x y/body.md', cwd: '/' };

function withBin(tools: string[], fn: (env: NodeJS.ProcessEnv) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-prtool-'));
    try {
      for (const t of tools) {
        writeFileSync(join(dir, t), '#!/bin/sh\nexit 0\n');
        chmodSync(join(dir, t), 0o755);
      }
      await fn({ PATH: dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function fakeIo(env: NodeJS.ProcessEnv, answers: Record<string, { code: number; stdout?: string; stderr?: string }>, calls: string[][]): PrToolIo {
  return {
    env,
    async run(file, args) {
      calls.push([file.split('/').pop()!, ...args]);
      const a = answers[args.slice(0, 2).join(' ')] ?? { code: 0 };
      return { code: a.code, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
    },
  };
}

test('gh pr create command line quotes the title and body file', () => {
  assert.equal(prCommandLine('gh', req), "gh pr create --base main --head trove/promote/modelmnist-v2.0.0-production --title 'Promote modelmnist v2.0.0 to production' --body-file '/tmp/x y/body.md'");
  assert.equal(prCommandLine('gh', { ...req, draft: true }).endsWith(' --draft'), true);
});

test('glab mr create command line reads the description from the body file', () => {
  assert.equal(prCommandLine('glab', req), `glab mr create --source-branch trove/promote/modelmnist-v2.0.0-production --target-branch main --title 'Promote modelmnist v2.0.0 to production' --description "$(cat '/tmp/x y/body.md')" --yes`);
});

test('no gh or glab on PATH: not opened, reason no-tool, the gh command', withBin([], async (env) => {
  const calls: string[][] = [];
  const r = await openPullRequest(req, fakeIo(env, {}, calls));
  assert.equal(r.opened, false);
  assert.equal(r.reason, 'no-tool');
  assert.match(r.command, /^gh pr create --base main --head /);
  assert.equal(calls.length, 0);
}));

test('gh not logged in: not opened, reason not-authenticated, nothing created', withBin(['gh'], async (env) => {
  const calls: string[][] = [];
  const r = await openPullRequest(req, fakeIo(env, { 'auth status': { code: 1 } }, calls));
  assert.equal(r.opened, false);
  assert.equal(r.reason, 'not-authenticated');
  assert.deepEqual(calls, [['gh', 'auth', 'status']]);
}));

test('gh logged in: runs gh pr create with --base/--head and returns the URL', withBin(['gh'], async (env) => {
  const calls: string[][] = [];
  const r = await openPullRequest(req, fakeIo(env, { 'pr create': { code: 0, stdout: 'Creating pull request\nhttps://github.com/o/r/pull/7\n' } }, calls));
  assert.equal(r.opened, true);
  assert.equal(r.url, 'https://github.com/o/r/pull/7');
  assert.deepEqual(calls[1]!.slice(0, 7), ['gh', 'pr', 'create', '--base', 'main', '--head', req.head]);
}));

test('only glab installed: glab mr create with source and target branches', withBin(['glab'], async (env) => {
  const calls: string[][] = [];
  const r = await openPullRequest(req, fakeIo(env, {}, calls));
  assert.equal(r.tool, 'glab');
  assert.equal(r.opened, true);
  assert.deepEqual(calls[1]!.slice(0, 7), ['glab', 'mr', 'create', '--source-branch', req.head, '--target-branch', 'main']);
}));

test('gh pr create failing: not opened, reason names the first line of its error', withBin(['gh'], async (env) => {
  const r = await openPullRequest(req, fakeIo(env, { 'pr create': { code: 1, stderr: 'a pull request already exists\nmore' } }, []));
  assert.equal(r.opened, false);
  assert.equal(r.reason, 'failed: a pull request already exists');
}));

test('--no-pr: nothing is run, reason disabled', withBin(['gh'], async (env) => {
  const calls: string[][] = [];
  const r = await openPullRequest({ ...req, open: false }, fakeIo(env, {}, calls));
  assert.equal(r.reason, 'disabled');
  assert.equal(calls.length, 0);
}));
