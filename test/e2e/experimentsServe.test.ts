import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom, runCli, runJson, objectPath, type TmpRepo } from '../helpers/tmpRepo.js';
import { ServeClient } from '../helpers/expServeClient.js';
import { openRepo } from '../../src/workspace/Repo.js';
import { listRuns, readRun } from '../../src/experiments/readRuns.js';
import { parseOid } from '../../src/core/oid.js';
import { parseCommitMessage } from '../../src/core/runSummary.js';
import { initExperiment } from '../../src/api/initExperiment.js';
import { fetchExperimentData } from '../../src/api/expTransfer.js';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function setup(): TmpRepo {
  const repo = createTmpRepo();
  repo.write('train.py', 'print("train")\n');
  repo.write('.gitignore', '*.pth\nckpt/\n');
  repo.git('add', '-A');
  repo.git('commit', '-qm', 'init');
  return repo;
}

/** The content of a stored file, materialized through the store (verified). */
async function storedContent(dir: string, oid: string): Promise<Buffer> {
  const r = await openRepo({ cwd: dir });
  const out = join(mkdtempSync(join(tmpdir(), 'trove-out-')), 'f');
  await r.store.materialize(parseOid(oid), out, { what: 'test', strategy: 'copy' });
  return readFileSync(out);
}

const initReq = (params: Record<string, unknown>) => ({ op: 'init', path: '.', params, command: ['python', 'train.py'], python: '3.11.7', packages: { numpy: '1.26.4' } });

test('exp serve protocol round trip: hello, init, checkpoint (file, dir, metrics only), stop; the ref holds the three files and the summary line', async () => {
  const repo = setup();
  try {
    repo.write('scratch.py', 'uncommitted = 1\n'); // dirty code
    const c = new ServeClient(repo.dir);
    const hello = await c.ok({ op: 'hello' });
    assert.equal(hello.protocol, 1);
    assert.equal(typeof hello.trove, 'string');
    const { experiment } = await c.ok(initReq({ lr: 0.01 }));
    assert.match(experiment.id, /^[0-9a-f]{32}$/);
    assert.equal(experiment['trove-experiment'], 1);
    assert.deepEqual(experiment.command, ['python', 'train.py']);
    assert.equal(experiment.code.commit, repo.git('rev-parse', 'HEAD').trim());
    assert.equal(experiment.code.dirty.kind, 'dir');
    assert.equal(experiment.code.dirty.files, 1, 'only the untracked scratch.py (model files are git-ignored)');
    const id = experiment.id;
    const model1 = pseudoRandom(3 * 1024 * 1024, 7);
    repo.write('model.pth', model1);
    const cp1 = (await c.ok({ op: 'checkpoint', experiment: id, path: 'model.pth', step: 1, metrics: { loss: 0.9, acc: 0.5 }, primary_metric: ['loss', 'minimize'] })).checkpoint;
    assert.equal(cp1.data.oid, sha(model1));
    assert.equal(cp1.path, 'model.pth');
    // the script may overwrite the file right after the reply
    repo.write('model.pth', pseudoRandom(3 * 1024 * 1024, 8));
    repo.write('ckpt/a.txt', 'a');
    repo.write('ckpt/sub/b.txt', 'b');
    const cp2 = (await c.ok({ op: 'checkpoint', experiment: id, path: 'ckpt', step: 2, metrics: { loss: 0.4 } })).checkpoint;
    assert.equal(cp2.data.kind, 'dir');
    assert.equal(cp2.data.files, 2);
    const cp3 = (await c.ok({ op: 'checkpoint', experiment: id, path: null, step: 3, metrics: { loss: 0.6 } })).checkpoint;
    assert.equal(cp3.data, null);
    const stopped = await c.ok({ op: 'stop', experiment: id, timeout: 5 });
    assert.equal(stopped.experiment.status, 'stopped');
    assert.equal(stopped.experiment.checkpoints, 3);
    assert.equal(stopped.experiment.best.id, cp2.id, 'primary metric given once, kept');
    assert.equal(stopped.experiment.latest.id, cp3.id);
    assert.equal(stopped.pushed, false, 'no remote configured');
    assert.equal(await c.end(), 0);
    assert.deepEqual(await storedContent(repo.dir, cp1.data.oid), model1, 'checkpoint 1 kept its bytes though model.pth was overwritten');
    // storage: one ref, tree of three files, summary in the message, journal gone
    const ref = `refs/trove/experiments/${id}`;
    assert.deepEqual(repo.git('ls-tree', '--name-only', ref).trim().split('\n'), ['checkpoints.jsonl', 'experiment.json', 'status.json']);
    assert.equal(repo.git('cat-file', '-p', `${ref}:checkpoints.jsonl`).trim().split('\n').length, 3);
    const summary = parseCommitMessage(repo.git('log', '-1', '--format=%B', ref));
    assert.equal(summary.checkpoints, 3);
    assert.equal(summary.status, 'stopped');
    assert.equal(repo.git('log', '--oneline', 'main').trim().split('\n').length, 1, 'the run never appears on a branch');
    assert.equal(existsSync(join(repo.dir, '.trove/tmp/experiments', `${id}.jsonl`)), false);
    const r = await openRepo({ cwd: repo.dir });
    const runs = await listRuns(r);
    assert.equal(runs.runs.length, 1);
    assert.equal(runs.runs[0]!.best!.id, cp2.id);
    const full = await readRun(r, id.slice(0, 6));
    assert.equal(full.checkpoints.length, 3);
    assert.equal(full.experiment.params.lr, 0.01);
  } finally {
    repo.cleanup();
  }
});

test('NaN and infinite metrics and params round-trip as {"$float"} through the protocol and the record', async () => {
  const repo = setup();
  try {
    const c = new ServeClient(repo.dir);
    const { experiment } = await c.ok(initReq({ eps: { $float: '-Infinity' } }));
    assert.deepEqual(experiment.params.eps, { $float: '-Infinity' });
    const { checkpoint } = await c.ok({ op: 'checkpoint', experiment: experiment.id, step: 1, metrics: { loss: { $float: 'NaN' }, grad: { $float: 'Infinity' } } });
    assert.deepEqual(checkpoint.metrics, { loss: { $float: 'NaN' }, grad: { $float: 'Infinity' } });
    await c.ok({ op: 'stop', experiment: experiment.id });
    await c.end();
    const line = repo.git('cat-file', '-p', `refs/trove/experiments/${experiment.id}:checkpoints.jsonl`);
    assert.match(line, /"loss":\{"\$float":"NaN"\},"grad":\{"\$float":"Infinity"\}/);
    const run = await readRun(await openRepo({ cwd: repo.dir }), experiment.id);
    assert.ok(Number.isNaN(run.checkpoints[0]!.metrics.loss));
    assert.equal(run.experiment.params.eps, -Infinity);
  } finally {
    repo.cleanup();
  }
});

test('checkpoint of a path that does not exist is an error naming the path, and the run goes on', async () => {
  const repo = setup();
  try {
    const c = new ServeClient(repo.dir);
    const { experiment } = await c.ok(initReq({}));
    const bad = await c.request({ op: 'checkpoint', experiment: experiment.id, path: 'missing/model.pth', step: 1, metrics: { loss: 1 } });
    assert.equal(bad.ok, false);
    assert.equal(bad.error.code, 'NOT_FOUND');
    assert.equal(bad.error.data.path, 'missing/model.pth');
    const bad2 = await c.request({ op: 'checkpoint', experiment: experiment.id, path: '../outside.pth' });
    assert.equal(bad2.error.code, 'USAGE');
    const junk = await c.request({ op: 'fly' });
    assert.equal(junk.error.code, 'USAGE');
    repo.write('model.pth', 'ok');
    const good = await c.ok({ op: 'checkpoint', experiment: experiment.id, path: 'model.pth', step: 2, metrics: { loss: 0.5 } });
    assert.equal(good.checkpoint.step, 2);
    const s = await c.ok({ op: 'stop', experiment: experiment.id });
    assert.equal(s.experiment.checkpoints, 1);
    await c.end();
  } finally {
    repo.cleanup();
  }
});

test('checkpoint of a file that is being written is an error naming the path (nothing recorded), and the run goes on', async () => {
  const repo = setup();
  try {
    const c = new ServeClient(repo.dir);
    const { experiment } = await c.ok(initReq({}));
    repo.write('growing.pth', pseudoRandom(32 * 1024 * 1024, 5));
    // another process appends to the file until the reply arrives
    const writer = spawn(process.execPath, ['-e', `const fs=require('fs');setInterval(()=>fs.appendFileSync(${JSON.stringify(join(repo.dir, 'growing.pth'))}, Buffer.alloc(4096, 1)), 2)`]);
    try {
      // wait until it is really being written
      while (statSync(join(repo.dir, 'growing.pth')).size === 32 * 1024 * 1024) await new Promise((res) => setTimeout(res, 5));
      const r = await c.request({ op: 'checkpoint', experiment: experiment.id, path: 'growing.pth', step: 1, metrics: { loss: 1 } });
      assert.equal(r.ok, false);
      assert.equal(r.error.code, 'IO');
      assert.equal(r.error.data.path, 'growing.pth');
      assert.equal(r.error.data.reason, 'changing');
    } finally {
      writer.kill('SIGKILL');
    }
    const s = await c.ok({ op: 'stop', experiment: experiment.id });
    assert.equal(s.experiment.checkpoints, 0);
    await c.end();
  } finally {
    repo.cleanup();
  }
});

test('EOF without stop stops the run', async () => {
  const repo = setup();
  try {
    const c = new ServeClient(repo.dir);
    const { experiment } = await c.ok(initReq({}));
    await c.ok({ op: 'checkpoint', experiment: experiment.id, step: 1, metrics: { loss: 1 } });
    assert.equal(await c.end(), 0);
    const run = await readRun(await openRepo({ cwd: repo.dir }), experiment.id);
    assert.equal(run.status.status, 'stopped');
    assert.equal(run.checkpoints.length, 1);
  } finally {
    repo.cleanup();
  }
});

test('a script killed before its exit hook sent stop (init on_eof "crashed", then EOF) shows crashed', async () => {
  const repo = setup();
  try {
    const c = new ServeClient(repo.dir);
    const { experiment } = await c.ok({ ...initReq({}), on_eof: 'crashed' });
    await c.ok({ op: 'checkpoint', experiment: experiment.id, step: 1, metrics: { loss: 1 } });
    const bad = await c.request({ ...initReq({}), on_eof: 'maybe' });
    assert.equal(bad.error.code, 'USAGE');
    assert.equal(await c.end(), 0);
    const run = await readRun(await openRepo({ cwd: repo.dir }), experiment.id);
    assert.equal(run.status.status, 'crashed');
    assert.equal(run.checkpoints.length, 1);
  } finally {
    repo.cleanup();
  }
});

test('kill -9 of the serve process mid-checkpoint: the run shows crashed, every acknowledged checkpoint is intact, fsck is clean, listing still works', async () => {
  const repo = setup();
  try {
    const c = new ServeClient(repo.dir);
    const { experiment } = await c.ok(initReq({ lr: 0.1 }));
    const acked: { id: string; oid: string; bytes: Buffer }[] = [];
    for (let step = 1; step <= 4; step++) {
      const bytes = pseudoRandom(2 * 1024 * 1024, 100 + step);
      repo.write('model.pth', bytes);
      const { checkpoint } = await c.ok({ op: 'checkpoint', experiment: experiment.id, path: 'model.pth', step, metrics: { loss: 1 / step } });
      acked.push({ id: checkpoint.id, oid: checkpoint.data.oid, bytes });
    }
    // a big checkpoint in flight, then the process is killed
    repo.write('big.pth', pseudoRandom(64 * 1024 * 1024, 999));
    c.send({ op: 'checkpoint', experiment: experiment.id, path: 'big.pth', step: 5, metrics: { loss: 0.1 } });
    await new Promise((r) => setTimeout(r, 150));
    c.child.kill('SIGKILL');
    await c.exited;
    const r = await openRepo({ cwd: repo.dir });
    const { runs } = await listRuns(r);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.status, 'crashed');
    const run = await readRun(r, experiment.id);
    assert.equal(run.status.status, 'crashed');
    for (const a of acked) {
      const cp = run.checkpoints.find((x) => x.id === a.id);
      assert.ok(cp, `acknowledged checkpoint ${a.id} is in the run`);
      assert.equal(cp!.data!.oid, a.oid);
      assert.deepEqual(await storedContent(repo.dir, a.oid), a.bytes);
    }
    assert.equal(runJson(repo.dir, ['fsck']).code, 0, 'nothing corrupt in the store');
    // A crashed run does not hold gc up, and gc keeps what its journal names.
    assert.equal(runJson(repo.dir, ['gc']).code, 0, 'a dead run does not block gc');
    for (const a of acked) assert.deepEqual(await storedContent(repo.dir, a.oid), a.bytes, 'gc kept the crashed run\'s checkpoints');
    // the next writer folds the journal into the ref, marked crashed
    const c2 = new ServeClient(repo.dir);
    const second = await c2.ok(initReq({ lr: 0.2 }));
    await c2.ok({ op: 'stop', experiment: second.experiment.id });
    await c2.end();
    const summary = parseCommitMessage(repo.git('log', '-1', '--format=%B', `refs/trove/experiments/${experiment.id}`));
    assert.equal(summary.status, 'crashed');
    assert.ok(summary.checkpoints >= 4);
    assert.equal(existsSync(join(repo.dir, '.trove/tmp/experiments', `${experiment.id}.jsonl`)), false);
    assert.equal((await listRuns(r)).runs.length, 2);
  } finally {
    repo.cleanup();
  }
});

test('two serve processes in one repository, each 10 checkpoints: both complete, nothing mixed', async () => {
  const repo = setup();
  try {
    const a = new ServeClient(repo.dir);
    const b = new ServeClient(repo.dir);
    const [ea, eb] = await Promise.all([a.ok(initReq({ who: 'a' })), b.ok(initReq({ who: 'b' }))]);
    const expected = new Map<string, string[]>();
    const drive = async (c: ServeClient, id: string, who: string): Promise<void> => {
      const oids: string[] = [];
      for (let step = 1; step <= 10; step++) {
        const bytes = Buffer.from(`${who} step ${step} `.repeat(1000 + step));
        repo.write(`${who}.pth`, bytes);
        const { checkpoint } = await c.ok({ op: 'checkpoint', experiment: id, path: `${who}.pth`, step, metrics: { who_step: `${who}${step}` } });
        assert.equal(checkpoint.data.oid, sha(bytes));
        oids.push(checkpoint.data.oid);
        await new Promise((r) => setTimeout(r, 30));
      }
      expected.set(id, oids);
      await c.ok({ op: 'stop', experiment: id });
    };
    await Promise.all([drive(a, ea.experiment.id, 'a'), drive(b, eb.experiment.id, 'b')]);
    await Promise.all([a.end(), b.end()]);
    const r = await openRepo({ cwd: repo.dir });
    for (const [id, who] of [[ea.experiment.id, 'a'], [eb.experiment.id, 'b']] as const) {
      const run = await readRun(r, id);
      assert.equal(run.status.status, 'stopped');
      assert.equal(run.experiment.params.who, who);
      assert.deepEqual(run.checkpoints.map((x) => x.metrics.who_step), Array.from({ length: 10 }, (_, i) => `${who}${i + 1}`));
      assert.deepEqual(run.checkpoints.map((x) => x.data!.oid), expected.get(id));
      assert.ok(run.checkpoints.every((x) => x.path === `${who}.pth`));
    }
  } finally {
    repo.cleanup();
  }
});

test('remote down during training: checkpoints are still acknowledged, the run says not yet pushed, trove exp push sends them later', async () => {
  const repo = setup();
  const base = mkdtempSync(join(tmpdir(), 'trove-remote-'));
  try {
    // a file where the remote's parent directory should be: every write fails, even as root
    writeFileSync(join(base, 'blocker'), 'not a directory');
    const remoteDir = join(base, 'blocker', 'store');
    assert.equal(runCli(repo.dir, ['remote', 'add', '-d', 'storage', remoteDir]).code, 0);
    const c = new ServeClient(repo.dir, ['--stop-timeout', '1']);
    const { experiment } = await c.ok(initReq({}));
    const oids: string[] = [];
    for (let step = 1; step <= 3; step++) {
      repo.write('model.pth', pseudoRandom(200_000, step));
      oids.push((await c.ok({ op: 'checkpoint', experiment: experiment.id, path: 'model.pth', step, metrics: { loss: step } })).checkpoint.data.oid);
    }
    const stop = await c.ok({ op: 'stop', experiment: experiment.id, timeout: 1 });
    assert.equal(stop.pushed, false);
    assert.ok(stop.pending >= 1);
    assert.equal(await c.end(), 0);
    const marker = JSON.parse(readFileSync(join(repo.dir, '.trove/tmp/experiments', `${experiment.id}.unpushed.json`), 'utf8'));
    assert.equal(marker.remote, 'storage');
    assert.ok((await readRun(await openRepo({ cwd: repo.dir }), experiment.id)).unpushed >= 1, 'the run says it is not yet pushed');
    // the remote comes back
    rmSync(join(base, 'blocker'));
    const pushed = runJson(repo.dir, ['exp', 'push']);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.ok(pushed.result.objects >= 3);
    assert.equal(existsSync(join(repo.dir, '.trove/tmp/experiments', `${experiment.id}.unpushed.json`)), false);
    // every checkpoint is on the remote now: a second push sends nothing
    assert.equal(runJson(repo.dir, ['exp', 'push']).result.objects, 0);
  } finally {
    repo.cleanup();
    rmSync(base, { recursive: true, force: true });
  }
});

test('gc kept experiment checkpoints alive (no pointer names them), and waits for a live run, which stores checkpoints without the repository lock', async () => {
  const repo = setup();
  try {
    const exp = await initExperiment({ cwd: repo.dir }, { path: '.', params: { lr: 1 } });
    repo.write('model.pth', 'weights v1');
    const cp = await exp.checkpoint({ path: 'model.pth', step: 1, metrics: { loss: 0.5 }, primaryMetric: ['loss', 'minimize'] });
    // A live run: gc waits for it (a checkpoint being stored is named by nothing yet); a dry run still reports.
    const during = runJson(repo.dir, ['gc']);
    assert.equal(during.code, 11);
    assert.equal(during.error.code, 'LOCKED');
    assert.deepEqual(during.error.data.experiments.map((e: any) => e.id), [exp.id]);
    assert.equal(runJson(repo.dir, ['gc', '--dry-run']).code, 0);
    assert.ok(existsSync(objectPath(repo.dir, cp.data!.oid)), 'live run kept');
    const stop = await exp.stop();
    assert.equal(stop.experiment.best!.id, cp.id);
    const gc = runJson(repo.dir, ['gc']);
    assert.equal(gc.code, 0);
    assert.ok(existsSync(objectPath(repo.dir, cp.data!.oid)), 'stopped run kept');
    assert.equal(readFileSync(objectPath(repo.dir, cp.data!.oid), 'utf8'), 'weights v1');
    // the run removed: the checkpoint is garbage now
    repo.git('update-ref', '-d', `refs/trove/experiments/${exp.id}`);
    runJson(repo.dir, ['gc']);
    assert.equal(existsSync(objectPath(repo.dir, cp.data!.oid)), false);
  } finally {
    repo.cleanup();
  }
});

test('exp push and exp pull share runs between clones through the Git remote and the trove remote', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-share-'));
  const repo = setup();
  try {
    const bare = join(base, 'origin.git');
    repo.git('init', '-q', '--bare', bare);
    repo.git('remote', 'add', 'origin', bare);
    repo.git('push', '-q', 'origin', 'main');
    assert.equal(runCli(repo.dir, ['remote', 'add', '-d', 'storage', join(base, 'store')]).code, 0);
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'remote');
    repo.git('push', '-q', 'origin', 'main');
    const exp = await initExperiment({ cwd: repo.dir }, { params: { lr: 3 }, remote: null });
    repo.write('model.pth', 'shared weights');
    const cp = await exp.checkpoint({ path: 'model.pth', step: 1, metrics: { acc: 0.9 } });
    await exp.stop();
    const pushed = runJson(repo.dir, ['exp', 'push']);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal(pushed.result.gitRemote, 'origin');
    const clone = join(base, 'clone');
    repo.git('clone', '-q', '-b', 'main', bare, clone);
    const pulled = runJson(clone, ['exp', 'pull']);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.result.after, 1);
    const run = await readRun(await openRepo({ cwd: clone }), exp.id);
    assert.equal(run.checkpoints[0]!.id, cp.id);
    assert.ok(existsSync(join(base, 'store')), 'data went to the trove remote');
    // the data comes on demand
    const cloneRepo = await openRepo({ cwd: clone });
    assert.equal(cloneRepo.store.hasFile(parseOid(cp.data!.oid)), false);
    const got = await fetchExperimentData(cloneRepo, [cp.data!]);
    assert.equal(got.remote, 'storage');
    assert.equal((await storedContent(clone, cp.data!.oid)).toString(), 'shared weights');
    assert.equal((await fetchExperimentData(cloneRepo, [cp.data!])).remote, null, 'nothing to fetch the second time');
  } finally {
    repo.cleanup();
    rmSync(base, { recursive: true, force: true });
  }
});

test('a run started with a tracked file deleted got it back from exp checkout --code: the deletion is recorded with the code', async () => {
  const repo = setup();
  try {
    repo.write('helper.py', 'x = 1\n');
    repo.git('add', 'helper.py');
    repo.git('commit', '-qm', 'helper');
    rmSync(join(repo.dir, 'helper.py'));
    const exp = await initExperiment({ cwd: repo.dir }, { path: '.', params: { lr: 1 } });
    await exp.stop();
    const record = JSON.parse(repo.git('cat-file', '-p', `refs/trove/experiments/${exp.id}:experiment.json`));
    assert.deepEqual(record.code.deleted, ['helper.py']);
    const r = runJson(repo.dir, ['exp', 'checkout', exp.id.slice(0, 8), '-o', 'out', '--code']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(repo.dir, 'out/code/train.py'), 'utf8'), 'print("train")\n');
    assert.equal(existsSync(join(repo.dir, 'out/code/helper.py')), false, 'deleted when the run started, so not part of its code');
  } finally {
    repo.cleanup();
  }
});
