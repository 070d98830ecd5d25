import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { add, init, isTroveError, openRepo } from '../../src/index.js';
import { parsePointer } from '../../src/core/pointer.js';
import { createTmpRepo, unpackStore } from '../helpers/tmpRepo.js';
import { readFileSync } from 'node:fs';

/** Pages of the store read while `fn` runs. */
async function countReads<T>(store: { readObject: (...a: any[]) => Buffer }, fn: () => Promise<T>): Promise<{ value: T; reads: number }> {
  const orig = store.readObject.bind(store);
  let reads = 0;
  store.readObject = (...a: any[]) => {
    reads++;
    return orig(...a);
  };
  try {
    return { value: await fn(), reads };
  } finally {
    store.readObject = orig;
  }
}

test('re-adding a 6,000-file directory after one change checks for unfetched deletions over the pages that differ, not both listings', async () => {
  const repo = createTmpRepo({ init: false });
  try {
    await init({ cwd: repo.dir });
    for (let i = 0; i < 6000; i++) repo.write(`data/d${i % 20}/f${i}.txt`, `file ${i}\n`);
    const r = await openRepo({ cwd: repo.dir });
    await add(r, { paths: ['data'] });
    repo.write('data/d3/f3.txt', 'changed\n');
    const { reads } = await countReads(r.store, () => add(r, { paths: ['data'] }));
    // Both listings are ~24 leaves each plus nodes; the pages that differ are one leaf and its node per side.
    assert.ok(reads <= 8, `${reads} pages read`);
    // A deleted file whose content the store lacks (never fetched) is still refused.
    rmSync(join(repo.dir, 'data/d5/f5.txt'));
    // Small files are packed: unpack the store so the one object can be removed.
    const gone = await fileOid(r, 'd5/f5.txt');
    unpackStore(join(repo.dir, '.trove/cache'));
    rmSync(r.store.objectPath(gone), { force: true });
    // A fresh command: the one above kept a listing of the store.
    const fresh = await openRepo({ cwd: repo.dir });
    await assert.rejects(add(fresh, { paths: ['data'] }), (err: unknown) => isTroveError(err, 'NOT_FETCHED') && (err.data?.paths as string[]).join() === 'data/d5/f5.txt');
  } finally {
    repo.cleanup();
  }
});

async function fileOid(r: Awaited<ReturnType<typeof openRepo>>, path: string) {
  const { readManifest } = await import('../../src/store/manifestIO.js');
  const p = parsePointer(readFileSync(join(r.root, 'data.trove'), 'utf8'), 'data.trove');
  const e = readManifest(r.store, p.oid, 'data').find((x) => x.path === path);
  assert.ok(e && e.mode !== 'l');
  return e.oid;
}
