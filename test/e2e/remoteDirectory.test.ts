import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, pseudoRandom, runCli } from '../helpers/tmpRepo.js';
import { createTeam, runCollaboration, type Clone, type Team } from '../helpers/collab.js';

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

/** A clone with data added and committed, the remote configured, nothing pushed yet. */
function seeded(team: Team, remote: string, files: Record<string, Buffer>): Clone {
  const a = team.clone('a');
  assert.equal(runCli(a.dir, ['init']).code, 0);
  for (const [p, d] of Object.entries(files)) a.write(p, d);
  const tops = [...new Set(Object.keys(files).map((p) => p.split('/')[0]!))];
  assert.equal(a.trove('add', ...tops).code, 0);
  assert.equal(a.trove('remote', 'add', '-d', 'store', remote).code, 0);
  a.git('add', '-A');
  a.git('commit', '-q', '-m', 'v1');
  a.git('push', '-q', 'origin', 'main');
  return a;
}

test('collaboration through a directory remote: A pushes, B pulls identical bytes, B changes data, A gets it', withTeam((team, remote) => {
  runCollaboration(team, (a) => assert.equal(a.trove('remote', 'add', '-d', 'shared', remote).code, 0));
}));

test('a second push sends nothing, and 300 small files go up in a handful of requests', withTeam((team, remote) => {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 300; i++) files[`data/d${i % 10}/f${i}.bin`] = pseudoRandom(500 + i, i + 7);
  const a = seeded(team, remote, files);
  const first = a.trove('push');
  assert.equal(first.code, 0, first.stderr);
  assert.ok(first.result.objects >= 300);
  assert.ok(first.result.requests < 20, `first push used ${first.result.requests} requests`);
  const again = a.trove('push');
  assert.equal(again.result.objects, 0);
  // The pushed-root marker vouches for the whole version: nothing below its root page is examined.
  assert.equal(again.result.alreadyOnRemote, 0);
}));

test('after a push, pushing one changed file of a directory sends that file and a few pages; a fresh clone pulls every byte, also after gc -r cleared the markers', withTeam((team, remote) => {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 600; i++) files[`data/d${i % 10}/f${i}.bin`] = pseudoRandom(200 + i, i + 11);
  const a = seeded(team, remote, files);
  assert.equal(a.trove('push').code, 0);
  files['data/d3/f123.bin'] = pseudoRandom(999, 4242);
  a.write('data/d3/f123.bin', files['data/d3/f123.bin']);
  assert.equal(a.trove('add', 'data').code, 0);
  a.git('commit', '-q', '-am', 'one change');
  a.git('push', '-q', 'origin', 'main');
  const one = a.trove('push');
  assert.equal(one.code, 0, one.stderr);
  assert.ok(one.result.objects >= 2 && one.result.objects <= 4, `sent ${one.result.objects}: the file and the pages on its path`);
  assert.ok(one.result.alreadyOnRemote <= 2, `examined ${one.result.alreadyOnRemote} objects the remote had: only what differs is walked`);
  const b = team.clone('b');
  assert.equal(b.trove('pull').code, 0);
  for (const [p, d] of Object.entries(files)) assert.ok(b.read(p).equals(d), p);
  // The remote lost everything (another clone's gc -r, a wiped bucket): the marker's root page is no
  // longer listed there, so the marker is not believed and the next push sends the whole version again.
  for (const n of readdirSync(join(remote, 'packs'))) rmSync(join(remote, 'packs', n));
  const whole = a.trove('push');
  assert.equal(whole.code, 0, whole.stderr);
  assert.ok(whole.result.objects > 600, `sent ${whole.result.objects}`);
  const c = team.clone('c');
  assert.equal(c.trove('pull').code, 0);
  for (const [p, d] of Object.entries(files)) assert.ok(c.read(p).equals(d), p);
}));

test('granular pull: one file inside a tracked directory is fetched and placed alone', withTeam((team, remote) => {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 30; i++) files[`data/f${i}.bin`] = pseudoRandom(20_000 + i, i + 1);
  const a = seeded(team, remote, files);
  assert.equal(a.trove('push').code, 0);
  const b = team.clone('b');
  const r = b.trove('pull', 'data/f7.bin');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(b.read('data/f7.bin').equals(files['data/f7.bin']!));
  assert.equal(existsSync(join(b.dir, 'data/f8.bin')), false, 'other files of the directory were not placed');
  // Only that file's object plus the manifest were downloaded.
  assert.ok(r.result.fetch.objects <= 3, `fetched ${r.result.fetch.objects} objects`);
}));

test('pull --rev brings the data of an older commit without moving HEAD', withTeam((team, remote) => {
  const a = seeded(team, remote, { 'models/m.bin': Buffer.from('model v1') });
  a.write('models/m.bin', Buffer.from('model v2'));
  assert.equal(a.trove('add', 'models').code, 0);
  a.git('commit', '-q', '-am', 'v2');
  a.git('push', '-q', 'origin', 'main');
  assert.equal(a.trove('push', '--rev', 'HEAD~1').code, 0);
  const b = team.clone('b');
  const r = b.trove('pull', '--rev', 'HEAD~1');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(b.read('models/m.bin').toString(), 'model v1');
  assert.equal(b.git('rev-parse', 'HEAD'), a.git('rev-parse', 'HEAD'));
}));

test('a corrupt pack on the remote is reported by path, never stored or placed, and fsck -r plus a new push repair it', withTeam((team, remote) => {
  const a = seeded(team, remote, { 'models/m.bin': pseudoRandom(200_000, 5) });
  assert.equal(a.trove('push').code, 0);
  const pack = readdirSync(join(remote, 'packs')).find((n) => n.endsWith('.pack'))!;
  const file = join(remote, 'packs', pack);
  chmodSync(file, 0o644);
  const bytes = readFileSync(file);
  bytes[1000]! ^= 0x40; // a 200 kB file's pack
  writeFileSync(file, bytes);
  const b = team.clone('b');
  const r = b.trove('pull');
  assert.equal(r.code, 3, 'partial transfer exit code');
  assert.equal(r.error.code, 'PARTIAL_TRANSFER');
  assert.match(r.error.message, /models\/m\.bin/);
  assert.match(r.error.message, /corrupt/);
  assert.equal(existsSync(join(b.dir, 'models/m.bin')), false, 'nothing corrupt reached the work tree');
  const fast = b.trove('fsck', '-r', 'store');
  assert.equal(fast.code, 0, 'a flipped bit keeps the size: the fast check cannot see it');
  const r2 = runCli(b.dir, ['--json', 'fsck', '-r', 'store', '--thorough']);
  assert.equal(r2.code, 1, 'thorough fsck exits 1 when it finds a corrupt pack');
  const fsck = JSON.parse(r2.stdout).result.remote;
  assert.equal(fsck.corruptPacks.length, 1);
  assert.equal(fsck.removed.length, 1);
  assert.equal(a.trove('push').code, 0);
  const again = b.trove('pull');
  assert.equal(again.code, 0, again.stderr);
  assert.ok(b.read('models/m.bin').equals(a.read('models/m.bin')));
}));

test('two clones pushing the same and different data at once both succeed and the remote stays consistent', withTeam(async (team, remote) => {
  const shared = pseudoRandom(2_000_000, 77);
  const a = seeded(team, remote, { 'data/shared.bin': shared, 'data/only-a.bin': pseudoRandom(300_000, 1) });
  const c = team.clone('c');
  c.write('data/shared.bin', shared);
  c.write('data/only-c.bin', pseudoRandom(300_000, 2));
  assert.equal(c.trove('add', 'data').code, 0);
  const run = (dir: string) => new Promise<number>((resolve) => spawn(process.execPath, [BIN, 'push'], { cwd: dir, stdio: 'ignore' }).on('exit', (code) => resolve(code ?? -1)));
  const codes = await Promise.all([run(a.dir), run(c.dir)]);
  assert.deepEqual(codes, [0, 0]);
  // Every index names a pack that exists at the size it claims.
  for (const n of readdirSync(join(remote, 'packs')).filter((x) => x.endsWith('.idx'))) {
    const lines = readFileSync(join(remote, 'packs', n), 'utf8').trim().split('\n').slice(1);
    const size = lines.reduce((s, l) => s + Number(l.split(' ')[3]), 0);
    assert.equal(statSync(join(remote, 'packs', n.replace('.idx', '.pack'))).size, size);
  }
  c.git('add', '-A');
  c.git('commit', '-q', '-m', 'c data');
  for (const who of [a, c]) {
    const d = team.clone(`check-${who === a ? 'a' : 'c'}`);
    d.git('fetch', '-q', who.dir, 'main');
    d.git('checkout', '-q', 'FETCH_HEAD');
    const r = d.trove('pull');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(d.read('data/shared.bin').equals(shared));
  }
}));

test('status -r shows what is not yet pushed and not yet pulled', withTeam((team, remote) => {
  const a = seeded(team, remote, { 'data/x.bin': pseudoRandom(10_000, 1), 'models/m.bin': pseudoRandom(10_000, 2) });
  const before = a.trove('status', '-r', 'store');
  assert.equal(before.code, 0);
  assert.equal(before.result.remote.inSync, false);
  assert.ok(before.result.remote.artifacts.every((x: { notPushed: number }) => x.notPushed > 0));
  assert.equal(runCli(a.dir, ['status', '-r', 'store', '--exit-code']).code, 1);
  assert.equal(a.trove('push', 'data').code, 0);
  const mid = a.trove('status', '-r', 'store').result.remote.artifacts;
  assert.deepEqual(mid.map((x: { path: string; notPushed: number }) => [x.path, x.notPushed > 0]), [['data', false], ['models', true]]);
  assert.equal(a.trove('push').code, 0);
  const b = team.clone('b');
  const inB = b.trove('status', '-r', 'store').result.remote;
  assert.ok(inB.artifacts.every((x: { notPulled: boolean }) => x.notPulled));
  assert.equal(b.trove('pull').code, 0);
  assert.equal(b.trove('status', '-r', 'store').result.remote.inSync, true);
}));

test('a remote published over HTTP: pull works read-only, push is refused with a hint', withTeam(async (team, remote) => {
  const { createServer } = await import('node:http');
  const { createReadStream, statSync: st } = await import('node:fs');
  const a = seeded(team, remote, { 'data/a.bin': pseudoRandom(70_000, 3), 'data/b.bin': pseudoRandom(90_000, 4) });
  assert.equal(a.trove('push').code, 0);
  // A plain static file server with Range support, like nginx in front of the shared directory.
  const server = createServer((req, res) => {
    const file = join(remote, decodeURIComponent((req.url ?? '/').split('?')[0]!));
    let size: number;
    try {
      size = st(file).size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      const end = Math.min(size - 1, Number(m[2]));
      res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}` });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file, { start, end }).pipe(res);
    } else {
      res.writeHead(200, { 'content-length': size });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    const b = team.clone('b');
    assert.equal(b.trove('remote', 'add', '--local', '--force', 'store', `http://127.0.0.1:${port}/`).code, 0);
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, '--json', 'pull'], { cwd: b.dir });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(b.read('data/a.bin').equals(a.read('data/a.bin')));
    b.write('data/c.bin', Buffer.from('new'));
    assert.equal(b.trove('add', 'data').code, 0);
    const push = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, '--json', 'push'], { cwd: b.dir });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => resolve({ code: code ?? -1, stderr }));
    });
    assert.equal(push.code, 1);
    assert.equal(JSON.parse(push.stderr.trim().split('\n').pop()!).error.code, 'PERMISSION');
  } finally {
    server.close();
  }
}));

test('a fresh clone\'s pull leaves at most 1 store file per 1,000 objects: small entries arrive in local packs, sealed before checkout', withTeam((team, remote) => {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 6000; i++) files[`data/d${i % 20}/f${i}.bin`] = pseudoRandom(64 + (i % 200), i + 3);
  const a = seeded(team, remote, files);
  const pushed = a.trove('push');
  assert.equal(pushed.code, 0, pushed.stderr);
  // Each local pack went up whole, as one remote pack with the local pack's name.
  const localPacks = readdirSync(join(a.dir, '.trove', 'cache', 'packs')).filter((n) => n.endsWith('.pack'));
  assert.ok(localPacks.length > 0, 'add packed the small files');
  const remotePacks = new Set(readdirSync(join(remote, 'packs')));
  for (const n of localPacks) assert.ok(remotePacks.has(n), `local pack ${n} is on the remote under its name`);
  const b = team.clone('b');
  const pulled = b.trove('pull');
  assert.equal(pulled.code, 0, pulled.stderr);
  for (const p of ['data/d0/f0.bin', 'data/d7/f2347.bin', 'data/d19/f5999.bin']) assert.ok(b.read(p).equals(files[p]!), p);
  // The store proper: not the cached copies of the remote's indexes, nor the empty marker of each directory version known whole (complete/).
  const store = join(b.dir, '.trove', 'cache');
  const notObjects = [join(store, 'remotes'), join(store, 'complete')];
  const storeFiles = readdirSync(store, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && !notObjects.some((dir) => join(d.parentPath ?? d.path, d.name).startsWith(dir + '/')));
  assert.ok(storeFiles.length <= Math.ceil(pushed.result.objects / 1000), `${storeFiles.length} store files for ${pushed.result.objects} objects: ${storeFiles.map((d) => d.name).join(' ')}`);
  assert.equal(b.trove('fsck').code, 0, 'every packed entry verifies');
  assert.equal(b.trove('status').code, 0);
}));
