import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { BIN, createTmpRepo, pseudoRandom, runCli } from '../helpers/tmpRepo.js';
import { unpackToFormat1 } from '../helpers/unpackStore.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { deleteRetired, listRetired, retirePacks } from '../../src/store/pack/retire.js';
import { PackWriter } from '../../src/store/pack/PackWriter.js';
import { PackSet } from '../../src/store/pack/PackSet.js';
import { listPacks, repackStore } from '../../src/store/pack/repack.js';
import { READERS_DIR } from '../../src/store/pack/readerLease.js';

const LEASE_MODULE = new URL('../../src/store/pack/readerLease.js', import.meta.url).href;
const PACKSET_MODULE = new URL('../../src/store/pack/PackSet.js', import.meta.url).href;
const A = 'c'.repeat(64);

/** A child process that takes a reader lease on `store`, says "ready", and lives until its stdin closes. */
async function leaseHolder(store: string): Promise<ChildProcess> {
  const script = `import { takeReaderLease } from ${JSON.stringify(LEASE_MODULE)};
if (!takeReaderLease(process.argv[1])) process.exit(3);
process.stdout.write('ready\\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, store], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.equal(chunk.toString(), 'ready\n');
  return child;
}

function storeWithPack(): string {
  const store = mkdtempSync(join(tmpdir(), 'trove-packretire-'));
  mkdirSync(join(store, 'packs'));
  writeFileSync(join(store, 'packs', A + '.pack'), 'pack bytes');
  writeFileSync(join(store, 'packs', A + '.tidx'), 'index');
  return store;
}

const retired = (store: string): string[] => readdirSync(join(store, 'packs', 'retired')).sort();

test('a child process holding a reader lease keeps retired packs alive until it exits', async () => {
  const store = storeWithPack();
  try {
    const child = await leaseHolder(store);
    retirePacks(store, [A]);
    assert.deepEqual(deleteRetired(store).waiting, [A]);
    assert.deepEqual(retired(store), [A + '.pack', A + '.tidx']);
    child.stdin!.end();
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    assert.deepEqual(readdirSync(join(store, READERS_DIR)), [], 'the lease was released at exit');
    assert.deepEqual(deleteRetired(store).deleted, [A]);
    assert.deepEqual(retired(store), []);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('the lease of a child killed with -9 is ignored by the next delete', async () => {
  const store = storeWithPack();
  try {
    const child = await leaseHolder(store);
    retirePacks(store, [A]);
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(readdirSync(join(store, READERS_DIR)).length, 1, 'kill -9 left the lease behind');
    assert.deepEqual(deleteRetired(store).deleted, [A]);
    assert.ok(!existsSync(join(store, 'packs', 'retired', A + '.pack')));
    assert.deepEqual(readdirSync(join(store, READERS_DIR)), [], 'and it was swept');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// With real packs and gc's repack

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const blob = (i: number): Buffer => Buffer.alloc(300 + i, `object ${i} `);

/**
 * A reader in a child process: takes a lease on `store`, lists the packs and
 * locates every object of `hexes`, reads the first one of each pack (so it is
 * mid-read), says "ready", then on "go" reads and verifies every object and
 * prints how many it read. It never re-lists: it relies on what it listed.
 */
async function packReader(store: string, hexes: string[]): Promise<ChildProcess> {
  const script = `import { createHash } from 'node:crypto';
import { takeReaderLease } from ${JSON.stringify(LEASE_MODULE)};
import { PackSet } from ${JSON.stringify(PACKSET_MODULE)};
const [store, list] = [process.argv[1], process.argv[2].split(',')];
if (!takeReaderLease(store)) process.exit(3);
const set = new PackSet(store + '/packs');
const locs = list.map((h) => [h, set.lookup('o', h)]);
const seen = new Set();
for (const [, loc] of locs) if (loc && !seen.has(loc.pack)) { seen.add(loc.pack); set.read(loc); }
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  let ok = 0;
  for (const [h, loc] of locs) if (loc && createHash('sha256').update(set.read(loc)).digest('hex') === h) ok++;
  process.stdout.write(ok + '\\n');
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, store, hexes.join(',')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.equal(chunk.toString(), 'ready\n');
  return child;
}

/** A store with one pack of 10 objects, of which only `live` are live (so gc rewrites it). */
function storeWithSparsePack(): { store: string; all: string[]; isLive: (k: string, h: string) => boolean; live: string[] } {
  const store = mkdtempSync(join(tmpdir(), 'trove-packretire-gc-'));
  const w = new PackWriter(join(store, 'packs'), { fsync: false });
  const all: string[] = [];
  for (let i = 0; i < 10; i++) {
    w.append('o', sha(blob(i)), blob(i));
    all.push(sha(blob(i)));
  }
  w.finish();
  const live = all.slice(0, 3);
  return { store, all, live, isLive: (_k, h) => live.includes(h) };
}

test('nothing a pack index points at is deleted while a reader may need it', async () => {
  const { store, all, live, isLive } = storeWithSparsePack();
  try {
    const [oldPack] = listPacks(join(store, 'packs')).map((p) => p.name);
    const child = await packReader(store, all);
    const gc1 = repackStore(store, isLive, { fsync: false });
    assert.equal(gc1.packsRewritten, 1);
    assert.equal(gc1.retiredWaiting, 1, 'the reader listed the old pack before it was retired');
    assert.deepEqual(listRetired(store), [oldPack]);
    child.stdin!.write('go\n');
    const [read] = (await once(child.stdout!, 'data')) as [Buffer];
    assert.equal(read.toString(), `${all.length}\n`, 'the reader read every object it had located, dead ones included');
    const gc2 = repackStore(store, isLive, { fsync: false });
    assert.equal(gc2.retiredWaiting, 1, 'still alive: still waiting');
    child.stdin!.end();
    await once(child, 'exit');
    const gc3 = repackStore(store, isLive, { fsync: false });
    assert.equal(gc3.retiredDeleted, 1, 'the next gc after the reader is gone deletes them');
    assert.deepEqual(listRetired(store), []);
    const set = new PackSet(join(store, 'packs'));
    for (const h of live) assert.equal(sha(set.read(set.lookup('o', h)!)), h);
    set.close();
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('nothing a pack index points at is deleted while a reader may need it: a reader killed with -9 holds nothing', async () => {
  const { store, all, isLive } = storeWithSparsePack();
  try {
    const child = await packReader(store, all);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const gc = repackStore(store, isLive, { fsync: false });
    assert.equal(gc.packsRewritten, 1);
    assert.equal(gc.retiredDeleted, 1, 'the dead reader\'s lease is ignored');
    assert.deepEqual(listRetired(store), []);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('status racing gc finds objects moved from loose to a pack', async () => {
  const repo = createTmpRepo();
  try {
    for (let i = 0; i < 1500; i++) repo.write(`data/d${String(Math.floor(i / 100)).padStart(2, '0')}/f${i}.bin`, pseudoRandom(100 + (i % 400), i + 1));
    assert.equal(runCli(repo.dir, ['add', 'data']).code, 0);
    repo.git('commit', '-qm', 'v1');
    unpackToFormat1(join(repo.dir, '.trove/cache'));
    const gc = spawn(process.execPath, [BIN, '--json', 'gc'], { cwd: repo.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let gcDone = false;
    const gcExit = once(gc, 'exit').then(([code]) => {
      gcDone = true;
      return code as number;
    });
    let runs = 0;
    let touch = 0;
    do {
      // a new mtime on one file: the scan signature misses, so status reads the manifest pages gc is moving
      const t = new Date(1_700_000_000_000 + ++touch * 1000);
      utimesSync(join(repo.dir, 'data/d00/f0.bin'), t, t);
      const st = await runAsync(repo.dir, ['--json', 'status']);
      assert.equal(st.code, 0, st.stderr);
      const r = JSON.parse(st.stdout).result;
      assert.equal(r.clean, true, JSON.stringify(r.artifacts));
      runs++;
    } while (!gcDone || runs < 2);
    assert.equal(await gcExit, 0);
    assert.ok(readdirSync(join(repo.dir, '.trove/cache/packs')).some((n) => n.endsWith('.pack')), 'gc packed the loose objects');
    const st = runCli(repo.dir, ['--json', 'status']);
    assert.equal(JSON.parse(st.stdout).result.clean, true);
  } finally {
    repo.cleanup();
  }
});

function runAsync(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
