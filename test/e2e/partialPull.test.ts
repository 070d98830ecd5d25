import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pseudoRandom, runCli } from '../helpers/tmpRepo.js';
import { createTeam, type Clone, type Team } from '../helpers/collab.js';

function withTeam(fn: (team: Team, remote: string) => void | Promise<void>) {
  return async () => {
    const team = createTeam();
    try {
      await fn(team, join(team.base, 'remote'));
    } finally {
      team.cleanup();
    }
  };
}

/** Clone a: `imgs/` (30 files) and `models/m.bin`, committed, pushed to a directory remote and to origin. */
function seeded(team: Team, remote: string, push = true): { a: Clone; files: Record<string, Buffer> } {
  const files: Record<string, Buffer> = { 'models/m.bin': pseudoRandom(50_000, 99) };
  for (let i = 0; i < 30; i++) files[`imgs/f${i}.bin`] = pseudoRandom(2_000 + i, i + 1);
  const a = team.clone('a');
  assert.equal(runCli(a.dir, ['init']).code, 0);
  for (const [p, d] of Object.entries(files)) a.write(p, d);
  assert.equal(a.trove('add', 'imgs', 'models/m.bin').code, 0);
  assert.equal(a.trove('remote', 'add', '-d', 'store', remote).code, 0);
  a.git('add', '-A');
  a.git('commit', '-q', '-m', 'v1');
  a.git('push', '-q', 'origin', 'main');
  if (push) assert.equal(a.trove('push').code, 0);
  return { a, files };
}

test('after a partial pull, status lists the files not pulled as not fetched, never deleted, and suggests trove pull', withTeam((team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  assert.equal(b.trove('pull', 'imgs/f7.bin').code, 0);
  const st = b.trove('status');
  const imgs = st.result.artifacts.find((x: { path: string }) => x.path === 'imgs');
  assert.equal(imgs.state, 'missing');
  assert.equal(imgs.notFetched.length, 29);
  assert.equal(imgs.changes, undefined, 'nothing is listed as deleted');
  assert.equal(imgs.next, 'trove pull imgs');
  const text = runCli(b.dir, ['status']);
  assert.match(text.stdout, /not fetched: imgs\/f0\.bin/);
  assert.doesNotMatch(text.stdout + text.stderr, /deleted:|trove add/);
  assert.match(text.stderr, /trove pull imgs/);
}));

test('trove add of a partially pulled directory refuses to record the files never fetched as deleted', withTeam((team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  assert.equal(b.trove('pull', 'imgs/f7.bin').code, 0);
  const r = b.trove('add', 'imgs');
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.error.code, 'NOT_FETCHED');
  assert.equal(r.error.data.paths.length, 29);
  assert.match(r.error.hint, /trove pull imgs/);
  assert.match(r.error.hint, /--allow-deletions/);
  assert.equal(b.git('status', '--porcelain'), '', 'the pointer was not touched');
  // The pre-commit hook does not add it either (hooks.pre_commit: add goes through the same refusal) ...
  const hook = runCli(b.dir, ['hook', 'pre-commit']);
  assert.equal(hook.code, 0, 'nothing unadded: the commit of an unchanged pointer may go on');
  assert.doesNotMatch(hook.stderr, /trove add/);
  assert.match(hook.stderr, /trove pull imgs/);
  // With hooks.pre_commit: add, a real edit to the one file present makes the hook add the directory: refused the same way.
  b.write('imgs/f7.bin', 'edited');
  writeFileSync(join(b.dir, '.trove/config.local.yaml'), 'hooks:\n  pre_commit: add\n');
  const auto = runCli(b.dir, ['hook', 'pre-commit']);
  assert.equal(auto.code, 1, auto.stderr);
  assert.match(auto.stderr, /never fetched/);
  assert.equal(b.git('diff', '--name-only', 'HEAD', '--', 'imgs.trove'), '', 'the hook recorded nothing');
  // ... and only an explicit request records the one-file dataset.
  const ok = b.trove('add', '--allow-deletions', 'imgs');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.result.artifacts[0].files, 1);
}));

test('after git reset --hard to an older version, status suggests trove checkout, never trove add', withTeam((team, remote) => {
  const { a } = seeded(team, remote, false);
  a.write('imgs/f3.bin', pseudoRandom(3000, 1234));
  a.write('imgs/new.bin', pseudoRandom(3000, 4321));
  rmSync(join(a.dir, 'imgs/f4.bin'));
  assert.equal(a.trove('add', 'imgs').code, 0);
  a.git('commit', '-q', '-am', 'v2');
  a.git('reset', '-q', '--hard', 'HEAD~1');
  const st = a.trove('status');
  const imgs = st.result.artifacts.find((x: { path: string }) => x.path === 'imgs');
  assert.equal(imgs.state, 'modified');
  assert.equal(imgs.next, 'trove checkout imgs');
  const text = runCli(a.dir, ['status']);
  assert.doesNotMatch(text.stderr, /trove add/);
  assert.match(text.stderr, /trove checkout imgs/);
  // A real change (content trove has never stored) still points to trove add.
  a.write('imgs/f5.bin', 'edited by hand');
  assert.equal(a.trove('status').result.artifacts.find((x: { path: string }) => x.path === 'imgs').next, 'trove add imgs');
}));

test('status unknown and missing without a local copy point to fetch and pull, not to a checkout that cannot work', withTeam((team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  const st = b.trove('status');
  const model = st.result.artifacts.find((x: { path: string }) => x.path === 'models/m.bin');
  assert.equal(model.state, 'missing');
  assert.equal(model.inCache, false);
  assert.equal(model.next, 'trove pull models/m.bin');
  b.write('imgs/mine.bin', 'local file');
  const imgs = b.trove('status').result.artifacts.find((x: { path: string }) => x.path === 'imgs');
  assert.equal(imgs.state, 'unknown');
  assert.equal(imgs.next, 'trove fetch imgs');
  const text = runCli(b.dir, ['status']);
  assert.doesNotMatch(text.stderr, /Restore .*trove checkout/);
  assert.match(text.stderr, /trove fetch imgs/);
  assert.match(text.stderr, /trove pull models\/m\.bin/);
  // The suggested command works and makes the directory comparable.
  assert.equal(b.trove('fetch', 'imgs').code, 0);
  assert.equal(b.trove('status').result.artifacts.find((x: { path: string }) => x.path === 'imgs').state, 'modified');
}));

test('pull with one artifact missing on the remote places everything else and names the missing path', withTeam((team, remote) => {
  const { a, files } = seeded(team, remote);
  a.write('extra.bin', pseudoRandom(10_000, 5));
  assert.equal(a.trove('add', 'extra.bin').code, 0);
  a.git('commit', '-q', '-m', 'extra, never pushed to the trove remote');
  a.git('push', '-q', 'origin', 'main');
  const b = team.clone('b');
  const r = b.trove('pull');
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.error.code, 'PARTIAL_TRANSFER');
  assert.deepEqual(r.error.data.paths, ['extra.bin']);
  assert.match(r.error.message, /extra\.bin/);
  for (const [p, d] of Object.entries(files)) assert.ok(b.read(p).equals(d), `${p} was placed`);
  assert.equal(existsSync(join(b.dir, 'extra.bin')), false);
}));

test('a path inside a tracked directory that does not exist is named and fails pull, checkout and push', withTeam((team, remote) => {
  const { a } = seeded(team, remote);
  for (const verb of ['checkout', 'push', 'pull']) {
    const r = a.trove(verb, 'imgs/nonexistent.bin');
    assert.equal(r.code, 1, `${verb}: ${r.stderr}`);
    assert.equal(r.error.code, 'NOT_FOUND', verb);
    assert.equal(r.error.data.path, 'imgs/nonexistent.bin', verb);
    assert.match(r.error.hint, /trove ls imgs/);
  }
  // A directory inside the tracked one is a valid selection.
  a.write('imgs/sub/x.bin', 'x');
  assert.equal(a.trove('add', 'imgs').code, 0);
  assert.equal(a.trove('checkout', 'imgs/sub').code, 0);
  // A clone without the listing yet: pull fetches it, then names the path.
  const b = team.clone('b');
  const r = b.trove('pull', 'imgs/nonexistent.bin');
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.error.code, 'NOT_FOUND');
  assert.equal(readdirSync(b.dir).includes('imgs'), false, 'nothing was placed');
}));

test('trove fetch of a path inside a tracked directory that does not exist, in a clone without the listing yet, exited 0 silently: it fetches the listing, then names the path', withTeam((team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  const r = b.trove('fetch', 'imgs/nonexistent.bin');
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.error.code, 'NOT_FOUND');
  assert.equal(r.error.data.path, 'imgs/nonexistent.bin');
  assert.match(r.error.hint, /trove ls imgs/);
  // A path that exists still fetches alone.
  const ok = b.trove('fetch', 'imgs/f7.bin');
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(ok.result.objects >= 1);
}));
