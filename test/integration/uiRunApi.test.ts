import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { parseOid } from '../../src/core/oid.js';
import { chunkListFile, objectFile } from '../../src/store/layout.js';
import { initExperiment } from '../../src/api/initExperiment.js';
import { runDetail } from '../../src/api/runDetail.js';
import { openRepo } from '../../src/workspace/Repo.js';
import { createTmpRepo, pseudoRandom, runCli } from '../helpers/tmpRepo.js';
import { makeRunFixture, type RunFixture } from '../helpers/uiRunFixture.js';
import { startUiServer, type RunningUi } from '../helpers/uiServer.js';

/** A raw GET: the path goes on the wire exactly as written (fetch would normalise `..` away). */
function get(port: number, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}` } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function getJson(port: number, path: string): Promise<{ status: number; body: any }> {
  const r = await get(port, path);
  return { status: r.status, body: JSON.parse(r.body.toString('utf8')) };
}

describe('trove ui: the run area API (/api/run, /api/compare)', () => {
  let fx: RunFixture;
  let ui: RunningUi;
  before(async () => {
    fx = await makeRunFixture();
    ui = await startUiServer(fx.repo.dir);
  });
  after(async () => {
    await ui?.stop();
    fx?.repo.cleanup();
  });

  test('GET /api/run/:id by a prefix gives params, environment, code, status and every checkpoint with metrics and data', async () => {
    const { status, body } = await getJson(ui.port, `/api/run/${fx.a.slice(0, 8)}`);
    assert.equal(status, 200);
    assert.equal(body.id, fx.a);
    assert.deepEqual(body.params, { lr: 0.1, batch: 32, optimizer: 'adam' });
    assert.deepEqual(body.environment.command, ['python', 'train.py']);
    assert.equal(body.environment.python, '3.11.7');
    assert.deepEqual(body.environment.packages, { torch: '2.3.0' });
    assert.equal(typeof body.environment.host, 'string');
    assert.match(body.code.commit, /^[0-9a-f]{40}$/);
    assert.equal(body.code.dirty, null, 'run A started from a clean work tree');
    assert.equal(body.status.status, 'stopped');
    assert.deepEqual(body.checkpoints.map((c: any) => [c.step, c.metrics.accuracy]), [[1, 0.7], [2, 0.8]]);
    assert.equal(body.checkpoints[0].path, 'out');
    assert.equal(body.checkpoints[0].data.kind, 'dir');
    assert.equal(body.checkpoints[0].data.files, 2);
    assert.equal(body.best, body.checkpoints[1].id);
    const b = await getJson(ui.port, `/api/run/${fx.b}`);
    assert.notEqual(b.body.code.dirty, null, 'run B started with train.py edited');
  });

  test('bytes added per checkpoint equal what each checkpoint() made appear in the store; the second, sharing most bytes, adds a small fraction', async () => {
    const { body } = await getJson(ui.port, `/api/run/${fx.a}`);
    const [c1, c2] = body.checkpoints;
    assert.equal(c1.store.added, fx.storeGrowth[0]);
    assert.equal(c2.store.added, fx.storeGrowth[1]);
    assert.ok(c1.store.added > 3 * 1024 * 1024, `first checkpoint added ${c1.store.added}`);
    assert.ok(c2.store.added < c1.store.added / 4, `second checkpoint added ${c2.store.added} of ${c1.store.added}`);
    assert.ok(c2.store.stored >= c1.store.stored - 64 * 1024, 'each checkpoint still needs about the whole model');
    assert.equal(c1.store.complete && c2.store.complete, true);
    assert.equal(body.totals.added, c1.store.added + c2.store.added);
  });

  test('GET /api/run/:id/files lists a checkpoint\'s files; /file streams one, byte for byte, as an attachment', async () => {
    const detail = (await getJson(ui.port, `/api/run/${fx.a}`)).body;
    const cid = detail.checkpoints[1].id;
    const files = await getJson(ui.port, `/api/run/${fx.a}/files?checkpoint=${cid.slice(0, 10)}`);
    assert.equal(files.status, 200);
    assert.deepEqual(files.body.files.map((f: any) => [f.path, f.size]), [['config.json', 14], ['model.bin', fx.modelAtStep2.length]]);
    const dl = await get(ui.port, `/api/run/${fx.a}/file?checkpoint=${cid}&path=model.bin`);
    assert.equal(dl.status, 200);
    assert.match(String(dl.headers['content-disposition']), /^attachment; filename="model\.bin"/);
    assert.equal(dl.body.length, fx.modelAtStep2.length);
    assert.equal(dl.body.equals(fx.modelAtStep2), true);
    // A single-file checkpoint is listed under its base name.
    const one = await getJson(ui.port, `/api/run/${fx.b}/files`);
    assert.deepEqual(one.body.files.map((f: any) => f.path), ['notes.txt']);
    const notes = await get(ui.port, `/api/run/${fx.b}/file?path=notes.txt`);
    assert.equal(notes.body.equals(fx.notes), true);
  });

  test('path traversal in /file (../, %2e%2e/, absolute, .git, NUL, backslash) is refused with 400 before the run is even looked up', async () => {
    const evil = ['../../.git/config', '%2e%2e/%2e%2e/.git/config', '..%2F..%2Fetc%2Fpasswd', '/etc/passwd', '%2Fetc%2Fpasswd', '.git/config', 'a/../../x', 'model.bin%00.txt', '..\\..\\x', './model.bin'];
    for (const p of evil) {
      for (const id of [fx.a, 'ffffffffffff']) {
        const r = await get(ui.port, `/api/run/${id}/file?path=${p}`);
        assert.equal(r.status, 400, `${p} for ${id}: ${r.status} ${r.body.toString('utf8')}`);
        const e = JSON.parse(r.body.toString('utf8')).error;
        assert.equal(e.code, 'UNSAFE_PATH', p);
        assert.equal(String(r.headers['content-disposition'] ?? ''), '', 'no file was served');
      }
    }
    // A well-formed path the checkpoint does not have is 404, not a read of anything else.
    const missing = await getJson(ui.port, `/api/run/${fx.a}/file?path=nope.bin`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
  });

  test('an unknown run id is 404 NOT_FOUND; a malformed one 400', async () => {
    const r = await getJson(ui.port, '/api/run/abcdef0123');
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'NOT_FOUND');
    assert.equal((await getJson(ui.port, '/api/run/zz')).status, 400);
    assert.equal((await getJson(ui.port, '/api/run/abcdef0123/files')).status, 404);
  });

  test('GET /api/compare marks the params that differ, shows best and last metrics, and gives the code diff as unified text', async () => {
    const { status, body } = await getJson(ui.port, `/api/compare?ids=${fx.a.slice(0, 8)},${fx.b.slice(0, 8)}`);
    assert.equal(status, 200);
    assert.deepEqual(body.runs.map((r: any) => r.id), [fx.a, fx.b]);
    const p = Object.fromEntries(body.params.map((r: any) => [r.key, r]));
    assert.equal(p.lr.differs, true);
    assert.deepEqual(p.lr.values, [0.1, 0.01]);
    assert.equal(p.batch.differs, false);
    assert.equal(p.optimizer.differs, false);
    const acc = body.metrics.find((m: any) => m.key === 'accuracy');
    assert.deepEqual(acc.best.values, [0.8, 0.85]);
    assert.deepEqual(acc.last.values, [0.8, 0.85]);
    assert.deepEqual(acc.goals, ['maximize', 'maximize'], 'the primary metric\'s goal');
    const loss = body.metrics.find((m: any) => m.key === 'loss');
    assert.deepEqual(loss.goals, ['minimize', 'minimize'], 'guessed from the name');
    assert.deepEqual(loss.best.values, [0.5, 0.4]);
    assert.equal(body.code.length, 1);
    const code = body.code[0];
    assert.equal(code.same, false);
    assert.deepEqual(code.files.map((f: any) => [f.path, f.change]), [['train.py', 'modified']]);
    assert.match(code.patch, /^diff --git a\/train\.py b\/train\.py\n--- a\/train\.py\n\+\+\+ b\/train\.py\n@@ /);
    assert.match(code.patch, /^-lr = 0\.1$/m);
    assert.match(code.patch, /^\+lr = 0\.01$/m);
    assert.match(code.patch, /^\+print\("done"\)$/m);
    const one = await getJson(ui.port, `/api/compare?ids=${fx.a}`);
    assert.equal(one.status, 400);
  });

  test('a file whose content is not in the local store is 404 OBJECT_MISSING with a hint, before any byte is sent', async () => {
    const files = (await getJson(ui.port, `/api/run/${fx.b}/files`)).body;
    rmSync(objectFile(`${fx.repo.dir}/.trove/cache`, parseOid(files.files[0].oid)), { force: true });
    const r = await getJson(ui.port, `/api/run/${fx.b}/file?path=notes.txt`);
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'OBJECT_MISSING');
    assert.match(r.body.error.hint, /trove exp pull/);
  });

  test('a corrupt chunk is never served: the download is cut short (fewer bytes than Content-Length) and the chunk leaves the store', async () => {
    const detail = (await getJson(ui.port, `/api/run/${fx.a}`)).body;
    const cid = detail.checkpoints[1].id;
    const files = (await getJson(ui.port, `/api/run/${fx.a}/files?checkpoint=${cid}`)).body;
    const model = files.files.find((f: any) => f.path === 'model.bin');
    const store = `${fx.repo.dir}/.trove/cache`;
    const chunks = readFileSync(chunkListFile(store, parseOid(model.oid)), 'utf8').trim().split('\n').slice(1);
    const victim = objectFile(store, parseOid(chunks[1]!.split(' ')[1]!));
    chmodSync(victim, 0o644);
    const bytes = readFileSync(victim);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(victim, bytes);
    const got = await new Promise<{ status: number; length: number; received: number; complete: boolean }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: ui.port, path: `/api/run/${fx.a}/file?checkpoint=${cid}&path=model.bin`, headers: { Host: `127.0.0.1:${ui.port}` } }, (res) => {
        let received = 0;
        res.on('data', (d: Buffer) => (received += d.length));
        res.on('error', () => undefined);
        res.on('close', () => resolve({ status: res.statusCode ?? 0, length: Number(res.headers['content-length']), received, complete: res.complete }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(got.status, 200, 'the headers went out before the bad chunk was reached');
    assert.equal(got.length, fx.modelAtStep2.length);
    assert.equal(got.complete, false);
    assert.ok(got.received < got.length, `received ${got.received} of ${got.length}`);
    assert.equal(existsSync(victim), false, 'the corrupt chunk was removed from the store');
    assert.equal((await getJson(ui.port, `/api/run/${fx.a}`)).status, 200, 'the server goes on serving');
    const again = await getJson(ui.port, `/api/run/${fx.a}/file?checkpoint=${cid}&path=model.bin`);
    assert.equal(again.body.error.code, 'OBJECT_MISSING', 'asked again: the content is known to be missing before any byte');
  });
});

test('bytes added do not count what the run started from: a checkpoint that extends a tracked base model adds only its new chunks', async () => {
  const repo = createTmpRepo();
  try {
    const base = pseudoRandom(3 * 1024 * 1024, 31);
    repo.write('.gitignore', 'out/\n');
    repo.write('models/base.bin', base);
    assert.equal(runCli(repo.dir, ['add', 'models/base.bin']).code, 0);
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'base model');
    const exp = await initExperiment({ cwd: repo.dir }, { params: {} });
    repo.write('out/model.bin', Buffer.concat([base, pseudoRandom(16 * 1024, 32)]));
    await exp.checkpoint({ path: 'out/model.bin', step: 1, metrics: { loss: 1 } });
    await exp.stop();
    const detail = await runDetail(await openRepo({ cwd: repo.dir }), { id: exp.id });
    assert.deepEqual(detail.data.map((d) => d.path), ['models/base.bin'], 'the base model is the run\'s input');
    const c = detail.checkpoints[0]!;
    assert.ok(c.store.stored > base.length, `needs ${c.store.stored}`);
    assert.ok(c.store.added > 0 && c.store.added < base.length / 4, `added ${c.store.added} of ${base.length}`);
  } finally {
    repo.cleanup();
  }
});
