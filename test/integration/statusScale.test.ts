// The status engine on a 20,000-file directory (scale plan P2): what a status
// or a pre-commit reads is counted (leaf pages through the store, row blocks
// of the work index), never timed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openRepo, add, status, init, type Repo } from '../../src/index.js';
import { saveCaches } from '../../src/workspace/Repo.js';
import { findUnaddedChanges } from '../../src/workspace/scan/unaddedChanges.js';
import { streamChunkedState } from '../../src/workspace/scan/streamChunkedState.js';
import { readWorkPointer } from '../../src/workspace/pointers/pointers.js';
import { createTmpRepo, type TmpRepo } from '../helpers/tmpRepo.js';

const DIRS = 100;
const PER_DIR = 200;
let repo: TmpRepo;

/** A repository opened afresh (as the next command would), its leaf page reads counted. */
async function opened(): Promise<{ r: Repo; leafReads: () => number; blocks: () => number }> {
  const r = await openRepo({ cwd: repo.dir });
  let leaves = 0;
  const read = r.store.readObject.bind(r.store);
  r.store.readObject = (oid, what) => {
    const b = read(oid, what);
    if (b.subarray(0, 40).toString('latin1').includes(' leaf')) leaves++;
    return b;
  };
  return { r, leafReads: () => leaves, blocks: () => r.workIndex('data').blocksRead };
}

async function statusOf(): Promise<{ result: Awaited<ReturnType<typeof status>>; leafReads: number; blocks: number }> {
  // Past the racy tick of everything written before: a chunk is only unsigned when its files change while it is scanned.
  await sleep(20);
  const o = await opened();
  const result = await status(o.r);
  return { result, leafReads: o.leafReads(), blocks: o.blocks() };
}

before(async () => {
  repo = createTmpRepo({ init: false });
  await init({ cwd: repo.dir });
  for (let d = 0; d < DIRS; d++) {
    mkdirSync(join(repo.dir, 'data', `d${String(d).padStart(3, '0')}`), { recursive: true });
    for (let f = 0; f < PER_DIR; f++) writeFileSync(join(repo.dir, 'data', `d${String(d).padStart(3, '0')}`, `f${String(f).padStart(5, '0')}.bin`), `${d}/${f}`);
  }
  const r = await openRepo({ cwd: repo.dir });
  await add(r, { paths: ['data'] });
  saveCaches(r);
  repo.git('commit', '-qm', 'v1');
  await statusOf(); // records the work index
});

after(() => repo.cleanup());

test('status of 20k files, nothing changed: no row block and no leaf page read (but the leftmost, which gives the height)', async () => {
  const { result, leafReads, blocks } = await statusOf();
  assert.equal(result.clean, true);
  assert.equal(result.hashed, 0);
  assert.ok(leafReads <= 1, `${leafReads} leaf pages read`);
  assert.equal(blocks, 0);
});

test('status after one change in 20k files: ≤ 4 leaf reads and ≤ 1 row block, the one file reported', async () => {
  writeFileSync(join(repo.dir, 'data/d042/f00123.bin'), 'changed!');
  const { result, leafReads, blocks } = await statusOf();
  const a = result.artifacts[0]!;
  assert.equal(a.state, 'modified');
  assert.deepEqual(a.changes?.modified.map((m) => m.path), ['d042/f00123.bin']);
  assert.equal(result.hashed, 1);
  assert.ok(leafReads <= 4, `${leafReads} leaf pages read`);
  assert.equal(blocks, 1, 'the changed chunk\'s rows');
  // Seen again: the changed chunk's rows are in the index now, so nothing is hashed.
  const again = await statusOf();
  assert.equal(again.result.hashed, 0);
  assert.equal(again.result.artifacts[0]!.state, 'modified');
  assert.ok(again.leafReads <= 4 && again.blocks <= 1);
  writeFileSync(join(repo.dir, 'data/d042/f00123.bin'), '42/123');
  const back = await statusOf();
  assert.equal(back.result.clean, true, 'the old content again');
});

test('pre-commit catches one unadded file of 20k with ≤ 1 row block read', async () => {
  writeFileSync(join(repo.dir, 'data/d007/f00007.bin'), 'never added');
  await sleep(20);
  const o = await opened();
  const u = await findUnaddedChanges(o.r);
  assert.deepEqual(u.unadded, [{ path: 'data', files: ['data/d007/f00007.bin'] }]);
  assert.ok(o.blocks() <= 1, `${o.blocks()} blocks`);
  assert.ok(o.leafReads() <= 4, `${o.leafReads()} leaves`);
  writeFileSync(join(repo.dir, 'data/d007/f00007.bin'), '7/7');
  assert.equal((await statusOf()).result.clean, true);
});

test('file delete, add and rename are reported from the suspect chunks only', async () => {
  rmSync(join(repo.dir, 'data/d010/f00010.bin'));
  writeFileSync(join(repo.dir, 'data/d020/new.bin'), 'new');
  renameSync(join(repo.dir, 'data/d030/f00030.bin'), join(repo.dir, 'data/d030/moved.bin'));
  const { result, blocks } = await statusOf();
  const c = result.artifacts[0]!.changes!;
  assert.deepEqual(c.deleted.map((d) => d.path).sort(), ['d010/f00010.bin', 'd030/f00030.bin']);
  assert.deepEqual(c.added.map((d) => d.path).sort(), ['d020/new.bin', 'd030/moved.bin']);
  assert.equal(result.hashed, 2, 'the new file and the renamed one (a new name has no row); nothing else');
  assert.ok(blocks <= 4);
  writeFileSync(join(repo.dir, 'data/d010/f00010.bin'), '10/10');
  rmSync(join(repo.dir, 'data/d020/new.bin'));
  renameSync(join(repo.dir, 'data/d030/moved.bin'), join(repo.dir, 'data/d030/f00030.bin'));
  assert.equal((await statusOf()).result.clean, true);
});

test('a pointer moved by git checkout without hooks is caught by the leaf-id test', async () => {
  const v1 = readFileSync(join(repo.dir, 'data.trove'), 'utf8');
  writeFileSync(join(repo.dir, 'data/d050/f00050.bin'), 'version two');
  const r = await openRepo({ cwd: repo.dir });
  await add(r, { paths: ['data'] });
  saveCaches(r);
  assert.equal((await statusOf()).result.clean, true, 'the index now records version two');
  writeFileSync(join(repo.dir, 'data.trove'), v1); // what `git checkout <v1> -- data.trove` does without the restore hook
  const { result } = await statusOf();
  assert.equal(result.artifacts[0]!.state, 'modified');
  assert.deepEqual(result.artifacts[0]!.changes?.modified.map((m) => m.path), ['d050/f00050.bin']);
  writeFileSync(join(repo.dir, 'data/d050/f00050.bin'), '50/50');
  assert.equal((await statusOf()).result.clean, true);
});

test('a corrupt, torn or foreign work index: status is still correct', async () => {
  const dir = join(repo.dir, '.trove/tmp/work');
  const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.twi'))!);
  writeFileSync(join(repo.dir, 'data/d060/f00060.bin'), 'local edit');
  for (const damage of [(t: Buffer) => t.subarray(0, t.length - 7), (t: Buffer) => Buffer.from(t.toString('latin1').replace(/"d0[0-9][0-9]\//g, '"zzzz/'), 'latin1'), () => Buffer.from('{"version":1,"id":"0000000000000000","path":"other","root":null,"chunks":0,"files":0}\n')]) {
    writeFileSync(file, damage(readFileSync(file)));
    rmSync(`${file}.log`, { force: true });
    const { result } = await statusOf();
    assert.equal(result.artifacts[0]!.state, 'modified');
    assert.deepEqual(result.artifacts[0]!.changes?.modified.map((m) => m.path), ['d060/f00060.bin']);
  }
  writeFileSync(join(repo.dir, 'data/d060/f00060.bin'), '60/60');
  assert.equal((await statusOf()).result.clean, true);
});

test('add of one change in 20k files: one row block, one file read, the other leaves reused; the root a full build gives', async () => {
  await statusOf();
  writeFileSync(join(repo.dir, 'data/d077/f00077.bin'), 'added change');
  await sleep(20);
  const o = await opened();
  // allowDeletions: the unfetched-deletions check (S9, reading both listings) is the diff package's to make O(changed).
  const res = await add(o.r, { paths: ['data'], allowDeletions: true });
  saveCaches(o.r);
  const a = res.artifacts[0]!;
  assert.equal(a.hashed, 1);
  assert.ok(o.blocks() <= 1, `${o.blocks()} row blocks`);
  assert.equal(o.leafReads(), 0, 'no page is read: unchanged leaves are pushed by id');
  // The file, its leaf (a few hundred entries, ~90 bytes each) and the node pages; rewriting every page is ~1.8 MB.
  assert.ok(a.stored < 512 * 1024, `${a.stored} bytes stored`);
  assert.equal((await statusOf()).result.clean, true);
  // The same tree from scratch, without the work index: the same version.
  rmSync(join(repo.dir, '.trove/tmp/work'), { recursive: true, force: true });
  const full = await add(await openRepo({ cwd: repo.dir }), { paths: ['data'] });
  assert.equal(full.artifacts[0]!.oid, a.oid);
  assert.equal(full.artifacts[0]!.changed, false);
});

test('a flat directory of 5,000 files: one change reads one row block of ~20, not the directory (why chunks, not directories)', async () => {
  const flat = createTmpRepo({ init: false });
  try {
    await init({ cwd: flat.dir });
    mkdirSync(join(flat.dir, 'flat'));
    for (let i = 0; i < 5000; i++) writeFileSync(join(flat.dir, 'flat', `x${i}`), `${i}`);
    const r = await openRepo({ cwd: flat.dir });
    await add(r, { paths: ['flat'] });
    saveCaches(r);
    writeFileSync(join(flat.dir, 'flat', 'x2500'), 'changed');
    await sleep(20);
    const o = await openRepo({ cwd: flat.dir });
    const st = await status(o);
    assert.deepEqual(st.artifacts[0]!.changes?.modified.map((m) => m.path), ['x2500']);
    const index = o.workIndex('flat');
    assert.ok(index.chunks().length >= 8, `${index.chunks().length} chunks`);
    assert.equal(index.blocksRead, 1);
  } finally {
    flat.cleanup();
  }
});

/** Set core.jobs in the repository's config (the scan's threads above TROVE_SCAN_THREADS_MIN files, 20,000 by default: this directory's size). */
function setJobs(jobs: number): void {
  const file = join(repo.dir, '.trove/config.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^(\s*jobs:) *\d+/m, `$1 ${jobs}`));
}

test('status, pre-commit and add with the scan on 3 threads report exactly what one thread reports', async () => {
  await statusOf();
  writeFileSync(join(repo.dir, 'data/d050/f00050.bin'), 'threads: modified');
  rmSync(join(repo.dir, 'data/d061/f00061.bin'));
  writeFileSync(join(repo.dir, 'data/d072/new.bin'), 'threads: new');
  writeFileSync(join(repo.dir, 'data/d099/f00199.bin'), 'threads: the last file');
  try {
    setJobs(1);
    await statusOf(); // the changed chunks' rows recorded, so both runs below read the same
    const one = await statusOf();
    const oneUnadded = await findUnaddedChanges((await opened()).r);
    setJobs(3);
    const three = await statusOf();
    const threeUnadded = await findUnaddedChanges((await opened()).r);
    const r3 = (await opened()).r;
    assert.equal((await streamChunkedState(r3, 'data', readWorkPointer(r3, 'data')!.oid, () => undefined)).threads, 3, 'the scan ran on 3 threads');
    assert.deepEqual(three.result.artifacts, one.result.artifacts);
    assert.deepEqual(one.result.artifacts[0]!.changes?.modified.map((m) => m.path), ['d050/f00050.bin', 'd099/f00199.bin']);
    assert.equal(three.result.hashed, one.result.hashed);
    assert.equal(three.blocks, one.blocks);
    assert.equal(three.leafReads, one.leafReads);
    assert.deepEqual(threeUnadded, oneUnadded);
    const o = await opened();
    const res = await add(o.r, { paths: ['data'], allowDeletions: true });
    saveCaches(o.r);
    assert.ok(o.blocks() <= 4, `${o.blocks()} row blocks`);
    assert.equal((await statusOf()).result.clean, true);
    setJobs(1);
    rmSync(join(repo.dir, '.trove/tmp/work'), { recursive: true, force: true });
    const full = await add(await openRepo({ cwd: repo.dir }), { paths: ['data'] });
    assert.equal(full.artifacts[0]!.oid, res.artifacts[0]!.oid, 'the version one thread builds from scratch');
    assert.equal(full.artifacts[0]!.changed, false);
  } finally {
    setJobs(0);
  }
});
