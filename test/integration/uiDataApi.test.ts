import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DataDiffResponse, DataHistoryResponse, DataPathsResponse, RowDiffResponse } from '../../src/server/types/dataTypes.js';
import { createTmpRepo, objectPath, pseudoRandom, runCli, type TmpRepo } from '../helpers/tmpRepo.js';
import { getJson, startUiServer, type RunningUi } from '../helpers/uiServer.js';

const CSV_V1 = 'id,name\n1,alpha\n2,beta\n3,gamma\n';
/** v2: row 2 removed, row 4 added, the others unchanged */
const CSV_V2 = 'id,name\n1,alpha\n3,gamma\n4,delta\n';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-REPOSITORY';

/** A 21 MB CSV whose rows are all distinct (so its chunks are too). */
function bigCsv(): string {
  const rows = ['id,value'];
  let bytes = 0;
  for (let i = 0; bytes < 21_000_000; i++) {
    const row = `${i},${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}-${i.toString(36).padStart(12, '.')}`;
    rows.push(row);
    bytes += row.length + 1;
  }
  return rows.join('\n') + '\n';
}

describe('trove ui: the data-history API (/api/paths, /api/history, /api/datadiff, /api/rowdiff)', () => {
  let repo: TmpRepo;
  let ui: RunningUi;
  let outside: string;
  const commits: string[] = [];
  const big = bigCsv();

  const commit = (msg: string, ...add: string[]): void => {
    const r = runCli(repo.dir, ['add', ...add]);
    assert.equal(r.code, 0, r.stderr);
    repo.git('add', '-A');
    repo.git('commit', '-qm', msg);
    commits.push(repo.git('rev-parse', 'HEAD').trim());
  };
  const q = (params: Record<string, string>): string => new URLSearchParams(params).toString();

  before(async () => {
    repo = createTmpRepo();
    // v1: three files in data/, and one tracked TSV file.
    repo.write('data/a.csv', CSV_V1);
    repo.write('data/b.bin', pseudoRandom(1000, 1));
    repo.write('data/c.bin', pseudoRandom(2000, 2));
    repo.write('scores.tsv', 'run\tacc\nr1\t0.5\n');
    commit('v1: first data', 'data', 'scores.tsv');
    // v2: a.csv changed (one row out, one in), two files added.
    repo.write('data/a.csv', CSV_V2);
    repo.write('data/d.bin', pseudoRandom(3000, 3));
    repo.write('data/sub/e.txt', 'hello e\n');
    repo.write('scores.tsv', 'run\tacc\nr1\t0.5\nr2\t0.7\n');
    commit('v2: two files added, one changed', 'data', 'scores.tsv');
    // v3: a copy of b.bin (no new bytes) and a CSV too large to diff in the browser.
    copyFileSync(join(repo.dir, 'data/b.bin'), join(repo.dir, 'data/f.bin'));
    repo.write('data/big.csv', big);
    commit('v3: a copy and a big table', 'data');
    // A directory outside the repository, reachable through a symlink inside it.
    outside = mkdtempSync(join(tmpdir(), 'trove-outside-'));
    writeFileSync(join(outside, 'secret.csv'), `id,secret\n1,${SECRET}\n`);
    symlinkSync(outside, join(repo.dir, 'linked'));
    ui = await startUiServer(repo.dir);
  });
  after(async () => {
    await ui?.stop();
    repo?.cleanup();
    if (outside) rmSync(outside, { recursive: true, force: true });
  });

  test('/api/paths lists every tracked path at HEAD with its kind, size and files', async () => {
    const { status, body } = await getJson<DataPathsResponse>(ui.origin, '/api/paths');
    assert.equal(status, 200);
    assert.equal(body.commit, commits[2]);
    const byPath = new Map(body.paths.map((p) => [p.path, p]));
    assert.deepEqual([...byPath.keys()].sort(), ['data', 'scores.tsv']);
    assert.equal(byPath.get('data')!.kind, 'dir');
    assert.equal(byPath.get('data')!.files, 7);
    assert.equal(byPath.get('data')!.size, CSV_V2.length + 1000 + 2000 + 3000 + 8 + 1000 + big.length);
    assert.equal(byPath.get('scores.tsv')!.kind, 'file');
    assert.equal(byPath.get('scores.tsv')!.files, 1);
  });

  test('/api/history: bytes new is the new content of each version (v2: 2 files added + 1 changed; v3: a copy adds nothing)', async () => {
    const { status, body } = await getJson<DataHistoryResponse>(ui.origin, `/api/history?${q({ path: 'data' })}`);
    assert.equal(status, 200);
    assert.equal(body.complete, true);
    assert.deepEqual(body.versions.map((v) => v.commit), [commits[2], commits[1], commits[0]]);
    const [v3, v2, v1] = body.versions;
    assert.equal(v1!.subject, 'v1: first data');
    assert.equal(v1!.author, 'trove test');
    assert.equal(v1!.bytesNew, CSV_V1.length + 1000 + 2000);
    assert.equal(v1!.filesNew, 3);
    assert.equal(v2!.files, 5);
    assert.equal(v2!.size, CSV_V2.length + 1000 + 2000 + 3000 + 8);
    assert.equal(v2!.bytesNew, CSV_V2.length + 3000 + 8);
    assert.equal(v2!.filesNew, 3);
    // f.bin is b.bin's content: stored once already, so only big.csv's chunks are new.
    assert.equal(v3!.bytesNew, big.length);
    assert.equal(v3!.filesNew, 1);
    assert.equal(v3!.files, 7);
  });

  test('trove ui started in a subdirectory answers for root-level paths (history was NOT_TRACKED "sub/data")', async () => {
    mkdirSync(join(repo.dir, 'notes'), { recursive: true });
    const sub = await startUiServer(join(repo.dir, 'notes'));
    try {
      const history = await getJson(sub.origin, `/api/history?${q({ path: 'data' })}`);
      assert.equal(history.status, 200, JSON.stringify(history.body));
      assert.deepEqual(history.body.versions.map((v: { commit: string }) => v.commit), [commits[2], commits[1], commits[0]]);
      const diff = await getJson(sub.origin, `/api/datadiff?${q({ path: 'data', from: commits[0]!, to: commits[1]! })}`);
      assert.equal(diff.status, 200, JSON.stringify(diff.body));
      const rows = await getJson(sub.origin, `/api/rowdiff?${q({ path: 'scores.tsv', from: commits[0]!, to: commits[1]! })}`);
      assert.equal(rows.status, 200, JSON.stringify(rows.body));
    } finally {
      await sub.stop();
    }
  });

  test('/api/history of a tracked file, and ?limit=1', async () => {
    const { body } = await getJson<DataHistoryResponse>(ui.origin, `/api/history?${q({ path: 'scores.tsv', limit: '1' })}`);
    assert.equal(body.versions.length, 1);
    assert.equal(body.truncated, true);
    assert.equal(body.versions[0]!.kind, 'file');
    assert.equal(body.versions[0]!.bytesNew, 'run\tacc\nr1\t0.5\nr2\t0.7\n'.length);
  });

  test('/api/datadiff lists the files added, removed and changed with their sizes on each side', async () => {
    const { status, body } = await getJson<DataDiffResponse>(ui.origin, `/api/datadiff?${q({ path: 'data', from: commits[0]!, to: commits[1]! })}`);
    assert.equal(status, 200);
    assert.deepEqual(body.files, [
      { path: 'a.csv', change: 'modified', oldSize: CSV_V1.length, newSize: CSV_V2.length },
      { path: 'd.bin', change: 'added', newSize: 3000 },
      { path: 'sub/e.txt', change: 'added', newSize: 8 },
    ]);
    assert.equal(body.totals.added, 2);
    assert.equal(body.totals.modified, 1);
    assert.equal(body.totals.removed, 0);
    assert.equal(body.totals.bytesAdded, 3008);
    assert.equal(body.totals.sizeDelta, 3008 + CSV_V2.length - CSV_V1.length);
    assert.equal(body.from.files, 3);
    assert.equal(body.to.files, 5);
    // The other way round, the same files are removed.
    const back = await getJson<DataDiffResponse>(ui.origin, `/api/datadiff?${q({ path: 'data', from: commits[1]!, to: commits[0]! })}`);
    assert.deepEqual(back.body.files.filter((f) => f.change === 'removed').map((f) => [f.path, f.oldSize]), [['d.bin', 3000], ['sub/e.txt', 8]]);
  });

  test('/api/rowdiff of a CSV inside a directory: one row removed, one added, the rest unchanged', async () => {
    const { status, body } = await getJson<RowDiffResponse>(ui.origin, `/api/rowdiff?${q({ path: 'data', file: 'a.csv', from: commits[0]!, to: commits[1]! })}`);
    assert.equal(status, 200);
    assert.equal(body.format, 'csv');
    assert.deepEqual(body.header.from, ['id', 'name']);
    assert.equal(body.header.changed, false);
    assert.deepEqual(body.removed, [{ row: 2, cells: ['2', 'beta'] }]);
    assert.deepEqual(body.added, [{ row: 3, cells: ['4', 'delta'] }]);
    assert.deepEqual(body.changed, []);
    assert.deepEqual(body.counts, { from: 3, to: 3, added: 1, removed: 1, changed: 0, unchanged: 2 });
  });

  test('/api/rowdiff of a tracked TSV file (no file parameter)', async () => {
    const { status, body } = await getJson<RowDiffResponse>(ui.origin, `/api/rowdiff?${q({ path: 'scores.tsv', from: commits[0]!, to: commits[1]! })}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.format, 'tsv');
    assert.deepEqual(body.added, [{ row: 2, cells: ['r2', '0.7'] }]);
    assert.equal(body.counts.removed, 0);
  });

  test('/api/rowdiff of a CSV over 20 MB is refused with 413 and says why', async () => {
    const { status, body } = await getJson<{ error: { code: string; message: string } }>(ui.origin, `/api/rowdiff?${q({ path: 'data', file: 'big.csv', from: commits[1]!, to: commits[2]! })}`);
    assert.equal(status, 413);
    assert.match(body.error.message, /at most 20971520 bytes/);
  });

  test('paths that leave the repository are refused (400) and nothing outside is read', async () => {
    const attempts = [
      `/api/history?${q({ path: '../x' })}`,
      `/api/history?${q({ path: '/etc/passwd' })}`,
      `/api/history?${q({ path: '.git/config' })}`,
      `/api/history?${q({ path: 'linked' })}`,
      `/api/history?${q({ path: 'linked/secret.csv' })}`,
      `/api/datadiff?${q({ path: '../x', from: commits[0]!, to: commits[1]! })}`,
      `/api/datadiff?${q({ path: 'linked', from: commits[0]!, to: commits[1]! })}`,
      `/api/rowdiff?${q({ path: 'linked', file: 'secret.csv', from: commits[0]!, to: commits[1]! })}`,
      `/api/rowdiff?${q({ path: '/etc', file: 'passwd.csv', from: commits[0]!, to: commits[1]! })}`,
      `/api/rowdiff?${q({ path: 'data', file: '../linked/secret.csv', from: commits[0]!, to: commits[1]! })}`,
      `/api/rowdiff?${q({ path: 'data', file: '/etc/passwd.csv', from: commits[0]!, to: commits[1]! })}`,
      `/api/rowdiff?${q({ path: 'data', file: '.git/config.csv', from: commits[0]!, to: commits[1]! })}`,
      `/api/datadiff?${q({ path: 'data', from: '--output=/tmp/x', to: commits[1]! })}`,
    ];
    for (const a of attempts) {
      const res = await getJson<{ error: { code: string } }>(ui.origin, a);
      assert.equal(res.status, 400, `${a} → ${res.status} ${res.text}`);
      assert.doesNotMatch(res.text, new RegExp(SECRET), a);
    }
  });

  test('a file name not in the directory manifest is 404, and an untracked path too', async () => {
    const res = await getJson<{ error: { code: string } }>(ui.origin, `/api/rowdiff?${q({ path: 'data', file: 'nope.csv', from: commits[0]!, to: commits[1]! })}`);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'NOT_FOUND');
    const untracked = await getJson<{ error: { code: string } }>(ui.origin, `/api/history?${q({ path: 'no/such/data' })}`);
    assert.equal(untracked.status, 404);
    assert.equal(untracked.body.error.code, 'NOT_TRACKED');
  });

  test('content missing from the local store: a 404 whose hint names trove fetch', async () => {
    const diff = await getJson<RowDiffResponse>(ui.origin, `/api/rowdiff?${q({ path: 'data', file: 'a.csv', from: commits[0]!, to: commits[1]! })}`);
    const file = objectPath(repo.dir, diff.body.from.oid!);
    chmodSync(join(file, '..'), 0o755);
    rmSync(file, { force: true });
    const res = await getJson<{ error: { code: string; hint: string } }>(ui.origin, `/api/rowdiff?${q({ path: 'data', file: 'a.csv', from: commits[0]!, to: commits[1]! })}`);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'OBJECT_MISSING');
    assert.match(res.body.error.hint, new RegExp(`trove fetch --rev ${commits[0]!.slice(0, 12)} data/a\\.csv`));
  });
});
