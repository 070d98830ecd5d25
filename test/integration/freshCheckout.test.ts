// A whole directory checked out where nothing is (a fresh clone's pull): it
// is planned and placed a batch of leaves at a time, so what one command
// holds does not grow with the directory (issue 18: 886 MB at 200,000 files
// when every entry, its Stats and a whole-tree stat cache were held). Counted,
// never timed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openRepo, add, status, init } from '../../src/index.js';
import { saveCaches } from '../../src/workspace/Repo.js';
import { checkoutPaths } from '../../src/workspace/checkout/checkoutPaths.js';
import { readLeafRefs } from '../../src/store/manifestIO.js';
import { readWorkPointer } from '../../src/workspace/pointers/pointers.js';
import { createTmpRepo, type TmpRepo } from '../helpers/tmpRepo.js';

const DIRS = 20;
const PER_DIR = 250;
let repo: TmpRepo;
const name = (d: number, f: number): string => `data/d${String(d).padStart(2, '0')}/f${String(f).padStart(4, '0')}.bin`;

before(async () => {
  repo = createTmpRepo({ init: false });
  await init({ cwd: repo.dir });
  for (let d = 0; d < DIRS; d++) {
    mkdirSync(join(repo.dir, 'data', `d${String(d).padStart(2, '0')}`), { recursive: true });
    for (let f = 0; f < PER_DIR; f++) writeFileSync(join(repo.dir, name(d, f)), `${d}/${f}`);
  }
  const r = await openRepo({ cwd: repo.dir });
  await add(r, { paths: ['data'] });
  saveCaches(r);
  repo.git('commit', '-qm', 'v1');
});

after(() => repo.cleanup());

test('a fresh checkout of 5,000 files holds at most one batch of planned entries at once, and the next status hashes none of them', async () => {
  rmSync(join(repo.dir, 'data'), { recursive: true });
  const r = await openRepo({ cwd: repo.dir });
  const pointer = readWorkPointer(r, 'data')!;
  const refs = readLeafRefs(r.store, pointer.oid, 'data');
  // A batch is whole leaves: the largest leaf is the smallest batch possible.
  const BATCH = Math.max(...refs.map((ref) => ref.files));
  assert.ok(refs.length > 3 && BATCH * 4 < DIRS * PER_DIR, `${refs.length} leaves, the largest of ${BATCH} files`);
  const batches: number[] = [];
  const roots: (string | undefined)[] = [];
  const result = await checkoutPaths(r, {
    fresh: {
      batchFiles: BATCH,
      onBatch: (n) => {
        batches.push(n);
        roots.push(r.workIndex('data').root());
      },
    },
  });
  saveCaches(r);
  assert.equal(result.written, DIRS * PER_DIR);
  assert.ok(batches.length >= (DIRS * PER_DIR) / BATCH, `${batches.length} batches`);
  assert.ok(Math.max(...batches) <= BATCH, `at most ${BATCH} entries planned at once (${Math.max(...batches)})`);
  assert.equal(batches.reduce((a, b) => a + b, 0), DIRS * PER_DIR);
  // No whole-tree stat cache: the rows went to the work index, a batch at a time.
  assert.equal(r.statCache.isLoaded, false, 'the stat cache was never loaded');
  // Until the last file is placed the index names no version switch mode could trust.
  assert.ok(roots.every((x) => x !== pointer.oid.hex), 'the work index root is not B while files are still missing');
  assert.equal(r.workIndex('data').root(), pointer.oid.hex, 'B once every file is placed');
  for (const [d, f] of [[0, 0], [7, 77], [19, 249]] as const) assert.equal(readFileSync(join(repo.dir, name(d, f)), 'utf8'), `${d}/${f}`);
  await sleep(20);
  const st = await status(await openRepo({ cwd: repo.dir }));
  assert.equal(st.clean, true);
  assert.equal(st.hashed, 0, 'every placed file has a row');
});

test('a fresh checkout killed after its first batch left the old root W on disk, so the next checkout trusted W and skipped the files never placed: the root is saved as empty before anything is placed', async () => {
  const r0 = await openRepo({ cwd: repo.dir });
  const pointer = readWorkPointer(r0, 'data')!;
  // The directory was at W = this version (add or the last checkout recorded it); then it is deleted.
  assert.equal(r0.workIndex('data').root(), pointer.oid.hex);
  rmSync(join(repo.dir, 'data'), { recursive: true });
  const r = await openRepo({ cwd: repo.dir });
  const BATCH = Math.max(...readLeafRefs(r.store, pointer.oid, 'data').map((ref) => ref.files));
  let calls = 0;
  // Dies as a killed process does: after one batch is placed, before the end-of-command save.
  await assert.rejects(
    checkoutPaths(r, {
      fresh: {
        batchFiles: BATCH,
        onBatch: () => {
          if (++calls === 2) throw new Error('killed');
        },
      },
    }),
    /killed/,
  );
  const after = await openRepo({ cwd: repo.dir });
  assert.equal(after.workIndex('data').root() ?? '', '', 'no version is on disk while files are missing');
  const result = await checkoutPaths(after, {});
  saveCaches(after);
  assert.equal(result.written + result.artifacts.reduce((n, a) => n + a.unchanged, 0), DIRS * PER_DIR, 'the next checkout looked at every file');
  for (const [d, f] of [[0, 0], [10, 100], [19, 249]] as const) assert.equal(readFileSync(join(repo.dir, name(d, f)), 'utf8'), `${d}/${f}`);
});
