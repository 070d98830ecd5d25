// A fetch with nothing new walked the whole closure of every directory
// version (7.7 s at 1,000,000 files). A version the store is marked as holding
// whole is now skipped, as status trusts the same mark; gc's removals and any
// corruption found clear the mark, so fsck then fetch still repairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openRepo, add, push, fetch, remote, checkout, isTroveError } from '../../src/index.js';
import { readLeafRefs } from '../../src/store/manifestIO.js';
import { saveCaches } from '../../src/workspace/Repo.js';
import { countingReads } from '../helpers/countingReads.js';
import { readWorkPointer } from '../../src/workspace/pointers/pointers.js';
import { createTmpRepo, pseudoRandom } from '../helpers/tmpRepo.js';

test('a fetch of a version already whole in the store walked its whole closure: with its complete mark it reads no page; a store emptied or partly lost by hand is walked and restored', async () => {
  const repo = createTmpRepo();
  const remoteDir = `${repo.dir}-remote`;
  try {
    for (let i = 0; i < 200; i++) repo.write(`data/d${i % 5}/f${i}.bin`, pseudoRandom(300 + i, i + 1));
    const r = await openRepo({ cwd: repo.dir });
    await add(r, { paths: ['data'] });
    saveCaches(r);
    repo.git('commit', '-qm', 'v1');
    await remote.add(r, 'store', remoteDir, { makeDefault: true });
    assert.deepEqual((await push(await openRepo({ cwd: repo.dir }))).failed, []);

    const r2 = await openRepo({ cwd: repo.dir });
    const root = readWorkPointer(r2, 'data')!.oid;
    assert.equal(r2.store.isComplete(root), true, 'add marked the version it stored whole');
    const { value: again, reads } = await countingReads(r2, () => fetch(r2));
    assert.equal(again.objects, 0);
    assert.equal(reads, 0, 'no page of the version was read');

    // The store emptied behind trove's back (objects and packs deleted by hand) while the mark stays: the root page is
    // gone, so the fetch walks the version and restores it all, and marks it again.
    for (const sub of ['packs', 'objects']) rmSync(join(r2.store.dir, sub), { recursive: true, force: true });
    const repaired = await fetch(await openRepo({ cwd: repo.dir }));
    assert.ok(repaired.objects >= 200, `${repaired.objects} objects fetched back`);
    const r3 = await openRepo({ cwd: repo.dir });
    assert.equal(r3.store.isComplete(root), true, 'a whole fetch marks the version again');
    rmSync(join(repo.dir, 'data', 'd2'), { recursive: true });
    await checkout(r3, {});
    for (let i = 2; i < 200; i += 5) assert.ok(readFileSync(join(repo.dir, `data/d2/f${i}.bin`)).equals(pseudoRandom(300 + i, i + 1)), `data/d2/f${i}.bin`);

    // Part of it lost by hand, the root page still there: the first read of what is gone fails and clears every mark,
    // so the fetch its error leads to walks the version again.
    const r4 = await openRepo({ cwd: repo.dir });
    const leaf = readLeafRefs(r4.store, root, 'data').at(-1)!;
    const rootPage = r4.store.readObject(root, 'root');
    rmSync(join(r4.store.dir, 'packs'), { recursive: true, force: true });
    rmSync(join(r4.store.dir, 'objects'), { recursive: true, force: true });
    r4.store.packs.reload();
    r4.store.putBytes(rootPage);
    assert.throws(() => r4.store.readObject(leaf.oid, 'a leaf'), (err: unknown) => isTroveError(err, 'OBJECT_MISSING'));
    assert.equal(r4.store.isComplete(root), false, 'the missing content cleared the mark');
    const again2 = await fetch(await openRepo({ cwd: repo.dir }));
    assert.ok(again2.objects >= 200, `${again2.objects} objects fetched back`);
  } finally {
    rmSync(remoteDir, { recursive: true, force: true });
    repo.cleanup();
  }
});
