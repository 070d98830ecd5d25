import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';
import { execFileSync } from 'node:child_process';
import { createTeam } from '../helpers/collab.js';
import { troveOnPath } from '../helpers/troveOnPath.js';

const DS = 'dataset/handwritten/digits/mnist';
const LB = 'labels/handwritten/digits/labelsmnist';
const MD = 'model/handwritten/digits/modelmnist';

/** Every file under `dir` with its bytes, for byte-for-byte comparisons. */
function snapshotDir(root: string, dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else out[p] = readFileSync(join(root, p)).toString('base64');
    }
  };
  walk(dir);
  return out;
}

function ok(repo: TmpRepo | { dir: string }, args: string[]): any {
  const r = runJson(repo.dir, args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.result;
}

/** The 002 layout: dataset and labels strict, model mutable, under handwritten/digits, committed. */
function mnistRepo(): TmpRepo {
  const repo = createTmpRepo();
  const cats = ['--category', 'handwritten', '--category', 'digits'];
  ok(repo, ['create', 'dataset', 'mnist', ...cats]);
  ok(repo, ['create', 'labels', 'labelsmnist', ...cats]);
  ok(repo, ['create', 'model', 'modelmnist', ...cats, '--mutability', 'mutable']);
  repo.git('commit', '-q', '-m', 'declare mnist entities');
  return repo;
}

test('create, version and checkout NAME@V --with-deps round trip byte for byte; HEAD does not move', () => {
  const repo = mnistRepo();
  try {
    for (let i = 0; i < 5; i++) repo.write(`${DS}/train/${i}.png`, pseudoRandom(500 + i, i + 1));
    repo.write(`${LB}/labels.csv`, '0,1\n1,7\n');
    repo.write(`${MD}/model.bin`, pseudoRandom(3000, 42));
    ok(repo, ['version', 'mnist']);
    ok(repo, ['version', 'labelsmnist']);
    const m1 = ok(repo, ['version', 'modelmnist', '--metric', 'accuracy=0.9746', '--dataset', 'mnist', '--labels', 'labelsmnist']);
    assert.deepEqual(m1.record.uses, ['labelsmnist@v1.0.0', 'mnist@v1.0.0'], 'lineage from the work tree');
    assert.equal(m1.record.metrics.accuracy, 0.9746);
    assert.equal(repo.git('status', '--porcelain'), '', 'pointer, .gitignore and record all committed');
    assert.equal(repo.git('show', `${m1.tag}:.trove/registry/versions/modelmnist/v1.0.0.yaml`).includes('metric.accuracy: 0.9746'), true);
    const v1 = { ds: snapshotDir(repo.dir, DS), lb: snapshotDir(repo.dir, LB), md: snapshotDir(repo.dir, MD) };

    for (let i = 5; i < 8; i++) repo.write(`${DS}/train/${i}.png`, pseudoRandom(500 + i, i + 1));
    repo.write(`${LB}/labels2.csv`, '5,3\n');
    repo.write(`${MD}/model.bin`, pseudoRandom(3000, 43));
    assert.equal(ok(repo, ['version', 'mnist']).version, 'v2.0.0');
    ok(repo, ['version', 'labelsmnist']);
    const m2 = ok(repo, ['version', 'modelmnist', '--metric', 'accuracy=0.98', '--dataset', 'mnist', '--labels', 'labelsmnist']);
    assert.deepEqual(m2.record.uses, ['labelsmnist@v2.0.0', 'mnist@v2.0.0']);
    const head = repo.git('rev-parse', 'HEAD').trim();

    const out = ok(repo, ['checkout', 'modelmnist@v1.0.0', '--with-deps']);
    assert.deepEqual(out.versions.map((v: any) => [v.tag, v.dependency]).sort(), [['labelsmnist@v1.0.0', true], ['mnist@v1.0.0', true], ['modelmnist@v1.0.0', false]]);
    assert.deepEqual(snapshotDir(repo.dir, DS), v1.ds, 'dataset v1 byte for byte');
    assert.deepEqual(snapshotDir(repo.dir, LB), v1.lb, 'labels v1 byte for byte');
    assert.deepEqual(snapshotDir(repo.dir, MD), v1.md, 'model v1 byte for byte');
    assert.equal(repo.git('rev-parse', 'HEAD').trim(), head, 'HEAD did not move');

    // Without --with-deps only the model moves; NAME alone is the latest version.
    ok(repo, ['checkout', 'modelmnist']);
    assert.deepEqual(snapshotDir(repo.dir, DS), v1.ds);
    assert.notDeepEqual(snapshotDir(repo.dir, MD), v1.md);
  } finally {
    repo.cleanup();
  }
});

test('the ml-git alias checks out the same version as the GTO tag', () => {
  const repo = mnistRepo();
  try {
    repo.write(`${MD}/model.bin`, 'model one');
    ok(repo, ['version', 'modelmnist']);
    repo.write(`${MD}/model.bin`, 'model two');
    ok(repo, ['version', 'modelmnist']);
    const r = ok(repo, ['checkout', 'handwritten__digits__modelmnist__1']);
    assert.equal(r.versions[0].tag, 'modelmnist@v1.0.0');
    assert.equal(readFileSync(join(repo.dir, MD, 'model.bin'), 'utf8'), 'model one');
    // An alias whose categories are not the declaration's is not that entity's.
    assert.equal(runJson(repo.dir, ['checkout', 'other__digits__modelmnist__1']).code, 1);
    ok(repo, ['checkout', 'modelmnist@2']);
    assert.equal(readFileSync(join(repo.dir, MD, 'model.bin'), 'utf8'), 'model two');
  } finally {
    repo.cleanup();
  }
});

test('a bare name that is both an entity and a path is refused; NAME@latest and ./NAME say which', () => {
  const repo = createTmpRepo();
  try {
    ok(repo, ['create', 'model', 'm', '--path', 'm', '--mutability', 'mutable']);
    repo.write('m/w.bin', 'w1');
    ok(repo, ['version', 'm']);
    const r = runJson(repo.dir, ['checkout', 'm']);
    assert.equal(r.code, 2);
    assert.equal(r.error.code, 'USAGE');
    assert.match(r.error.hint, /m@latest or \.\/m/);
    assert.equal(ok(repo, ['checkout', 'm@latest']).versions[0].tag, 'm@v1.0.0');
    assert.equal(ok(repo, ['checkout', './m']).versions, undefined, 'a path checkout');
  } finally {
    repo.cleanup();
  }
});

test('version --rev registers an existing commit without committing', () => {
  const repo = createTmpRepo();
  try {
    ok(repo, ['create', 'model', 'm', '--mutability', 'mutable']);
    repo.write('model/m/w.bin', 'old weights');
    ok(repo, ['add', 'model/m']);
    repo.git('commit', '-q', '-m', 'old model');
    const old = repo.git('rev-parse', 'HEAD').trim();
    repo.write('model/m/w.bin', 'new weights');
    ok(repo, ['add', 'model/m']);
    repo.git('commit', '-q', '-m', 'new model');
    const head = repo.git('rev-parse', 'HEAD').trim();
    const r = ok(repo, ['version', 'm', '--rev', 'HEAD~1', '--metric', 'loss=0.3']);
    assert.equal(r.commit, old);
    assert.equal(r.committed, false);
    assert.equal(repo.git('rev-parse', 'm@v1.0.0^{commit}').trim(), old);
    assert.equal(repo.git('rev-parse', 'HEAD').trim(), head, 'no commit made');
    ok(repo, ['checkout', 'm@v1.0.0']);
    assert.equal(readFileSync(join(repo.dir, 'model/m/w.bin'), 'utf8'), 'old weights');
    assert.equal(runJson(repo.dir, ['version', 'm', '--rev', 'nope']).error.code, 'NOT_FOUND');
  } finally {
    repo.cleanup();
  }
});

test('version commits only its own files: changes the user staged stay staged and out of the commit', () => {
  const repo = createTmpRepo();
  try {
    ok(repo, ['create', 'dataset', 'd', '--mutability', 'mutable']);
    repo.git('commit', '-q', '-m', 'declare');
    repo.write('notes.txt', 'work in progress\n');
    repo.git('add', 'notes.txt');
    repo.write('dataset/d/x.bin', 'x');
    const r = ok(repo, ['version', 'd']);
    assert.deepEqual(repo.git('show', '--name-only', '--format=', r.commit).trim().split('\n').sort(), ['.trove/registry/versions/d/v1.0.0.yaml', 'dataset/d.trove']);
    assert.equal(repo.git('diff', '--cached', '--name-only').trim(), 'notes.txt', 'still staged, not committed');
    assert.equal(repo.git('log', '-1', '--format=%s').trim(), 'Register d v1.0.0');
  } finally {
    repo.cleanup();
  }
});

test('trove version with no name prints trove\'s own version; registry options need a name', () => {
  const own = runJson(process.cwd(), ['version']);
  assert.equal(typeof own.result.trove, 'string');
  const r = runJson(process.cwd(), ['version', '--metric', 'a=1']);
  assert.equal(r.code, 2);
  assert.equal(r.error.code, 'USAGE');
});

test('versions travel with trove push and arrive with trove pull in a clone', () => {
  const team = createTeam();
  try {
    const a = team.clone('a');
    assert.equal(a.trove('init').code, 0);
    assert.equal(a.trove('remote', 'add', '-d', 'store', join(team.base, 'store')).code, 0);
    assert.equal(a.trove('create', 'dataset', 'mnist', '--mutability', 'mutable').code, 0);
    a.git('commit', '-q', '-m', 'declare');
    a.git('push', '-q', 'origin', 'main');
    const b = team.clone('b');
    a.write('dataset/mnist/one.bin', pseudoRandom(4000, 1));
    assert.equal(a.trove('version', 'mnist').code, 0);
    a.write('dataset/mnist/one.bin', pseudoRandom(4000, 2));
    assert.equal(a.trove('version', 'mnist').code, 0);
    assert.equal(runCli(a.dir, ['push']).code, 0);
    const pushed = a.trove('push');
    assert.equal(pushed.code, 0, pushed.stderr);
    a.git('push', '-q', 'origin', 'main');
    assert.match(a.git('ls-remote', '--tags', 'origin'), /mnist@v1\.0\.0/);

    const pulled = b.trove('pull');
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.deepEqual(pulled.result.tags.fetched, ['mnist@v1.0.0', 'mnist@v2.0.0']);
    b.git('merge', '-q', '--ff-only', 'origin/main');
    // v1's data was pushed although a's work tree had moved on to v2.
    const co = b.trove('checkout', 'mnist@v1.0.0');
    assert.equal(co.code, 0, co.stderr);
    assert.ok(b.read('dataset/mnist/one.bin').equals(pseudoRandom(4000, 1)));
    rmSync(join(team.base, 'a'), { recursive: true, force: true });
    assert.equal(b.trove('checkout', 'mnist@v2.0.0').code, 0);
    assert.ok(b.read('dataset/mnist/one.bin').equals(pseudoRandom(4000, 2)));
  } finally {
    team.cleanup();
  }
});

test('checkout NAME@V --sample places only the sample and marks it; --full ends it', () => {
  const repo = createTmpRepo();
  try {
    ok(repo, ['create', 'dataset', 'digits', '--path', 'digits']);
    for (let i = 0; i < 20; i++) repo.write(`digits/${String(i).padStart(2, '0')}.png`, pseudoRandom(100, i + 1));
    ok(repo, ['version', 'digits']);
    const s = ok(repo, ['checkout', 'digits@v1.0.0', '--sample', 'range:0:5']);
    assert.equal(s.samples.length, 1);
    assert.equal(s.samples[0].selected, 5);
    assert.deepEqual(readdirSync(join(repo.dir, 'digits')).sort(), ['00.png', '01.png', '02.png', '03.png', '04.png']);
    const refused = runJson(repo.dir, ['version', 'digits', '--allow-identical']);
    assert.equal(refused.error?.code, 'SAMPLED', refused.stderr);
    assert.equal(runJson(repo.dir, ['checkout', 'digits@v1.0.0', '--sample', 'range:0:5', '--full']).error.code, 'USAGE');
    const full = ok(repo, ['checkout', 'digits@v1.0.0', '--full']);
    assert.deepEqual(full.unsampled, ['digits']);
    assert.equal(readdirSync(join(repo.dir, 'digits')).length, 20);
    assert.equal(runJson(repo.dir, ['version', 'digits', '--allow-identical']).code, 0, 'no longer sampled');
  } finally {
    repo.cleanup();
  }
});

test('git push of a version tag sends its data through the pre-push hook, even when its commit is already on the remote', () => {
  const team = createTeam();
  try {
    const { env } = troveOnPath(team.base);
    const a = team.clone('a');
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: a.dir, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(a.trove('init').code, 0);
    assert.equal(a.trove('remote', 'add', '-d', 'store', join(team.base, 'store')).code, 0);
    assert.equal(runCli(a.dir, ['install'], env).code, 0);
    assert.equal(a.trove('create', 'model', 'm', '--mutability', 'mutable').code, 0);
    a.write('model/m/w.bin', pseudoRandom(5000, 3));
    assert.equal(a.trove('add', 'model/m').code, 0);
    a.git('add', '-A');
    a.git('commit', '-q', '-m', 'model');
    git('push', '-q', '--no-verify', 'origin', 'main'); // the commit reaches the remote without its data
    assert.equal(a.trove('version', 'm', '--rev', 'HEAD').code, 0);
    git('push', '-q', 'origin', 'refs/tags/m@v1.0.0'); // the hook runs: the tag is a root of its own
    const b = team.clone('b');
    const co = b.trove('checkout', 'm@v1.0.0');
    assert.equal(co.code, 0, co.stderr);
    assert.ok(b.read('model/m/w.bin').equals(pseudoRandom(5000, 3)));
  } finally {
    team.cleanup();
  }
});

test('a version of an entity declared but never committed reached a clone without its declaration: the declaration goes into the version commit', () => {
  const repo = createTmpRepo();
  try {
    repo.git('commit', '-q', '-m', 'trove init');
    ok(repo, ['create', 'dataset', 'fresh']); // staged, not committed
    repo.write('dataset/fresh/a.bin', pseudoRandom(300, 3));
    const v = ok(repo, ['version', 'fresh']);
    const inCommit = repo.git('show', '--name-only', '--format=', v.commit).split('\n');
    assert.ok(inCommit.includes('.trove/registry/entities/fresh.yaml'), `declaration committed with the version: ${inCommit.join(', ')}`);
    assert.equal(repo.git('status', '--porcelain'), '', 'nothing left staged');
    // A clone of the tag's commit knows the entity.
    const clone = createTmpRepo({ init: false });
    try {
      clone.git('fetch', '-q', '--tags', repo.dir, 'main');
      clone.git('checkout', '-q', 'FETCH_HEAD');
      const reg = ok(clone, ['registry']);
      assert.deepEqual(reg.entities.map((e: any) => [e.name, e.latest]), [['fresh', 'v1.0.0']], 'the clone lists the entity and its version');
    } finally {
      clone.cleanup();
    }
  } finally {
    repo.cleanup();
  }
});
