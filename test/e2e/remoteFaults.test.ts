import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, runCli } from '../helpers/tmpRepo.js';
import { createTeam, type Clone } from '../helpers/collab.js';
import { CAN_MOUNT, MOUNT_REASON, withTmpfs } from '../helpers/tmpfs.js';

/** Start `trove args` and kill -9 it as soon as `ready()` holds; returns whether it was killed before finishing. */
async function killWhen(dir: string, args: string[], ready: () => boolean): Promise<boolean> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: 'ignore' });
  let exited = false;
  const done = new Promise<void>((r) => child.on('exit', () => ((exited = true), r())));
  while (!exited && !ready()) await new Promise((r) => setTimeout(r, 2));
  const killed = !exited;
  if (killed) child.kill('SIGKILL');
  await done;
  return killed;
}

function countIdx(remote: string): number {
  try {
    return readdirSync(join(remote, 'packs')).filter((n) => n.endsWith('.idx')).length;
  } catch {
    return 0;
  }
}

function bigClone(team: ReturnType<typeof createTeam>, remote: string): Clone {
  const a = team.clone('a');
  assert.equal(runCli(a.dir, ['init']).code, 0);
  // 4 packs at -j 1: 4 files of 40 MiB, incompressible
  for (let i = 0; i < 4; i++) a.write(`data/part${i}.bin`, randomBytes(40 * 1024 * 1024));
  assert.equal(a.trove('add', 'data').code, 0);
  assert.equal(a.trove('remote', 'add', '-d', 'store', remote).code, 0);
  a.git('add', '-A');
  a.git('commit', '-q', '-m', 'v1');
  a.git('push', '-q', 'origin', 'main');
  return a;
}

test('kill -9 in the middle of a push: the next push completes and sends only what was missing', async () => {
  const team = createTeam();
  try {
    const remote = join(team.base, 'remote');
    const a = bigClone(team, remote);
    const killed = await killWhen(a.dir, ['push', '-j', '1'], () => countIdx(remote) >= 1);
    assert.ok(killed, 'the push was interrupted');
    const done = countIdx(remote);
    assert.ok(done >= 1 && done < 4, `${done} of 4 packs had arrived`);
    const again = a.trove('push', '-j', '1');
    assert.equal(again.code, 0, again.stderr);
    // The resumed push walked the whole closure (a killed push leaves no pushed-root marker).
    const total = again.result.objects + again.result.alreadyOnRemote;
    assert.ok(again.result.alreadyOnRemote > 0, 'what the killed push had sent was found there');
    assert.ok(again.result.objects < total, `the second push sent ${again.result.objects} of ${total} objects`);
    // Pack requests of the resumed run: one pack + one index per missing pack at most, not the whole set again.
    assert.ok(again.result.packs <= 4 - done + again.result.resumedPacks);
    const b = team.clone('b');
    const pulled = b.trove('pull');
    assert.equal(pulled.code, 0, pulled.stderr);
    for (let i = 0; i < 4; i++) assert.ok(b.read(`data/part${i}.bin`).equals(a.read(`data/part${i}.bin`)));
  } finally {
    team.cleanup();
  }
});

test('kill -9 in the middle of a pull: the next pull completes and fetches only what was missing', async () => {
  const team = createTeam();
  try {
    const remote = join(team.base, 'remote');
    const a = bigClone(team, remote);
    assert.equal(a.trove('push').code, 0);
    const b = team.clone('b');
    const objects = join(b.dir, '.trove/cache/objects/sha256');
    const stored = (): number => (existsSync(objects) ? readdirSync(objects).reduce((s, d) => s + readdirSync(join(objects, d)).length, 0) : 0);
    const killed = await killWhen(b.dir, ['pull', '-j', '1'], () => stored() >= 40);
    assert.ok(killed, 'the pull was interrupted');
    const before = stored();
    const again = b.trove('pull');
    assert.equal(again.code, 0, again.stderr);
    assert.ok(again.result.fetch.objects > 0 && again.result.fetch.objects <= stored() - before + 2, 'only the missing objects were fetched');
    for (let i = 0; i < 4; i++) assert.ok(b.read(`data/part${i}.bin`).equals(a.read(`data/part${i}.bin`)));
  } finally {
    team.cleanup();
  }
});

for (const [label, options, code] of [
  ['read-only', 'ro,size=1m', 'PERMISSION'],
  ['full', 'size=256k', 'NO_SPACE'],
] as const) {
  test(`a ${label} remote: one sentence naming the remote, a hint, exit 1, and the push completes once the cause is gone`, { skip: CAN_MOUNT ? false : MOUNT_REASON }, () => {
    const team = createTeam();
    try {
      const a = team.clone('a');
      assert.equal(runCli(a.dir, ['init']).code, 0);
      a.write('m.bin', randomBytes(2 * 1024 * 1024));
      assert.equal(a.trove('add', 'm.bin').code, 0);
      withTmpfs(options, (remote) => {
        assert.equal(a.trove('remote', 'add', 'store', remote).code, 0);
        const r = a.trove('push');
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.error.code, code);
        assert.match(r.error.message, /store/);
        assert.ok(r.error.hint);
      });
      assert.equal(a.trove('remote', 'modify', 'store', 'url', join(team.base, 'remote2')).code, 0);
      const ok = a.trove('push');
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok(ok.result.objects > 0);
    } finally {
      team.cleanup();
    }
  });
}

test('push with no remote configured, and with an unknown remote name: a hint, exit 2 / 1', () => {
  const team = createTeam();
  try {
    const a = team.clone('a');
    assert.equal(runCli(a.dir, ['init']).code, 0);
    const none = a.trove('push');
    assert.equal(none.code, 2);
    assert.match(none.error.hint, /trove remote add/);
    const unknown = a.trove('push', '-r', 'nope');
    assert.equal(unknown.code, 1);
    assert.equal(unknown.error.code, 'NOT_FOUND');
  } finally {
    team.cleanup();
  }
});

test('remote config: credentials go to config.local.yaml, never into the committed file or any output', () => {
  const team = createTeam();
  try {
    const a = team.clone('a');
    assert.equal(runCli(a.dir, ['init']).code, 0);
    assert.equal(a.trove('remote', 'add', '-d', 's3', 's3://bucket/prefix').code, 0);
    const set = a.trove('remote', 'modify', 's3', 'secret_access_key', 'SUPERSECRET123');
    assert.equal(set.code, 0);
    assert.equal(set.result.local, true);
    assert.doesNotMatch(a.read('.trove/config.yaml').toString(), /SUPERSECRET/);
    assert.match(a.read('.trove/config.local.yaml').toString(), /SUPERSECRET123/);
    assert.equal(a.git('check-ignore', '.trove/config.local.yaml').trim(), '.trove/config.local.yaml');
    const list = runCli(a.dir, ['remote', 'list']);
    assert.doesNotMatch(list.stdout + list.stderr, /SUPERSECRET/);
    assert.match(list.stdout, /secret_access_key=\*\*\*/);
    const withPw = a.trove('remote', 'add', 'ssh', 'ssh://me:hunter2@host/path');
    assert.equal(withPw.code, 2);
    assert.doesNotMatch(JSON.stringify(withPw.error), /hunter2/);
    // The committed config stays a readable YAML file with its comments.
    assert.match(a.read('.trove/config.yaml').toString(), /# trove repository configuration/);
    assert.equal(a.trove('remote', 'remove', 's3').code, 0);
    assert.deepEqual(a.trove('remote', 'list').result.remotes, []);
  } finally {
    team.cleanup();
  }
});

test('regression: remote add --local --force crashed when config.local.yaml had no remotes section', () => {
  const team = createTeam();
  try {
    const a = team.clone('a');
    assert.equal(runCli(a.dir, ['init']).code, 0);
    assert.equal(a.trove('remote', 'add', 'store', '/tmp/somewhere').code, 0);
    const r = a.trove('remote', 'add', '--local', '--force', 'store', 'http://127.0.0.1:1/');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(a.trove('remote', 'list').result.remotes[0].url, 'http://127.0.0.1:1/');
    assert.equal(a.trove('remote', 'modify', '--local', '--unset', 'store', 'region').code, 0);
  } finally {
    team.cleanup();
  }
});
