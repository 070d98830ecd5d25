import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTeam, type Clone, type Team } from '../helpers/collab.js';
import { createTmpRepo, objectPath, pseudoRandom, runCli, runJson } from '../helpers/tmpRepo.js';

function withTeam(fn: (team: Team, remote: string) => void) {
  return () => {
    const team = createTeam();
    try {
      fn(team, join(team.base, 'remote'));
    } finally {
      team.cleanup();
    }
  };
}

const MODEL = [pseudoRandom(3 * 1024 * 1024 + 7, 1), pseudoRandom(2 * 1024 * 1024 + 3, 2), pseudoRandom(1_500_000, 3)];

/**
 * Clone A: data/ and three committed versions of models/model.bin (large
 * enough to be chunked), a default directory remote, everything pushed
 * (every version, not only the last), Git pushed to origin.
 */
function seeded(team: Team, remote: string): Clone {
  const a = team.clone('a');
  assert.equal(runCli(a.dir, ['init']).code, 0);
  assert.equal(a.trove('remote', 'add', '-d', 'store', remote).code, 0);
  a.write('data/train.csv', 'x,y\n1,2\n');
  a.write('data/test.csv', 'x,y\n3,4\n');
  for (const [i, m] of MODEL.entries()) {
    a.write('models/model.bin', m);
    assert.equal(a.trove('add', 'data', 'models/model.bin').code, 0);
    a.git('add', '-A');
    a.git('commit', '-q', '-m', `model v${i + 1}`);
  }
  const pushed = a.trove('push', '--rev', 'HEAD~1', '--rev', 'HEAD~2');
  assert.equal(pushed.code, 0, pushed.stderr);
  a.git('push', '-q', 'origin', 'main');
  return a;
}

test('a deleted model comes back from the local store with trove checkout PATH, without contacting a remote', () => {
  const repo = createTmpRepo();
  try {
    repo.write('models/model.bin', MODEL[0]!);
    assert.equal(runCli(repo.dir, ['add', 'models/model.bin']).code, 0);
    repo.git('commit', '-qm', 'v1');
    // A remote that does not exist: checkout must not need it.
    assert.equal(runCli(repo.dir, ['remote', 'add', '-d', 'store', join(repo.dir, 'no-such-remote')]).code, 0);
    rmSync(join(repo.dir, 'models/model.bin'));
    const r = runJson(repo.dir, ['checkout', 'models/model.bin']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.result.fetch, undefined);
    assert.ok(readFileSync(join(repo.dir, 'models/model.bin')).equals(MODEL[0]!));
  } finally {
    repo.cleanup();
  }
});

test('in a fresh clone, trove checkout PATH fetches exactly the missing content from the default remote', withTeam((team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  const r = b.trove('checkout', 'models/model.bin');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(b.read('models/model.bin').equals(MODEL[2]!), 'the model is byte-identical');
  assert.equal(r.result.fetch.remote, 'store');
  assert.ok(r.result.fetch.objects >= 2, `fetched ${r.result.fetch.objects} objects`);
  assert.ok(r.result.fetch.bytes < MODEL[2]!.length + 100_000, `fetched ${r.result.fetch.bytes} bytes for one ${MODEL[2]!.length}-byte model`);
  assert.deepEqual(r.result.artifacts.map((a: any) => [a.path, a.written]), [['models/model.bin', 1]]);
  assert.equal(existsSync(join(b.dir, 'data')), false, 'only the named path was checked out');
  // Everything is here now: a second checkout contacts nothing.
  rmSync(join(b.dir, 'models/model.bin'));
  const again = b.trove('checkout', 'models/model.bin');
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.result.fetch, undefined);
  // One file of a tracked directory: its manifest and that file only.
  const one = runJson(join(b.dir, 'models'), ['checkout', '../data/train.csv']); // from a subdirectory
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.result.fetch.objects, 2, 'the manifest page and train.csv');
  assert.equal(b.read('data/train.csv').toString(), 'x,y\n1,2\n');
  assert.equal(existsSync(join(b.dir, 'data/test.csv')), false);
  const text = runCli(b.dir, ['checkout', 'data']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stderr, /Fetched \d+ missing object\(s\) from store\./);
  assert.equal(b.read('data/test.csv').toString(), 'x,y\n3,4\n');
}));

test('after the local store is removed, a deleted model comes back from the remote', withTeam((team, remote) => {
  const a = seeded(team, remote);
  rmSync(join(a.dir, '.trove/cache'), { recursive: true, force: true });
  rmSync(join(a.dir, 'models/model.bin'));
  const r = a.trove('checkout');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(a.read('models/model.bin').equals(MODEL[2]!));
  assert.ok(r.result.fetch.objects > 0);
  assert.equal(runJson(a.dir, ['status']).result.clean, true);
}));

test('a corrupt object in the local store is removed and replaced by a verified copy from the remote', withTeam((team, remote) => {
  const a = seeded(team, remote);
  const oid = a.trove('ls', 'data').result.files.find((f: any) => f.path === 'data/train.csv').oid;
  const obj = objectPath(a.dir, oid);
  chmodSync(obj, 0o644);
  writeFileSync(obj, 'x,y\n6,6\n');
  rmSync(join(a.dir, 'data/train.csv'));
  const r = a.trove('checkout', 'data');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(a.read('data/train.csv').toString(), 'x,y\n1,2\n');
  assert.equal(r.result.fetch.objects, 1);
  assert.equal(readFileSync(obj, 'utf8'), 'x,y\n1,2\n', 'the store healed');
}));

test('checkout --rev HEAD~2 PATH brings back the first version, fetching it when needed, and HEAD stays put', withTeam((team, remote) => {
  const a = seeded(team, remote);
  const r = a.trove('checkout', '--rev', 'HEAD~2', 'models/model.bin');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(a.read('models/model.bin').equals(MODEL[0]!));
  assert.equal(r.result.fetch, undefined, 'the local store had it');
  assert.deepEqual(r.result.pointers, ['models/model.bin.trove']);

  const b = team.clone('b');
  const head = b.git('rev-parse', 'HEAD');
  const fromRemote = b.trove('checkout', '--rev', 'HEAD~2', 'models/model.bin');
  assert.equal(fromRemote.code, 0, fromRemote.stderr);
  assert.ok(b.read('models/model.bin').equals(MODEL[0]!));
  assert.ok(fromRemote.result.fetch.objects > 0);
  assert.equal(b.git('rev-parse', 'HEAD'), head);
  // The version in between, chosen from the log, comes back the same way.
  const middle = b.trove('log', 'models/model.bin').result.commits[1];
  assert.equal(middle.message, 'model v2');
  assert.equal(b.trove('checkout', '--rev', middle.commit, 'models/model.bin').code, 0);
  assert.ok(b.read('models/model.bin').equals(MODEL[1]!));
}));

test('content that is neither in the store nor on the remote: one sentence naming the path, a hint, exit 1, and the rest is checked out', withTeam((team, remote) => {
  const a = seeded(team, remote);
  a.write('models/model.bin', pseudoRandom(5000, 77));
  assert.equal(a.trove('add', 'models/model.bin').code, 0);
  a.git('commit', '-q', '-am', 'model v4, never pushed to the trove remote');
  a.git('push', '-q', 'origin', 'main');
  const b = team.clone('b');
  b.write('notes.txt', 'mine');
  const text = runCli(b.dir, ['checkout']);
  assert.equal(text.code, 1);
  const lines = text.stderr.trim().split('\n');
  assert.equal(lines.length, 2, text.stderr);
  assert.match(lines[0]!, /^error: The content of models\/model\.bin is neither in the local store nor on the remote "store"\.$/);
  assert.match(lines[1]!, /^hint: .*trove push.*trove log models\/model\.bin/);
  assert.equal(b.read('data/train.csv').toString(), 'x,y\n1,2\n', 'the data was checked out');
  assert.equal(b.read('notes.txt').toString(), 'mine');
  assert.equal(existsSync(join(b.dir, 'models/model.bin')), false);
  const j = b.trove('checkout', 'models/model.bin');
  assert.equal(j.code, 1);
  assert.equal(j.error.code, 'OBJECT_MISSING');
  assert.equal(j.error.data.path, 'models/model.bin');
  assert.equal(j.error.data.remote, 'store');
  // The older versions are still there to go back to.
  assert.equal(b.trove('checkout', '--rev', 'HEAD~1', 'models/model.bin').code, 0);
  assert.ok(b.read('models/model.bin').equals(MODEL[2]!));
}));

test('checkout --no-fetch stays offline: content missing locally is an error and nothing is fetched', withTeam((team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  const r = b.trove('checkout', '--no-fetch', 'models/model.bin');
  assert.equal(r.code, 1);
  assert.equal(r.error.code, 'OBJECT_MISSING');
  assert.match(r.error.hint, /without --no-fetch/);
  assert.equal(b.trove('status').result.artifacts.find((a: any) => a.path === 'models/model.bin').inCache, false);
  assert.equal(b.trove('checkout', 'models/model.bin').code, 0, 'the same checkout with fetching works');
}));

test('checkout --remote NAME fetches from that remote; an unreachable remote is named in the error', withTeam((team, remote) => {
  seeded(team, remote);
  const b = team.clone('b');
  assert.equal(b.trove('remote', 'add', '--local', 'broken', join(team.base, 'nowhere')).code, 0);
  const bad = b.trove('checkout', '--remote', 'broken', 'models/model.bin');
  assert.equal(bad.code, 1);
  assert.equal(bad.error.code, 'OBJECT_MISSING');
  assert.match(bad.error.message, /models\/model\.bin/);
  assert.equal(existsSync(join(b.dir, 'models/model.bin')), false);
  const good = b.trove('checkout', '--remote', 'store', 'models/model.bin');
  assert.equal(good.code, 0, good.stderr);
  assert.equal(good.result.fetch.remote, 'store');
  const none = b.trove('checkout', '--remote', 'missing-name', 'data');
  assert.equal(none.code, 1);
  assert.equal(none.error.code, 'NOT_FOUND');
  assert.match(none.error.message, /no remote named "missing-name"/);
  assert.equal(existsSync(join(b.dir, 'data')), false, 'nothing was checked out');
}));

test('an overwritten model needs --force, comes back with checkout --force PATH, and the overwritten version stays in the store', () => {
  const repo = createTmpRepo();
  try {
    repo.write('models/model.bin', 'trained weights v1');
    assert.equal(runCli(repo.dir, ['add', 'models/model.bin']).code, 0);
    repo.git('commit', '-qm', 'v1');
    repo.write('models/model.bin', 'overwritten by a bad training run');
    const refused = runJson(repo.dir, ['checkout', 'models/model.bin']);
    assert.equal(refused.code, 1);
    assert.equal(refused.error.code, 'DIRTY');
    assert.equal(readFileSync(join(repo.dir, 'models/model.bin'), 'utf8'), 'overwritten by a bad training run', 'nothing was touched');
    const r = runJson(repo.dir, ['checkout', '--force', 'models/model.bin']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(repo.dir, 'models/model.bin'), 'utf8'), 'trained weights v1');
    assert.equal(r.result.saved.length, 1);
    assert.equal(r.result.saved[0].path, 'models/model.bin');
    assert.equal(readFileSync(objectPath(repo.dir, r.result.saved[0].oid), 'utf8'), 'overwritten by a bad training run');
  } finally {
    repo.cleanup();
  }
});

test('show -r REMOTE tells, per artifact of a commit, whether its content is on the remote', withTeam((team, remote) => {
  const a = seeded(team, remote);
  a.write('models/model.bin', pseudoRandom(4000, 9));
  assert.equal(a.trove('add', 'models/model.bin').code, 0);
  a.git('commit', '-q', '-am', 'not pushed');
  const head = a.trove('show', '-r', 'store', 'HEAD');
  assert.equal(head.code, 0, head.stderr);
  assert.equal(head.result.remote, 'store');
  assert.deepEqual(head.result.artifacts.map((x: any) => [x.path, x.inStore, x.onRemote]), [['data', true, true], ['models/model.bin', true, false]]);
  assert.deepEqual(a.trove('show', '-r', 'store', 'HEAD~1').result.artifacts.map((x: any) => x.onRemote), [true, true]);
  const b = team.clone('b');
  assert.deepEqual(b.trove('show', '-r', 'store', 'HEAD~1').result.artifacts.map((x: any) => [x.inStore, x.onRemote]), [[false, true], [false, true]]);
}));
