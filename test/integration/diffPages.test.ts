// `trove diff` of a large directory: it read both versions' manifests whole
// (and, against the work tree, scanned and compared every file: 45 s and
// 2.2 GB at 1,000,000 files). Now it reads the pages that differ and, against
// the work tree, the chunks whose scan changed. The answer is checked against
// the whole-list comparison; reads are counted, never timed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRepo, add, status, init, diff } from '../../src/index.js';
import { saveCaches } from '../../src/workspace/Repo.js';
import { readLeafRefs, readManifest } from '../../src/store/manifestIO.js';
import { listRevArtifacts, readWorkPointer } from '../../src/workspace/pointers/pointers.js';
import { diffEntries, readWorkState } from '../../src/workspace/scan/workState.js';
import { createTmpRepo, type TmpRepo } from '../helpers/tmpRepo.js';
import { countingReads } from '../helpers/countingReads.js';

const DIRS = 20;
const PER_DIR = 250;
let repo: TmpRepo;
const name = (d: number, f: number): string => `data/d${String(d).padStart(2, '0')}/f${String(f).padStart(4, '0')}.bin`;
const write = (p: string, body: string): void => writeFileSync(join(repo.dir, p), body);

before(async () => {
  repo = createTmpRepo({ init: false });
  await init({ cwd: repo.dir });
  for (let d = 0; d < DIRS; d++) {
    mkdirSync(join(repo.dir, 'data', `d${String(d).padStart(2, '0')}`), { recursive: true });
    for (let f = 0; f < PER_DIR; f++) write(name(d, f), `${d}/${f}`);
  }
  await commitAll('v1');
  write(name(2, 1), 'v2 of d02/f0001');
  rmSync(join(repo.dir, name(5, 2)));
  write('data/d09/new.bin', 'added in v2');
  write(name(16, 7), 'v2 of d16/f0007');
  await commitAll('v2');
  // The work tree after v2: an edit over a v2 change, new edits, a deletion, a v2 change undone by hand, an unadded file.
  write(name(2, 1), 'local edit of d02/f0001');
  write(name(11, 3), 'local edit of d11/f0003');
  rmSync(join(repo.dir, name(14, 4)));
  write(name(16, 7), '16/7');
  write('data/d18/untracked.bin', 'never added');
  const s = await openRepo({ cwd: repo.dir });
  await status(s);
  saveCaches(s);
});

after(() => repo.cleanup());

async function commitAll(message: string): Promise<void> {
  const r = await openRepo({ cwd: repo.dir });
  await add(r, { paths: ['data'] });
  saveCaches(r);
  repo.git('commit', '-qm', message);
}

test('diff of two versions of a large directory read both manifests whole: it reads the pages that differ and reports exactly what the whole lists differ in', async () => {
  const r = await openRepo({ cwd: repo.dir });
  const [v1] = await listRevArtifacts(r, 'HEAD~1', ['data']);
  const [v2] = await listRevArtifacts(r, 'HEAD', ['data']);
  const leaves = readLeafRefs(r.store, v2!.pointer.oid, 'data').length;
  const { value, reads } = await countingReads(r, () => diff(r, { from: 'HEAD~1', to: 'HEAD' }));
  const whole = diffEntries(readManifest(r.store, v1!.pointer.oid, 'data'), readManifest(r.store, v2!.pointer.oid, 'data'));
  assert.equal(value.artifacts.length, 1);
  assert.deepEqual(value.artifacts[0]!.files, whole);
  assert.deepEqual(whole.added.map((c) => c.path), ['d09/new.bin']);
  assert.equal(value.artifacts[0]!.newSize, v2!.pointer.size);
  assert.ok(leaves >= 4 && reads < leaves, `${reads} page reads for ${leaves} leaves per version`);
});

test('diff of a version against the work tree scanned and compared every file: it composes the pages that differ with the status engine\'s changed chunks, and equals the whole comparison (an edit over a change, a change undone by hand, deletions, an unadded file)', async () => {
  const r = await openRepo({ cwd: repo.dir });
  const [v1] = await listRevArtifacts(r, 'HEAD~1', ['data']);
  const leaves = readLeafRefs(r.store, readWorkPointer(r, 'data')!.oid, 'data').length;
  const { value, reads } = await countingReads(r, () => diff(r, { from: 'HEAD~1' }));
  const work = await readWorkState(await openRepo({ cwd: repo.dir }), 'data');
  assert.equal(work.kind, 'dir');
  const entries = work.kind === 'dir' ? work.entries : [];
  const whole = diffEntries(readManifest(r.store, v1!.pointer.oid, 'data'), entries);
  assert.equal(value.to, 'workspace');
  assert.deepEqual(value.artifacts[0]!.files, whole);
  assert.deepEqual(whole.modified.map((c) => c.path).sort(), ['d02/f0001.bin', 'd11/f0003.bin']);
  assert.deepEqual(whole.deleted.map((c) => c.path).sort(), ['d05/f0002.bin', 'd14/f0004.bin']);
  assert.deepEqual(whole.added.map((c) => c.path).sort(), ['d09/new.bin', 'd18/untracked.bin']);
  assert.equal(value.artifacts[0]!.newSize, entries.reduce((s, e) => s + e.size, 0));
  assert.ok(reads < leaves, `${reads} page reads for ${leaves} leaves`);
  // The work tree was only read: the edits are still there.
  assert.equal(readFileSync(join(repo.dir, name(2, 1)), 'utf8'), 'local edit of d02/f0001');
});

test('diff of the version the work tree points to against it equals status\'s changes', async () => {
  const r = await openRepo({ cwd: repo.dir });
  const d = await diff(r, {});
  const s = await status(await openRepo({ cwd: repo.dir }));
  assert.deepEqual(d.artifacts[0]!.files, s.artifacts[0]!.changes);
});
