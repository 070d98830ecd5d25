// The status engine a range of paths at a time (streamChunkedState): a status
// whose every chunk is suspect (the first after a clone or a copy of the tree)
// held ~1.4 KB a file at once, 1.4 GB at a million files. The answers of
// status and of the pre-commit test must not depend on where the batches fall.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openRepo, add, diff, status, init } from '../../src/index.js';
import { readManifest } from '../../src/store/manifestIO.js';
import { planRepair } from '../../src/workspace/checkout/planRepair.js';
import { diffEntries, readWorkState } from '../../src/workspace/scan/workState.js';
import { saveCaches } from '../../src/workspace/Repo.js';
import { LEAF_MAX } from '../../src/core/manifestTree.js';
import { findUnaddedChanges } from '../../src/workspace/scan/unaddedChanges.js';
import { streamChunkedState } from '../../src/workspace/scan/streamChunkedState.js';
import { listRevArtifacts, listWorkArtifacts, readWorkPointer } from '../../src/workspace/pointers/pointers.js';
import { createTmpRepo, type TmpRepo } from '../helpers/tmpRepo.js';

const DIRS = 100;
const PER_DIR = 60;
let repo: TmpRepo;
const copies: string[] = [];

/** A copy of the repository: new inodes, so every chunk of it is suspect and every file is read. */
function freshCopy(): string {
  const dir = `${repo.dir}-copy${copies.length}`;
  cpSync(repo.dir, dir, { recursive: true });
  copies.push(dir);
  return dir;
}
const name = (d: number): string => `d${String(d).padStart(3, '0')}`;

before(async () => {
  repo = createTmpRepo({ init: false });
  await init({ cwd: repo.dir });
  for (let d = 0; d < DIRS; d++) {
    mkdirSync(join(repo.dir, 'data', name(d)), { recursive: true });
    for (let f = 0; f < PER_DIR; f++) writeFileSync(join(repo.dir, 'data', name(d), `f${String(f).padStart(4, '0')}.bin`), `${d}/${f}`);
  }
  const r = await openRepo({ cwd: repo.dir });
  await add(r, { paths: ['data'] });
  saveCaches(r);
  repo.git('commit', '-qm', 'v1');
  // v2: what `diff HEAD~1` composes with the work tree's changes
  writeFileSync(join(repo.dir, 'data', name(50), 'f0001.bin'), 'v2 content');
  writeFileSync(join(repo.dir, 'data', name(50), 'new.bin'), 'new in v2');
  rmSync(join(repo.dir, 'data', name(60), 'f0002.bin'));
  const r2 = await openRepo({ cwd: repo.dir });
  await add(r2, { paths: ['data'] });
  saveCaches(r2);
  repo.git('commit', '-qam', 'v2');
  // Changes of every kind, spread over the tree; a whole directory gone leaves leaves with no chunk to cut a batch at.
  writeFileSync(join(repo.dir, 'data', name(3), 'f0007.bin'), 'new content');
  writeFileSync(join(repo.dir, 'data', name(80), 'f0059.bin'), 'other new content');
  rmSync(join(repo.dir, 'data', name(10)), { recursive: true });
  rmSync(join(repo.dir, 'data', name(21), 'f0000.bin'));
  mkdirSync(join(repo.dir, 'data', 'd999'));
  for (let f = 0; f < 25; f++) writeFileSync(join(repo.dir, 'data', 'd999', `n${f}.bin`), `n${f}`);
  writeFileSync(join(repo.dir, 'data', name(15), 'f0020.bin'), '15/21'); // another committed file's content
  chmodSync(join(repo.dir, 'data', name(25), 'f0001.bin'), 0o755);
  await sleep(20);
});

after(() => {
  repo.cleanup();
  for (const c of copies) rmSync(c, { recursive: true, force: true });
});

async function withBatch<T>(batch: string | undefined, f: () => Promise<T>): Promise<T> {
  const saved = process.env.TROVE_STATUS_BATCH_FILES;
  if (batch === undefined) delete process.env.TROVE_STATUS_BATCH_FILES;
  else process.env.TROVE_STATUS_BATCH_FILES = batch;
  try {
    return await f();
  } finally {
    if (saved === undefined) delete process.env.TROVE_STATUS_BATCH_FILES;
    else process.env.TROVE_STATUS_BATCH_FILES = saved;
  }
}

async function statusWith(dir: string, batch: string | undefined): Promise<unknown> {
  return withBatch(batch, async () => {
    const r = await openRepo({ cwd: dir });
    const s = await status(r);
    const u = await findUnaddedChanges(r);
    return { artifacts: s.artifacts, clean: s.clean, unadded: u };
  });
}

test('status and the pre-commit test answer the same whatever the batch size, on a tree whose every chunk is suspect', async () => {
  const whole = (await statusWith(freshCopy(), String(1e9))) as { artifacts: { state: string; changes?: { added: unknown[]; deleted: unknown[]; modified: unknown[] } }[] };
  const ch = whole.artifacts[0]!.changes!;
  assert.equal(whole.artifacts[0]!.state, 'modified');
  assert.equal(ch.added.length, 25);
  assert.equal(ch.deleted.length, PER_DIR + 1);
  assert.equal(ch.modified.length, 4, JSON.stringify(ch.modified));
  for (const b of ['1', '100', undefined]) assert.deepStrictEqual(await statusWith(freshCopy(), b), whole, `TROVE_STATUS_BATCH_FILES=${b}`);
  // the original tree, whose work index matches all but the changed chunks, answers the same
  assert.deepStrictEqual(await statusWith(repo.dir, '7'), whole);
  assert.deepStrictEqual(await statusWith(repo.dir, undefined), whole);
});

test('a streamed comparison holds one batch at a time, and records what the next status needs', async () => {
  const copy = freshCopy();
  const r = await openRepo({ cwd: copy });
  const root = readWorkPointer(r, 'data')!.oid;
  const N = 100;
  const sizes: number[] = [];
  let expected = 0;
  let actual = 0;
  let last = '';
  const summary = await streamChunkedState(
    r,
    'data',
    root,
    (b) => {
      sizes.push(b.expected.length + b.actual.length);
      expected += b.expected.length;
      actual += b.actual.length;
      // batches come in path order, none overlapping
      const paths = [...b.expected, ...b.actual].map((e) => e.path).sort();
      if (paths.length > 0) {
        assert.ok(paths[0]! > last, `batch starting ${paths[0]} after ${last}`);
        last = paths[paths.length - 1]!;
      }
    },
    { env: { TROVE_STATUS_BATCH_FILES: String(N) } },
  );
  assert.equal(summary.suspects, summary.chunks, 'every chunk of the copy is suspect');
  // a batch goes out at the first chunk or leaf boundary past N files: about one per chunk here
  assert.ok(summary.batches > 3 && summary.batches >= Math.floor(summary.chunks / 2), `${summary.batches} batches for ${summary.chunks} chunks`);
  assert.equal(summary.batches, sizes.length);
  assert.equal(expected, DIRS * PER_DIR, 'every committed entry, once');
  assert.equal(actual, DIRS * PER_DIR - PER_DIR - 1 + 25, 'every file here, once');
  // One batch: what crossed the threshold plus at most a leaf and a chunk, on each side.
  for (const s of sizes) assert.ok(s <= 2 * (N + LEAF_MAX), `a batch of ${s}`);
  assert.ok(Math.max(...sizes) < DIRS * PER_DIR / 2, `never the whole tree in one batch: ${sizes} for ${summary.chunks} chunks`);
  summary.record();
  saveCaches(r);
  await sleep(20);
  // The next status finds every chunk recorded: only those holding a change are suspect again.
  const r2 = await openRepo({ cwd: copy });
  const next = await streamChunkedState(r2, 'data', root, () => undefined);
  assert.equal(next.hashed, 0, 'rows recorded from the spilled batches');
  assert.ok(next.suspects < next.chunks / 2, `${next.suspects} of ${next.chunks} chunks suspect again`);
});

test('diff of a version against the work tree and checkout\'s repair plan are the same whatever the batch size, and equal the whole comparison', async () => {
  const run = (batch: string | undefined): Promise<{ files: unknown; newSize: number; plan: unknown }> =>
    withBatch(batch, async () => {
      const dir = freshCopy();
      const d = await diff(await openRepo({ cwd: dir }), { from: 'HEAD~1' });
      const r = await openRepo({ cwd: dir });
      const [a] = await listWorkArtifacts(r, ['data']);
      const plan = await planRepair(r, a!);
      assert.ok(plan, 'the copy has recorded chunks: the chunked repair applies');
      return { files: d.artifacts[0]!.files, newSize: d.artifacts[0]!.newSize!, plan };
    });
  const whole = await run(String(1e9));
  // The whole comparison, without the status engine: version 1's manifest against every file on disk.
  const r = await openRepo({ cwd: repo.dir });
  const [v1] = await listRevArtifacts(r, 'HEAD~1', ['data']);
  const work = await readWorkState(r, 'data');
  const entries = work.kind === 'dir' ? work.entries : [];
  assert.deepStrictEqual(whole.files, diffEntries(readManifest(r.store, v1!.pointer.oid, 'data'), entries));
  assert.equal(whole.newSize, entries.reduce((n, e) => n + e.size, 0));
  const plan = whole.plan as { writes: { path: string }[]; deletes: string[]; unchanged: number };
  assert.equal(plan.writes.length, PER_DIR + 1 + 4, 'the deleted directory, the deleted file and the four modified files come back');
  assert.equal(plan.deletes.length, 25, 'the new directory goes');
  for (const b of ['1', '100', undefined]) assert.deepStrictEqual(await run(b), whole, `TROVE_STATUS_BATCH_FILES=${b}`);
});
