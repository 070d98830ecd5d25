// A checkout of a directory already at its version whose files were deleted
// or edited (repair): it read the version's whole manifest and compared every
// file (93 s and 2.4 GB for 50,000 deleted files of 1,000,000). Now only the
// chunks whose scan changed are compared with the leaves they should equal.
// Counted, never timed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRepo, add, status, init } from '../../src/index.js';
import { isTroveError } from '../../src/errors/index.js';
import { saveCaches } from '../../src/workspace/Repo.js';
import { checkoutPaths } from '../../src/workspace/checkout/checkoutPaths.js';
import { readLeafRefs } from '../../src/store/manifestIO.js';
import { readWorkPointer } from '../../src/workspace/pointers/pointers.js';
import { createTmpRepo, type TmpRepo } from '../helpers/tmpRepo.js';
import { countingReads } from '../helpers/countingReads.js';

const DIRS = 20;
const PER_DIR = 250;
let repo: TmpRepo;
const name = (d: number, f: number): string => `data/d${String(d).padStart(2, '0')}/f${String(f).padStart(4, '0')}.bin`;
const body = (d: number, f: number): string => `${d}/${f}`;

before(async () => {
  repo = createTmpRepo({ init: false });
  await init({ cwd: repo.dir });
  for (let d = 0; d < DIRS; d++) {
    mkdirSync(join(repo.dir, 'data', `d${String(d).padStart(2, '0')}`), { recursive: true });
    for (let f = 0; f < PER_DIR; f++) writeFileSync(join(repo.dir, name(d, f)), body(d, f));
  }
  const r = await openRepo({ cwd: repo.dir });
  await add(r, { paths: ['data'] });
  saveCaches(r);
  repo.git('commit', '-qm', 'v1');
  // A status records the scan's chunks, as any command after the add would.
  const s = await openRepo({ cwd: repo.dir });
  await status(s);
  saveCaches(s);
});

after(() => repo.cleanup());

test('a checkout after deleting the files of one subdirectory read the whole manifest and compared every file: it reads only the leaves of the changed chunks, restores exactly those files and counts the rest unchanged', async () => {
  rmSync(join(repo.dir, 'data', 'd03'), { recursive: true });
  const r = await openRepo({ cwd: repo.dir });
  const leaves = readLeafRefs(r.store, readWorkPointer(r, 'data')!.oid, 'data').length;
  assert.ok(leaves >= 4, `${leaves} leaves`);
  const { value: result, reads } = await countingReads(r, () => checkoutPaths(r, {}));
  saveCaches(r);
  assert.equal(result.written, PER_DIR);
  assert.equal(result.deleted, 0);
  assert.equal(result.artifacts[0]!.unchanged, (DIRS - 1) * PER_DIR);
  assert.ok(reads < leaves / 2, `${reads} page reads for ${leaves} leaves: the changed part, not the whole manifest`);
  for (let f = 0; f < PER_DIR; f++) assert.equal(readFileSync(join(repo.dir, name(3, f)), 'utf8'), body(3, f));
  const after = await status(await openRepo({ cwd: repo.dir }));
  assert.equal(after.clean, true);
});

test('a repair never overwrites a local edit or removes an unadded file without --force; with it, both are saved first, then the directory is exactly its version again', async () => {
  writeFileSync(join(repo.dir, name(7, 5)), 'a local edit, in no stored version');
  writeFileSync(join(repo.dir, 'data', 'd12', 'extra.txt'), 'a new file, never added');
  rmSync(join(repo.dir, name(15, 0)));
  const r = await openRepo({ cwd: repo.dir });
  await assert.rejects(checkoutPaths(r, {}), (err: unknown) => isTroveError(err, 'DIRTY') && (err.data?.paths as string[]).sort().join(',') === [name(7, 5), 'data/d12/extra.txt'].join(','));
  // Refused before anything was touched.
  assert.equal(readFileSync(join(repo.dir, name(7, 5)), 'utf8'), 'a local edit, in no stored version');
  assert.equal(existsSync(join(repo.dir, name(15, 0))), false);
  const forced = await checkoutPaths(await openRepo({ cwd: repo.dir }), { force: true });
  assert.deepEqual(forced.saved.map((s) => s.path).sort(), [name(7, 5), 'data/d12/extra.txt']);
  assert.equal(forced.written, 2);
  assert.equal(forced.deleted, 1);
  assert.equal(readFileSync(join(repo.dir, name(7, 5)), 'utf8'), body(7, 5));
  assert.equal(readFileSync(join(repo.dir, name(15, 0)), 'utf8'), body(15, 0));
  assert.equal(existsSync(join(repo.dir, 'data', 'd12', 'extra.txt')), false);
  assert.equal((await status(await openRepo({ cwd: repo.dir }))).clean, true);
});
