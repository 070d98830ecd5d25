import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, pseudoRandom } from '../helpers/tmpRepo.js';
import { createTeam, type Clone, type Team } from '../helpers/collab.js';
import { add, isTroveError, openRepo, push } from '../../src/index.js';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { RemoteLock } from '../../src/transfer/RemoteLock.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const TWO_DAYS_AGO = (Date.now() - 2 * 86_400_000) / 1000;
const VERSIONS = 21;

function onRemote(remote: string, hex: string): boolean {
  const dir = join(remote, 'packs');
  return readdirSync(dir).some((n) => n.endsWith('.idx') && readFileSync(join(dir, n), 'utf8').includes(`o ${hex} `));
}

/** The CLI, asynchronously: two clones' commands must really run at the same time. */
function troveAsync(c: Clone, ...args: string[]): Promise<{ code: number; result: any; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--json', ...args], { cwd: c.dir, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, result: code === 0 ? JSON.parse(stdout).result : undefined, stderr }));
  });
}

interface History {
  remote: string;
  a: Clone;
  b: Clone;
  versions: Buffer[];
}

/**
 * A and B share origin and remote. B once pushed the data of VERSIONS file
 * versions from a branch it never pushed to Git, and deleted the branch: two
 * days ago (packs and claims backdated). B still has the objects locally. To
 * A, whose refs never named them, those packs are old and dead.
 */
function oldHistory(team: Team): History {
  const remote = join(team.base, 'remote');
  const a = team.clone('a');
  assert.equal(a.trove('init').code, 0);
  assert.equal(a.trove('remote', 'add', '-d', 'store', remote).code, 0);
  a.write('README.md', 'shared\n');
  a.git('add', '-A');
  a.git('commit', '-q', '-m', 'remote');
  a.git('push', '-q', 'origin', 'main');
  const b = team.clone('b');
  b.git('checkout', '-q', '-b', 'old');
  const versions: Buffer[] = [];
  for (let k = 0; k < VERSIONS; k++) {
    versions.push(pseudoRandom(40_000 + k * 1000, 100 + k));
    b.write(`hist/v${k}.bin`, versions[k]!);
  }
  assert.equal(b.trove('add', ...versions.map((_, k) => `hist/v${k}.bin`)).code, 0);
  b.git('add', '-A');
  b.git('commit', '-q', '-m', 'old versions');
  // One push per version: a pack each, so each can die on its own.
  for (let k = 0; k < VERSIONS; k++) {
    const p = b.trove('push', `hist/v${k}.bin`);
    assert.equal(p.code, 0, p.stderr);
  }
  b.git('checkout', '-q', 'main');
  b.git('branch', '-D', 'old');
  rmSync(join(b.dir, 'hist'), { recursive: true, force: true });
  ageRemote(remote);
  return { remote, a, b, versions };
}

/** Two days pass: every pack and claim on the remote is past the grace period. */
function ageRemote(remote: string): void {
  for (const d of ['packs', 'claims']) for (const n of readdirSync(join(remote, d))) utimesSync(join(remote, d, n), TWO_DAYS_AGO, TWO_DAYS_AGO);
}

test('gc -r keeps an old pack that another clone\'s push relied on without sending it again, although this clone has not fetched that commit', () => {
  const team = createTeam();
  try {
    const { remote, a, b, versions } = oldHistory(team);
    b.write('cur.bin', versions[0]!);
    assert.equal(b.trove('add', 'cur.bin').code, 0);
    b.git('add', '-A');
    b.git('commit', '-q', '-m', 'back to v0');
    const p = b.trove('push');
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.result.objects, 0, 'the push relied on the old pack: it sent nothing');
    b.git('push', '-q', 'origin', 'main');

    const r = a.trove('gc', '-r', 'store');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.result.remote.deletedPacks.length, VERSIONS - 1, 'the versions nobody relies on are deleted');
    assert.equal(r.result.remote.claimed, 1, 'B\'s claim kept v0');
    assert.ok(onRemote(remote, sha(versions[0]!)));

    const c = team.clone('c');
    const pulled = c.trove('pull');
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.ok(c.read('cur.bin').equals(versions[0]!));
  } finally {
    team.cleanup();
  }
});

test('two clones racing push and gc -r for 20 rounds lose nothing: a third clone pulls every commit', async () => {
  const team = createTeam();
  try {
    const { remote, a, b, versions } = oldHistory(team);
    const rounds: { commit: string; cur: Buffer; fresh: Buffer }[] = [];
    let deleted = 0;
    for (let i = 0; i < 20; i++) {
      // Days later: A has fetched everything B pushed before (the contract for anything older than
      // the grace period), and every pack is old. B goes back to old version i, which only the
      // deleted branch named: an old pack A's refs consider dead, which B's push relies on.
      a.git('fetch', '-q', 'origin');
      ageRemote(remote);
      const cur = versions[i]!;
      const fresh = pseudoRandom(20_000 + i, 1000 + i);
      b.write('cur.bin', cur);
      b.write(`new/r${i}.bin`, fresh);
      assert.equal(b.trove('add', 'cur.bin', `new/r${i}.bin`).code, 0);
      b.git('add', '-A');
      b.git('commit', '-q', '-m', `round ${i}`);
      const pushing = (async () => {
        const p = await troveAsync(b, 'push');
        assert.equal(p.code, 0, p.stderr);
        b.git('push', '-q', 'origin', 'main');
        rounds.push({ commit: b.git('rev-parse', 'HEAD').trim(), cur, fresh });
      })();
      // A's gc -r runs while B pushes; this round's commit is not in A's refs.
      const collecting = troveAsync(a, 'gc', '-r', 'store', '--grace', '1h').then((r) => {
        assert.equal(r.code, 0, r.stderr);
        deleted += r.result.remote.deletedPacks.length + r.result.remote.repackedPacks.length;
      });
      await Promise.all([pushing, collecting]);
    }
    assert.ok(deleted >= 1, `gc -r deleted ${deleted} pack(s): it was not idle`);
    assert.ok(!existsSync(join(team.base, 'remote', 'locks')) || readdirSync(join(team.base, 'remote', 'locks')).length === 0, 'every lock was released');

    const c = team.clone('c');
    for (const [i, r] of rounds.entries()) {
      c.git('checkout', '-q', r.commit);
      const pulled = c.trove('pull');
      assert.equal(pulled.code, 0, `round ${i}: ${pulled.stderr}`);
      assert.ok(c.read('cur.bin').equals(r.cur), `round ${i}: cur.bin`);
      assert.ok(c.read(`new/r${i}.bin`).equals(r.fresh), `round ${i}: new/r${i}.bin`);
    }
  } finally {
    team.cleanup();
  }
});

test('gc -r does not delete while a push holds the remote: it fails with LOCKED (exit 11) and a hint; a push waits for gc -r the same way', async () => {
  const team = createTeam();
  try {
    const { remote, a, b } = oldHistory(team);
    const backend = new DirectoryBackend(remote, 'store');
    const quick = { policy: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 }, waitMs: 0 };
    // Another clone's push is between reading the index and writing its claim.
    const pushing = await RemoteLock.acquire(backend, { ...quick, kind: 'shared', command: 'push' });
    const before = readdirSync(join(remote, 'packs')).length;
    const r = a.trove('gc', '-r', 'store');
    assert.equal(r.code, 11, r.stderr);
    assert.equal(r.error.code, 'LOCKED');
    assert.match(r.error.hint, /gc -r again/);
    assert.equal(readdirSync(join(remote, 'packs')).length, before, 'nothing was deleted');
    await pushing.release();

    const collecting = await RemoteLock.acquire(backend, { ...quick, kind: 'exclusive', command: 'gc -r' });
    const repo = await openRepo({ cwd: b.dir });
    b.write('cur.bin', pseudoRandom(1000, 5));
    await add(repo, { paths: ['cur.bin'] });
    await assert.rejects(push(repo, { lockWaitMs: 0 }), (err) => isTroveError(err, 'LOCKED') && /gc -r/.test(err.message));
    await collecting.release();
    const ok = await push(repo, { lockWaitMs: 0 });
    assert.equal(ok.objects, 1);
  } finally {
    team.cleanup();
  }
});
