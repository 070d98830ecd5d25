import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';
import { bulkRuns, hexId, writeRuns } from '../helpers/experimentFixture.js';
import { initExperiment } from '../../src/index.js';

/**
 * `trove exp ls/show/diff/checkout/rm/gc/promote` over runs recorded by the
 * library (real checkpoints in the store) and runs written straight into
 * Git by the fixture (docs/formats.md's run format).
 */

function ok(dir: string, args: string[]): any {
  const r = runJson(dir, args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.result;
}

function fails(dir: string, args: string[], code: string): any {
  const r = runJson(dir, args);
  assert.notEqual(r.code, 0, `${args.join(' ')} should fail`);
  assert.equal(r.error?.code, code, `${args.join(' ')}: ${r.stderr}`);
  return r.error;
}

/** Model bytes: a large shared part and a small head that changes with `v`. */
function model(v: number): Buffer {
  return Buffer.concat([pseudoRandom(150_000, 7), pseudoRandom(20_000, 100 + v)]);
}

interface World {
  repo: TmpRepo;
  a: string;
  b: string;
  aCks: string[];
  bCks: string[];
  models: Buffer[];
}

let w: World;

before(async () => {
  const repo = createTmpRepo();
  repo.write('train.py', 'print("train")\n');
  repo.write('data/ds/a.txt', 'sample a\n');
  repo.write('data/ds/b.txt', 'sample b\n');
  ok(repo.dir, ['create', 'dataset', 'ds', '--path', 'data/ds']);
  ok(repo.dir, ['create', 'model', 'net', '--path', 'models/net.bin', '--mutability', 'mutable']);
  repo.git('add', '-A');
  repo.git('commit', '-qm', 'code');
  ok(repo.dir, ['version', 'ds']);
  const models = [0, 1, 2, 3].map(model);
  // Run A: lr 0.01, loss best at step 1.
  const ea = await initExperiment({ cwd: repo.dir }, { params: { lr: 0.01, epochs: 3, batch: 32 }, command: ['python', 'train.py'], python: '3.11.7', packages: { numpy: '1.26.4', torch: '2.3.0' }, remote: null });
  const aCks: string[] = [];
  const aMetrics = [{ loss: 0.9, accuracy: 0.5 }, { loss: 0.4, accuracy: 0.8 }, { loss: 0.7, accuracy: 0.7 }];
  for (let s = 0; s < 3; s++) {
    repo.write('model.bin', models[s]!);
    aCks.push((await ea.checkpoint({ path: 'model.bin', step: s, metrics: aMetrics[s]!, primaryMetric: ['loss', 'minimize'] })).id);
  }
  await ea.stop();
  // Run B: lr 0.1, uncommitted change to train.py, a NaN loss, another numpy; its step 0 file is A's step 0 file.
  repo.write('train.py', 'print("train faster")\n');
  const eb = await initExperiment({ cwd: repo.dir }, { params: { lr: 0.1, epochs: 3, batch: 32 }, command: ['python', 'train.py', '--lr', '0.1'], python: '3.11.7', packages: { numpy: '2.0.0', torch: '2.3.0' }, remote: null });
  const bCks: string[] = [];
  const bModels = [models[0]!, models[3]!];
  const bMetrics = [{ loss: 0.6, accuracy: 0.6 }, { loss: NaN, accuracy: 0.9 }];
  for (let s = 0; s < 2; s++) {
    repo.write('model.bin', bModels[s]!);
    bCks.push((await eb.checkpoint({ path: 'model.bin', step: s, metrics: bMetrics[s]!, primaryMetric: ['loss', 'minimize'] })).id);
  }
  await eb.stop();
  repo.write('train.py', 'print("train")\n');
  w = { repo, a: ea.id, b: eb.id, aCks, bCks, models };
});

after(() => w?.repo.cleanup());

test('exp ls --json lists every run with the summary of the contract', () => {
  const r = ok(w.repo.dir, ['exp', 'ls']);
  const ids = r.experiments.map((e: any) => e.id).sort();
  assert.deepEqual(ids, [w.a, w.b].sort());
  const a = r.experiments.find((e: any) => e.id === w.a);
  assert.equal(a.status, 'stopped');
  assert.equal(a.checkpoints, 3);
  assert.equal(a.best.id, w.aCks[1]);
  assert.equal(a.latest.id, w.aCks[2]);
  assert.deepEqual(a.primary_metric, { name: 'loss', goal: 'minimize' });
  const b = r.experiments.find((e: any) => e.id === w.b);
  // NaN survives --json as {"$float": "NaN"}, and is never the best.
  assert.deepEqual(b.latest.metrics.loss, { $float: 'NaN' });
  assert.equal(b.best.id, w.bCks[0]);
});

test('exp ls shows the columns and only the params that differ', () => {
  const r = runCli(w.repo.dir, ['exp', 'ls']);
  assert.equal(r.code, 0, r.stderr);
  const [header, ...rows] = r.stdout.trim().split('\n');
  for (const col of ['experiment', 'started', 'status', 'host', 'user', 'lr', 'latest checkpoint', 'best checkpoint']) assert.ok(header!.includes(col), `${col} in ${header}`);
  assert.ok(!/\bepochs\b|\bbatch\b/.test(header!), `same params hidden: ${header}`);
  assert.equal(rows.length, 2);
  const rowA = rows.find((x) => x.startsWith(w.a.slice(0, 7)))!;
  assert.ok(rowA.includes(`${w.aCks[1]!.slice(0, 7)} (step 1), loss: 0.4`), rowA);
  assert.ok(rowA.includes('0.01'));
});

test('exp ls --filter and --sort', () => {
  const f = ok(w.repo.dir, ['exp', 'ls', '--filter', 'accuracy > 0.75']);
  assert.deepEqual(f.experiments.map((e: any) => e.id), [w.a]);
  const both = ok(w.repo.dir, ['exp', 'ls', '--filter', 'lr >= 0.01', '--filter', 'batch = 32']);
  assert.equal(both.experiments.length, 2);
  const none = ok(w.repo.dir, ['exp', 'ls', '--filter', 'lr != 0.01', '--filter', 'status = crashed']);
  assert.equal(none.experiments.length, 0);
  const desc = ok(w.repo.dir, ['exp', 'ls', '--sort', '-lr']);
  assert.deepEqual(desc.experiments.map((e: any) => e.id), [w.b, w.a]);
  const asc = ok(w.repo.dir, ['exp', 'ls', '--sort', 'lr']);
  assert.deepEqual(asc.experiments.map((e: any) => e.id), [w.a, w.b]);
});

test('exp ls with a filter it cannot read is USAGE', () => {
  const e = fails(w.repo.dir, ['exp', 'ls', '--filter', 'accuracy ~ 3'], 'USAGE');
  assert.equal(e.data.reason, 'bad-filter');
});

test('exp ls --csv and --md', () => {
  const csv = runCli(w.repo.dir, ['exp', 'ls', '--csv', '--sort', 'lr']);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines[0], 'id,started,status,host,user,lr,checkpoints,latest_id,latest_step,best_id,best_step,best_loss');
  assert.ok(lines[1]!.startsWith(`${w.a},`));
  assert.ok(lines[1]!.endsWith(`,0.01,3,${w.aCks[2]},2,${w.aCks[1]},1,0.4`), lines[1]);
  const md = runCli(w.repo.dir, ['exp', 'ls', '--md']);
  assert.equal(md.code, 0, md.stderr);
  const mdLines = md.stdout.trim().split('\n');
  assert.ok(mdLines[0]!.startsWith('| id | started |'));
  assert.ok(mdLines[1]!.startsWith('|---|'));
  assert.equal(mdLines.length, 4);
});

test('exp show by prefix: an experiment and a checkpoint', () => {
  const e = ok(w.repo.dir, ['exp', 'show', w.a.slice(0, 6)]).experiment;
  assert.equal(e.id, w.a);
  assert.equal(e.status, 'stopped');
  assert.deepEqual(e.params, { lr: 0.01, epochs: 3, batch: 32 });
  assert.deepEqual(e.checkpoints.map((c: any) => c.id), w.aCks);
  assert.equal(e.best, w.aCks[1]);
  assert.ok(e.code.commit);
  const c = ok(w.repo.dir, ['exp', 'show', w.bCks[1]!.slice(0, 8)]).checkpoint;
  assert.equal(c.id, w.bCks[1]);
  assert.equal(c.experiment, w.b);
  assert.deepEqual(c.metrics.loss, { $float: 'NaN' });
  const text = runCli(w.repo.dir, ['exp', 'show', w.a.slice(0, 8)]);
  assert.equal(text.code, 0, text.stderr);
  assert.ok(text.stdout.includes(`Experiment: ${w.a}`));
  assert.ok(text.stdout.includes('lr: 0.01'));
  assert.ok(text.stdout.includes('loss per checkpoint:'));
});

test('exp show with an ambiguous prefix is USAGE listing the candidates', () => {
  const repo = createTmpRepo();
  try {
    const x = 'abcd0' + hexId().slice(5);
    const y = 'abcd1' + hexId().slice(5);
    writeRuns(repo.dir, [{ id: x, checkpoints: [{ metrics: {} }] }, { id: y }]);
    const e = fails(repo.dir, ['exp', 'show', 'abcd'], 'USAGE');
    assert.equal(e.data.reason, 'ambiguous');
    assert.deepEqual(e.data.matches.sort(), [x, y].sort());
    assert.equal(ok(repo.dir, ['exp', 'show', 'abcd1']).experiment.id, y);
  } finally {
    repo.cleanup();
  }
});

test('exp show with a bad or unknown id', () => {
  assert.equal(fails(w.repo.dir, ['exp', 'show', 'xyz!'], 'USAGE').data.reason, 'bad-prefix');
  assert.equal(fails(w.repo.dir, ['exp', 'show', 'ab'], 'USAGE').data.reason, 'bad-prefix');
  fails(w.repo.dir, ['exp', 'show', 'ffffffffffff'], 'NOT_FOUND');
});

test('exp diff: params, metrics, packages, code and files', () => {
  const d = ok(w.repo.dir, ['exp', 'diff', w.a.slice(0, 8), w.b.slice(0, 8)]);
  assert.equal(d.a.checkpoint, w.aCks[1]);
  assert.equal(d.b.checkpoint, w.bCks[0]);
  assert.deepEqual(d.params, [{ key: 'lr', a: 0.01, b: 0.1 }]);
  assert.deepEqual(d.metrics.map((m: any) => m.key), ['accuracy', 'loss']);
  assert.deepEqual(d.packages, [{ key: 'numpy', a: '1.26.4', b: '2.0.0' }]);
  assert.ok(d.run.some((x: any) => x.key === 'command'));
  assert.equal(d.code.same, false);
  assert.equal(d.code.a.commit, d.code.b.commit);
  // B started with model.bin in the work tree (untracked: part of its code) and train.py changed.
  assert.deepEqual(d.code.files, [{ path: 'model.bin', change: 'added' }, { path: 'train.py', change: 'modified' }]);
  assert.equal(d.files.same, false);
  // Two checkpoints of one run, by id: the same code.
  const c = ok(w.repo.dir, ['exp', 'diff', w.aCks[0]!, w.aCks[2]!]);
  assert.equal(c.code.same, true);
  assert.deepEqual(c.params, []);
  const text = runCli(w.repo.dir, ['exp', 'diff', w.a.slice(0, 8), w.b.slice(0, 8)]);
  assert.equal(text.code, 0, text.stderr);
  assert.ok(/lr\s+0\.01 → 0\.1/.test(text.stdout), text.stdout);
  assert.ok(text.stdout.includes('modified train.py'));
});

test('exp diff needs two ids', () => {
  assert.equal(fails(w.repo.dir, ['exp', 'diff', w.a.slice(0, 8)], 'USAGE').data.reason, 'two-ids');
});

test('exp checkout writes the best checkpoint byte for byte, in place and under -o', () => {
  const dir = w.repo.dir;
  // In place: model.bin holds B's last file now; that is a local change.
  const e = fails(dir, ['exp', 'checkout', w.a.slice(0, 8)], 'DIRTY');
  assert.deepEqual(e.data.paths, ['model.bin']);
  const r = ok(dir, ['exp', 'checkout', w.a.slice(0, 8), '--force']);
  assert.equal(r.checkpoint, w.aCks[1]);
  assert.deepEqual(r.written, ['model.bin']);
  assert.ok(readFileSync(join(dir, 'model.bin')).equals(w.models[1]!));
  // Again: nothing to write.
  assert.deepEqual(ok(dir, ['exp', 'checkout', w.a.slice(0, 8)]).unchanged, ['model.bin']);
  // Under -o, inside and outside the work tree; a checkpoint id picks that one.
  const r2 = ok(dir, ['exp', 'checkout', w.aCks[2]!.slice(0, 10), '-o', 'out/ck2']);
  assert.deepEqual(r2.written, ['out/ck2/model.bin']);
  assert.ok(readFileSync(join(dir, 'out/ck2/model.bin')).equals(w.models[2]!));
  const ext = mkdtempSync(join(tmpdir(), 'trove-exp-out-'));
  try {
    const r3 = ok(dir, ['exp', 'checkout', w.bCks[1]!.slice(0, 10), '-o', join(ext, 'b')]);
    assert.equal(r3.checkpoint, w.bCks[1]);
    assert.ok(readFileSync(join(ext, 'b', 'model.bin')).equals(w.models[3]!));
  } finally {
    rmSync(ext, { recursive: true, force: true });
  }
});

test('exp checkout -o refuses .git, .trove and a symlinked parent', () => {
  const dir = w.repo.dir;
  fails(dir, ['exp', 'checkout', w.a.slice(0, 8), '-o', '.git'], 'UNSAFE_PATH');
  fails(dir, ['exp', 'checkout', w.a.slice(0, 8), '-o', '.git/hooks'], 'UNSAFE_PATH');
  fails(dir, ['exp', 'checkout', w.a.slice(0, 8), '-o', '.trove/x'], 'UNSAFE_PATH');
  const outside = mkdtempSync(join(tmpdir(), 'trove-exp-link-'));
  try {
    symlinkSync(outside, join(dir, 'linked'));
    fails(dir, ['exp', 'checkout', w.a.slice(0, 8), '-o', 'linked/sub'], 'UNSAFE_PATH');
    assert.ok(!existsSync(join(outside, 'sub')));
  } finally {
    rmSync(join(dir, 'linked'), { force: true });
    rmSync(outside, { recursive: true, force: true });
  }
  // A symlinked directory on the checkpoint's own path is refused too.
  const o2 = mkdtempSync(join(tmpdir(), 'trove-exp-link-'));
  try {
    mkdirSync(join(dir, 'out2'));
    symlinkSync(o2, join(dir, 'out2', 'model.bin.d'));
    fails(dir, ['exp', 'checkout', w.a.slice(0, 8), '-o', 'out2/model.bin.d'], 'UNSAFE_PATH');
  } finally {
    rmSync(join(dir, 'out2'), { recursive: true, force: true });
    rmSync(o2, { recursive: true, force: true });
  }
});

test('exp checkout --code writes the code as it ran (commit plus uncommitted changes)', () => {
  const dir = w.repo.dir;
  assert.equal(fails(dir, ['exp', 'checkout', w.b.slice(0, 8), '--code'], 'USAGE').data.reason, 'code-needs-out');
  const r = ok(dir, ['exp', 'checkout', w.b.slice(0, 8), '-o', 'runb', '--code']);
  assert.equal(r.code.dirty, true);
  assert.equal(readFileSync(join(dir, 'runb/code/train.py'), 'utf8'), 'print("train faster")\n');
  assert.ok(readFileSync(join(dir, 'runb/model.bin')).equals(w.models[0]!));
  const ra = ok(dir, ['exp', 'checkout', w.a.slice(0, 8), '-o', 'runa', '--code']);
  assert.equal(ra.code.dirty, false);
  assert.equal(readFileSync(join(dir, 'runa/code/train.py'), 'utf8'), 'print("train")\n');
  rmSync(join(dir, 'runa'), { recursive: true });
  rmSync(join(dir, 'runb'), { recursive: true });
});

test('exp promote registers a checkpoint as a model version with its metrics, lineage and run id', () => {
  const dir = w.repo.dir;
  const r = ok(dir, ['exp', 'promote', w.aCks[1]!.slice(0, 10), 'net']);
  assert.equal(r.tag, 'net@v1.0.0');
  assert.equal(r.experiment, w.a);
  assert.deepEqual(r.record.metrics, { loss: 0.4, accuracy: 0.8 });
  assert.deepEqual(r.uses, ['ds@v1.0.0']);
  assert.deepEqual(r.record.uses, ['ds@v1.0.0']);
  assert.ok(readFileSync(join(dir, 'models/net.bin')).equals(w.models[1]!));
  const message = w.repo.git('tag', '-l', '--format=%(contents)', 'net@v1.0.0');
  assert.ok(message.includes(w.a), message);
  assert.ok(message.includes(w.aCks[1]!), message);
  // A second version from another checkpoint: v1's file at the path is committed data, not a local change.
  const r2 = ok(dir, ['exp', 'promote', w.aCks[2]!.slice(0, 10), 'net', '--bump', 'minor']);
  assert.equal(r2.tag, 'net@v1.1.0');
  assert.ok(readFileSync(join(dir, 'models/net.bin')).equals(w.models[2]!));
  // A real local change is refused.
  writeFileSync(join(dir, 'models/net.bin'), 'edited by hand');
  assert.deepEqual(fails(dir, ['exp', 'promote', w.aCks[0]!.slice(0, 10), 'net'], 'DIRTY').data.paths, ['models/net.bin']);
  assert.equal(readFileSync(join(dir, 'models/net.bin'), 'utf8'), 'edited by hand');
  ok(dir, ['checkout', 'models/net.bin', '--force']);
  // An undeclared entity: nothing registered.
  fails(dir, ['exp', 'promote', w.aCks[1]!.slice(0, 10), 'nosuch'], 'NOT_FOUND');
});

test('exp gc --keep-best: dry run, bytes freed counting only what nothing else uses, and rm', () => {
  const repo = createTmpRepo();
  return (async () => {
    try {
      // Two runs sharing one file: A's step 0 file is C's only checkpoint.
      const files = [pseudoRandom(60_000, 11), pseudoRandom(70_000, 12), pseudoRandom(80_000, 13), pseudoRandom(90_000, 14)];
      // Step 3's file is also committed (tracked with trove add): Git history uses it.
      repo.write('tracked.bin', files[3]!);
      ok(repo.dir, ['add', 'tracked.bin']);
      repo.git('add', '-A');
      repo.git('commit', '-qm', 'tracked');
      const ea = await initExperiment({ cwd: repo.dir }, { params: { lr: 1 }, remote: null });
      const losses = [0.5, 0.1, 0.3, 0.4];
      for (let s = 0; s < 4; s++) {
        repo.write('m.bin', files[s]!);
        await ea.checkpoint({ path: 'm.bin', step: s, metrics: { loss: losses[s] }, primaryMetric: ['loss', 'minimize'] });
      }
      await ea.stop();
      // (C's code snapshot would hold an untracked m.bin: that is a use too.)
      rmSync(join(repo.dir, 'm.bin'));
      const ec = await initExperiment({ cwd: repo.dir }, { params: { lr: 2 }, remote: null });
      repo.write('m.bin', files[0]!);
      await ec.checkpoint({ path: 'm.bin', step: 0, metrics: { loss: 0.9 }, primaryMetric: ['loss', 'minimize'] });
      await ec.stop();
      rmSync(join(repo.dir, 'm.bin'));
      const dry = ok(repo.dir, ['exp', 'gc', '--keep-best', '1', '--dry-run']);
      assert.equal(dry.dryRun, true);
      assert.equal(dry.removed.length, 3);
      // Step 2's file is freed; step 0's is C's too and step 3's is in a commit, so they are not.
      assert.equal(dry.bytesFreed, files[2]!.length);
      assert.equal(ok(repo.dir, ['exp', 'show', ea.id]).experiment.checkpoints.length, 4);
      const real = ok(repo.dir, ['exp', 'gc', '--keep-best', '1']);
      assert.equal(real.bytesFreed, files[2]!.length);
      assert.equal(real.deleted, true);
      const shown = ok(repo.dir, ['exp', 'show', ea.id]).experiment;
      assert.deepEqual(shown.checkpoints.map((c: any) => c.step), [1]);
      assert.equal(ok(repo.dir, ['exp', 'ls']).experiments.find((e: any) => e.id === ea.id).checkpoints, 1);
      // C's checkpoint and the committed file are intact.
      rmSync(join(repo.dir, 'tracked.bin'));
      ok(repo.dir, ['checkout', 'tracked.bin']);
      assert.ok(readFileSync(join(repo.dir, 'tracked.bin')).equals(files[3]!));
      ok(repo.dir, ['exp', 'checkout', ec.id, '-o', 'c']);
      assert.ok(readFileSync(join(repo.dir, 'c/m.bin')).equals(files[0]!));
      // keep-last keeps the latest too; nothing more to free.
      const again = ok(repo.dir, ['exp', 'gc', '--keep-best', '1', '--keep-last', '1']);
      assert.equal(again.removed.length, 0);
      assert.equal(again.bytesFreed, 0);
      assert.equal(fails(repo.dir, ['exp', 'gc'], 'USAGE').data.reason, 'keep-best-missing');
      assert.equal(fails(repo.dir, ['exp', 'gc', '--keep-best', 'x'], 'USAGE').data.reason, 'bad-count');
      // rm deletes the ref.
      assert.deepEqual(ok(repo.dir, ['exp', 'rm', ea.id.slice(0, 8)]).removed, [ea.id]);
      assert.deepEqual(ok(repo.dir, ['exp', 'ls']).experiments.map((e: any) => e.id), [ec.id]);
      assert.equal(repo.git('for-each-ref', `refs/trove/experiments/${ea.id}`), '');
      fails(repo.dir, ['exp', 'rm', ea.id.slice(0, 8)], 'NOT_FOUND');
    } finally {
      repo.cleanup();
    }
  })();
});

test('exp diff and checkout of directory checkpoints', async () => {
  const repo = createTmpRepo();
  try {
    const e = await initExperiment({ cwd: repo.dir }, { params: { lr: 1 }, remote: null });
    repo.write('ck/weights.bin', pseudoRandom(50_000, 1));
    repo.write('ck/head.bin', pseudoRandom(1_000, 2));
    repo.write('ck/sub/config.json', '{"layers": 3}\n');
    const c0 = await e.checkpoint({ path: 'ck', step: 0, metrics: { loss: 1 } });
    repo.write('ck/head.bin', pseudoRandom(1_000, 3));
    repo.write('ck/extra.txt', 'new\n');
    const c1 = await e.checkpoint({ path: 'ck', step: 1, metrics: { loss: 0.5 } });
    await e.stop();
    const d = ok(repo.dir, ['exp', 'diff', c0.id, c1.id]);
    assert.deepEqual(d.files.changes.paths, [{ path: 'extra.txt', change: 'added' }, { path: 'head.bin', change: 'modified' }]);
    assert.equal(d.files.changes.bytesChanged, 1_004);
    assert.deepEqual(d.metrics, [{ key: 'loss', a: 1, b: 0.5 }]);
    const r = ok(repo.dir, ['exp', 'checkout', c0.id.slice(0, 8), '-o', 'old']);
    assert.deepEqual(r.written, ['old/ck/head.bin', 'old/ck/sub/config.json', 'old/ck/weights.bin']);
    assert.ok(readFileSync(join(repo.dir, 'old/ck/head.bin')).equals(pseudoRandom(1_000, 2)));
    assert.equal(readFileSync(join(repo.dir, 'old/ck/sub/config.json'), 'utf8'), '{"layers": 3}\n');
    // In place over the newer files: head.bin differs (refused), then forced.
    assert.deepEqual(fails(repo.dir, ['exp', 'checkout', c0.id.slice(0, 8)], 'DIRTY').data.paths, ['ck/head.bin']);
    ok(repo.dir, ['exp', 'checkout', c0.id.slice(0, 8), '--force']);
    assert.ok(readFileSync(join(repo.dir, 'ck/head.bin')).equals(pseudoRandom(1_000, 2)));
  } finally {
    repo.cleanup();
  }
});

test('exp checkout of a metrics-only checkpoint is NOT_FOUND', async () => {
  const repo = createTmpRepo();
  try {
    const e = await initExperiment({ cwd: repo.dir }, { params: {}, remote: null });
    const c = await e.checkpoint({ step: 0, metrics: { loss: 1 } });
    await e.stop();
    assert.equal(fails(repo.dir, ['exp', 'checkout', c.id], 'NOT_FOUND').data.reason, 'no-files');
    assert.equal(fails(repo.dir, ['exp', 'promote', c.id, 'x'], 'NOT_FOUND').data.reason, 'no-files');
  } finally {
    repo.cleanup();
  }
});

test('exp checkout in a clone fetches a pulled run\'s checkpoint from the trove remote', async () => {
  const base = mkdtempSync(join(tmpdir(), 'trove-exp-share-'));
  const repo = createTmpRepo();
  try {
    const bare = join(base, 'origin.git');
    repo.git('init', '-q', '--bare', bare);
    repo.git('remote', 'add', 'origin', bare);
    ok(repo.dir, ['remote', 'add', '-d', 'storage', join(base, 'store')]);
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'remote');
    repo.git('push', '-q', 'origin', 'main');
    const e = await initExperiment({ cwd: repo.dir }, { params: { lr: 3 }, remote: null });
    const bytes = pseudoRandom(300_000, 42);
    repo.write('model.bin', bytes);
    const c = await e.checkpoint({ path: 'model.bin', step: 1, metrics: { acc: 0.9 } });
    await e.stop();
    ok(repo.dir, ['exp', 'push']);
    const clone = join(base, 'clone');
    repo.git('clone', '-q', '-b', 'main', bare, clone);
    ok(clone, ['exp', 'pull']);
    assert.equal(fails(clone, ['exp', 'checkout', c.id.slice(0, 8), '--no-fetch'], 'OBJECT_MISSING').data.paths.length, 1);
    const r = ok(clone, ['exp', 'checkout', c.id.slice(0, 8)]);
    assert.ok(r.fetched.objects >= 1);
    assert.deepEqual(r.written, ['model.bin']);
    assert.ok(readFileSync(join(clone, 'model.bin')).equals(bytes));
  } finally {
    repo.cleanup();
    rmSync(base, { recursive: true, force: true });
  }
});

test('a running run: ls shows a dead one as crashed, rm refuses a live one without --force, gc leaves it alone', () => {
  const repo = createTmpRepo();
  try {
    const ck = (loss: number) => ({ metrics: { loss } });
    const [live, dead] = writeRuns(repo.dir, [
      { status: 'running', pid: process.pid, host: hostname(), primary_metric: { name: 'loss', goal: 'minimize' }, checkpoints: [ck(3), ck(2), ck(1)] },
      { status: 'running', pid: 2 ** 22 + 12345, host: hostname(), primary_metric: { name: 'loss', goal: 'minimize' }, checkpoints: [ck(3), ck(2), ck(1)] },
    ]);
    const ls = ok(repo.dir, ['exp', 'ls']);
    const status = Object.fromEntries(ls.experiments.map((e: any) => [e.id, e.status]));
    assert.equal(status[live!.experiment.id], 'running');
    assert.equal(status[dead!.experiment.id], 'crashed');
    assert.deepEqual(ok(repo.dir, ['exp', 'ls', '--filter', 'status = crashed']).experiments.map((e: any) => e.id), [dead!.experiment.id]);
    const gc = ok(repo.dir, ['exp', 'gc', '--keep-best', '1']);
    assert.deepEqual(gc.skipped, [live!.experiment.id]);
    assert.deepEqual(gc.removed.map((r: any) => r.experiment), [dead!.experiment.id, dead!.experiment.id]);
    assert.equal(fails(repo.dir, ['exp', 'rm', live!.experiment.id], 'USAGE').data.reason, 'running');
    assert.deepEqual(ok(repo.dir, ['exp', 'rm', live!.experiment.id, '--force']).removed, [live!.experiment.id]);
  } finally {
    repo.cleanup();
  }
});

test('exp ls lists 1,000 runs of 100 checkpoints from the fixture', () => {
  const repo = createTmpRepo();
  try {
    const runs = writeRuns(repo.dir, bulkRuns(1000, 100));
    const r = ok(repo.dir, ['exp', 'ls']);
    assert.equal(r.experiments.length, 1000);
    const byId = new Map(r.experiments.map((e: any) => [e.id, e]));
    for (const x of runs) {
      const e: any = byId.get(x.experiment.id);
      assert.ok(e, x.experiment.id);
      assert.equal(e.checkpoints, 100);
      assert.equal(e.best.id, x.summary.best.id);
      assert.equal(e.latest.step, 99);
    }
    const f = ok(repo.dir, ['exp', 'ls', '--filter', 'learning_rate = 0.1']);
    assert.equal(f.experiments.length, 250);
    const csv = runCli(repo.dir, ['exp', 'ls', '--csv']);
    assert.equal(csv.stdout.trim().split('\n').length, 1001);
  } finally {
    repo.cleanup();
  }
});

test('exp with an unknown action or wrong arguments is USAGE', () => {
  const dir = w.repo.dir;
  fails(dir, ['exp', 'frobnicate'], 'USAGE');
  assert.equal(fails(dir, ['exp', 'ls', '--csv', '--md'], 'USAGE').data.reason, 'two-formats');
  assert.equal(fails(dir, ['exp', 'ls', 'extra'], 'USAGE').data.reason, 'extra-args');
  assert.equal(fails(dir, ['exp', 'show'], 'USAGE').data.reason, 'one-id');
  assert.equal(fails(dir, ['exp', 'show', w.a, w.b], 'USAGE').data.reason, 'one-id');
  assert.equal(fails(dir, ['exp', 'checkout'], 'USAGE').data.reason, 'one-id');
  assert.equal(fails(dir, ['exp', 'rm'], 'USAGE').data.reason, 'no-ids');
  assert.equal(fails(dir, ['exp', 'promote', w.a], 'USAGE').data.reason, 'two-args');
  assert.equal(fails(dir, ['exp', 'gc', '--keep-best', '0'], 'USAGE').data.reason, 'keep-nothing');
  assert.equal(fails(dir, ['exp', 'gc', '--keep-best', '-1'], 'USAGE').data.reason, 'bad-count');
  // Nothing changed: both runs still have every checkpoint.
  assert.deepEqual(ok(dir, ['exp', 'ls']).experiments.map((e: any) => e.checkpoints).sort(), [2, 3]);
});
