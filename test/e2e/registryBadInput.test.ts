import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTmpRepo, runJson, type TmpRepo } from '../helpers/tmpRepo.js';
import { createTeam } from '../helpers/collab.js';

const DS = 'dataset/handwritten/digits/mnist';

/** A repository with dataset mnist (strict, categories handwritten/digits) holding three files, committed. */
function withDataset(mutability = 'strict'): TmpRepo {
  const repo = createTmpRepo();
  const r = runJson(repo.dir, ['create', 'dataset', 'mnist', '--category', 'handwritten', '--category', 'digits', '--mutability', mutability]);
  assert.equal(r.code, 0, r.stderr);
  for (let i = 0; i < 3; i++) repo.write(`${DS}/img${i}.png`, `digit ${i}\n`);
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'declare mnist');
  return repo;
}

/** What "nothing recorded" means: the same HEAD, tags, index and pointer as before. */
function state(repo: TmpRepo): string {
  const index = repo.git('ls-files', '-s');
  const pointer = existsSync(join(repo.dir, `${DS}.trove`)) ? readFileSync(join(repo.dir, `${DS}.trove`), 'utf8') : '';
  return JSON.stringify([repo.git('rev-parse', 'HEAD').trim(), repo.git('tag', '-l').trim(), index, pointer, repo.git('status', '--porcelain')]);
}

const BAD_NAMES: [string, string, string][] = [
  ['space', 'my data', 'characters'],
  ['dotdot', 'a..b', 'characters'],
  ['at', 'a@b', 'characters'],
  ['hash', 'a#b', 'characters'],
  ['tilde', 'a~1', 'characters'],
  ['caret', 'a^b', 'characters'],
  ['leading dash', '-bad', 'leading-dash'],
];

for (const [what, name, rule] of BAD_NAMES) {
  test(`create refuses names git refs cannot hold, with the rule broken: ${what}`, () => {
    const repo = createTmpRepo();
    try {
      const r = runJson(repo.dir, ['create', 'dataset', '--', name]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.error.code, 'BAD_NAME');
      assert.equal(r.error.data.rule, rule);
      assert.equal(existsSync(join(repo.dir, '.trove/registry')), false, 'nothing written');
    } finally {
      repo.cleanup();
    }
  });
}

test('create refuses a name that collides with a branch', () => {
  const repo = createTmpRepo();
  try {
    repo.git('commit', '-q', '--allow-empty', '-m', 'one');
    repo.git('branch', 'mnist');
    const r = runJson(repo.dir, ['create', 'dataset', 'mnist']);
    assert.equal(r.code, 2);
    assert.equal(r.error.code, 'BAD_NAME');
    assert.equal(r.error.data.rule, 'branch-collision');
    assert.equal(existsSync(join(repo.dir, '.trove/registry')), false);
    const again = runJson(repo.dir, ['create', 'dataset', 'other']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(runJson(repo.dir, ['create', 'model', 'other']).error.data.rule, 'exists');
  } finally {
    repo.cleanup();
  }
});

test('version refuses an existing local version with the next free version as hint; no commit, no tag left', () => {
  const repo = withDataset();
  try {
    assert.equal(runJson(repo.dir, ['version', 'mnist']).code, 0);
    repo.write(`${DS}/img3.png`, 'digit 3\n');
    const before = repo.git('rev-parse', 'HEAD').trim();
    const tags = repo.git('tag', '-l');
    const r = runJson(repo.dir, ['version', 'mnist', '--version', '1']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'VERSION_EXISTS');
    assert.equal(r.error.data.where, 'local');
    assert.equal(r.error.data.next, 'v2.0.0');
    assert.match(r.error.hint, /--version v2\.0\.0/);
    assert.equal(repo.git('rev-parse', 'HEAD').trim(), before, 'no commit');
    assert.equal(repo.git('tag', '-l'), tags, 'no tag');
  } finally {
    repo.cleanup();
  }
});

test('version race: second clone\'s push of v3 is refused with VERSION_EXISTS where=remote and hint v4', () => {
  const team = createTeam();
  try {
    const a = team.clone('a');
    assert.equal(a.trove('init').code, 0);
    assert.equal(a.trove('remote', 'add', '-d', 'store', join(team.base, 'store')).code, 0);
    assert.equal(a.trove('create', 'dataset', 'mnist', '--mutability', 'mutable').code, 0);
    a.write('dataset/mnist/a.bin', 'a');
    a.git('add', '-A');
    a.git('commit', '-q', '-m', 'declare');
    a.git('push', '-q', 'origin', 'main');
    const b = team.clone('b');
    b.write('dataset/mnist/b.bin', 'b');
    const c = team.clone('c');
    c.write('dataset/mnist/c.bin', 'c');
    a.write('dataset/mnist/a2.bin', 'a2');
    // Both register v3 before either has pushed: each finds it free on the remote.
    assert.equal(a.trove('version', 'mnist', '--version', '3').code, 0);
    const bv = b.trove('version', 'mnist', '--version', '3');
    assert.equal(bv.code, 0, bv.stderr);
    const ap = a.trove('push');
    assert.equal(ap.code, 0, ap.stderr);
    assert.deepEqual(ap.result.versions.tags, ['mnist@v3.0.0']);
    const bp = b.trove('push');
    assert.equal(bp.code, 1, bp.stderr);
    assert.equal(bp.error.code, 'VERSION_EXISTS');
    assert.equal(bp.error.data.where, 'remote');
    assert.equal(bp.error.data.next, 'v4.0.0');
    assert.match(bp.error.hint, /--version v4\.0\.0/);
    // Once v3 is on the remote, a clone without its tag is refused up front, naming the remote.
    const cv = c.trove('version', 'mnist', '--version', '3');
    assert.equal(cv.error.code, 'VERSION_EXISTS');
    assert.equal(cv.error.data.where, 'remote');
    assert.equal(c.git('tag', '-l').trim(), '', 'nothing made');
  } finally {
    team.cleanup();
  }
});

test('strict entity with a changed file is refused listing the file; nothing recorded', () => {
  const repo = withDataset();
  try {
    assert.equal(runJson(repo.dir, ['version', 'mnist']).code, 0);
    repo.write(`${DS}/img1.png`, 'changed\n');
    repo.write(`${DS}/img9.png`, 'added\n');
    const before = state(repo);
    const r = runJson(repo.dir, ['version', 'mnist']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'MUTABILITY');
    assert.deepEqual(r.error.data.files, [{ path: `${DS}/img1.png`, change: 'changed' }]);
    assert.equal(state(repo), before);
  } finally {
    repo.cleanup();
  }
});

test('strict entity with a deleted file is refused listing the file', () => {
  const repo = withDataset();
  try {
    assert.equal(runJson(repo.dir, ['version', 'mnist']).code, 0);
    rmSync(join(repo.dir, DS, 'img2.png'));
    const before = state(repo);
    const r = runJson(repo.dir, ['version', 'mnist']);
    assert.equal(r.error.code, 'MUTABILITY');
    assert.deepEqual(r.error.data.files, [{ path: `${DS}/img2.png`, change: 'deleted' }]);
    assert.equal(state(repo), before);
    // Adding files is what strict allows.
    repo.write(`${DS}/img2.png`, 'digit 2\n');
    repo.write(`${DS}/img3.png`, 'digit 3\n');
    assert.equal(runJson(repo.dir, ['version', 'mnist']).result.version, 'v2.0.0');
  } finally {
    repo.cleanup();
  }
});

test('lineage reference to a missing version is NOT_FOUND; nothing recorded', () => {
  const repo = withDataset();
  try {
    assert.equal(runJson(repo.dir, ['version', 'mnist']).code, 0);
    assert.equal(runJson(repo.dir, ['create', 'model', 'm', '--mutability', 'mutable']).code, 0);
    repo.write('model/m/w.bin', 'weights');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'model');
    const before = state(repo);
    const r = runJson(repo.dir, ['version', 'm', '--dataset', 'mnist@v7']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'NOT_FOUND');
    assert.equal(state(repo), before);
    assert.equal(existsSync(join(repo.dir, 'model/m.trove')), false, 'the model was not even added');
    // A bare name whose work-tree data is no registered version is refused too.
    repo.write(`${DS}/img7.png`, 'new\n');
    assert.equal(runJson(repo.dir, ['add', DS]).code, 0);
    assert.equal(runJson(repo.dir, ['version', 'm', '--dataset', 'mnist']).error.code, 'NOT_FOUND');
  } finally {
    repo.cleanup();
  }
});

test('metrics file that does not parse names file and line; nothing recorded', () => {
  const repo = withDataset();
  try {
    repo.write('metrics.json', '{\n  "accuracy": 0.97,\n  "loss": oops\n}\n');
    const before = state(repo);
    const r = runJson(repo.dir, ['version', 'mnist', '--metrics-file', 'metrics.json']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'BAD_METRICS');
    assert.equal(r.error.data.file, 'metrics.json');
    assert.equal(r.error.data.line, 3);
    assert.equal(state(repo), before);
    repo.write('metrics.csv', 'accuracy,loss\n0.97,0.1\n0.5,0.2\n');
    const csv = runJson(repo.dir, ['version', 'mnist', '--metrics-file', 'metrics.csv']);
    assert.equal(csv.error.code, 'BAD_METRICS');
    assert.equal(csv.error.data.line, 3);
  } finally {
    repo.cleanup();
  }
});

test('identical bytes version names the existing version', () => {
  const repo = withDataset();
  try {
    assert.equal(runJson(repo.dir, ['version', 'mnist']).code, 0);
    const before = state(repo);
    const r = runJson(repo.dir, ['version', 'mnist']);
    assert.equal(r.code, 1);
    assert.equal(r.error.code, 'VERSION_EXISTS');
    assert.equal(r.error.data.identicalTo, 'mnist@v1.0.0');
    assert.equal(state(repo), before);
    const forced = runJson(repo.dir, ['version', 'mnist', '--allow-identical']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.result.tag, 'mnist@v2.0.0');
  } finally {
    repo.cleanup();
  }
});

test('hand-garbled entity file: version and checkout name file and line', () => {
  const repo = withDataset();
  try {
    assert.equal(runJson(repo.dir, ['version', 'mnist']).code, 0);
    writeFileSync(join(repo.dir, '.trove/registry/entities/mnist.yaml'), 'trove-entity: 1\nname: mnist\ntype: dataset\ncategories: [handwritten, digits\nmutability: strict\n');
    const before = state(repo);
    for (const args of [['version', 'mnist', '--allow-identical'], ['checkout', 'mnist@v1.0.0']]) {
      const r = runJson(repo.dir, args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.error.code, 'BAD_RECORD', args.join(' '));
      assert.equal(r.error.data.file, '.trove/registry/entities/mnist.yaml');
      assert.equal(typeof r.error.data.line, 'number');
    }
    assert.equal(state(repo), before);
    writeFileSync(join(repo.dir, '.trove/registry/entities/mnist.yaml'), 'trove-entity: 1\nname: mnist\ntype: dataset\nmutability: sometimes\n');
    assert.equal(runJson(repo.dir, ['checkout', 'mnist@v1.0.0']).error.data.line, 4);
  } finally {
    repo.cleanup();
  }
});

for (const [what, path] of [['dotdot', '../x'], ['.git', '.git/hooks'], ['.trove', '.trove/cache'], ['absolute', '/tmp/x']] as const) {
  test(`hostile entity path ${what} is UNSAFE_PATH before any write`, () => {
    const repo = createTmpRepo();
    try {
      repo.write('.trove/registry/entities/evil.yaml', `trove-entity: 1\nname: evil\ntype: dataset\npath: ${JSON.stringify(path)}\nmutability: mutable\n`);
      const hooks = readdirSync(join(repo.dir, '.git/hooks')).sort();
      for (const args of [['version', 'evil'], ['checkout', 'evil']]) {
        const r = runJson(repo.dir, args);
        assert.equal(r.error?.code, 'UNSAFE_PATH', `${args.join(' ')}: ${r.stderr}`);
      }
      assert.deepEqual(readdirSync(join(repo.dir, '.git/hooks')).sort(), hooks);
      assert.equal(existsSync(join(repo.dir, '..', 'x.trove')), false);
      assert.equal(repo.git('tag', '-l'), '');
    } finally {
      repo.cleanup();
    }
  });
}

test('hostile entity path through a symlinked parent is UNSAFE_PATH before any write', () => {
  const repo = createTmpRepo();
  const outside = mkdtempSync(join(tmpdir(), 'trove-outside-'));
  try {
    symlinkSync(outside, join(repo.dir, 'link'));
    mkdirSync(join(outside, 'data'));
    writeFileSync(join(outside, 'data', 'f.bin'), 'secret');
    repo.write('.trove/registry/entities/evil.yaml', 'trove-entity: 1\nname: evil\ntype: dataset\npath: link/data\nmutability: mutable\n');
    const r = runJson(repo.dir, ['version', 'evil']);
    assert.equal(r.error?.code, 'UNSAFE_PATH', r.stderr);
    assert.deepEqual(readdirSync(outside).sort(), ['data'], 'no pointer or .gitignore written through the link');
    const c = runJson(repo.dir, ['create', 'dataset', 'other', '--path', 'link/other']);
    assert.equal(c.error?.code, 'UNSAFE_PATH', c.stderr);
    assert.deepEqual(readdirSync(outside).sort(), ['data']);
    assert.equal(existsSync(join(repo.dir, '.trove/registry/entities/other.yaml')), false);
  } finally {
    repo.cleanup();
    rmSync(outside, { recursive: true, force: true });
  }
});

test('sampled checkout cannot become a version', () => {
  const repo = withDataset();
  try {
    assert.equal(runJson(repo.dir, ['version', 'mnist']).code, 0);
    writeFileSync(join(repo.dir, '.trove/tmp/samples.json'), JSON.stringify({ version: 1, entities: { mnist: { version: 'v1.0.0', sample: 'range:0:2:1', seed: '0', files: 2, path: DS } } }));
    rmSync(join(repo.dir, DS, 'img2.png'));
    const before = state(repo);
    const r = runJson(repo.dir, ['version', 'mnist']);
    assert.equal(r.error?.code, 'SAMPLED', r.stderr);
    assert.match(r.error.hint, /--full/);
    assert.equal(state(repo), before);
  } finally {
    repo.cleanup();
  }
});

test('flexible entity files are read-only after version; unlock makes one writable', () => {
  const repo = withDataset('flexible');
  try {
    const v = runJson(repo.dir, ['version', 'mnist']);
    assert.equal(v.result.readOnly, 3);
    for (let i = 0; i < 3; i++) assert.equal(statSync(join(repo.dir, DS, `img${i}.png`)).mode & 0o222, 0, `img${i} read-only`);
    const u = runJson(repo.dir, ['unlock', `${DS}/img1.png`]);
    assert.equal(u.code, 0, u.stderr);
    assert.deepEqual(u.result.unlocked, [`${DS}/img1.png`]);
    assert.notEqual(statSync(join(repo.dir, DS, 'img1.png')).mode & 0o200, 0);
    assert.equal(statSync(join(repo.dir, DS, 'img0.png')).mode & 0o222, 0, 'the others stay locked');
    writeFileSync(join(repo.dir, DS, 'img1.png'), 'edited\n');
    assert.equal(runJson(repo.dir, ['version', 'mnist']).result.version, 'v2.0.0', 'flexible may change files');
    const strict = withDataset('strict');
    try {
      assert.equal(runJson(strict.dir, ['version', 'mnist']).code, 0);
      assert.equal(runJson(strict.dir, ['unlock', `${DS}/img1.png`]).error.code, 'USAGE');
    } finally {
      strict.cleanup();
    }
  } finally {
    repo.cleanup();
  }
});

test('version during a merge is refused; nothing recorded', () => {
  const repo = withDataset();
  try {
    repo.write('notes.txt', 'base\n');
    repo.git('add', 'notes.txt');
    repo.git('commit', '-q', '-m', 'notes');
    repo.git('checkout', '-q', '-b', 'side');
    repo.write('notes.txt', 'side\n');
    repo.git('commit', '-q', '-am', 'side');
    repo.git('checkout', '-q', 'main');
    repo.write('notes.txt', 'main\n');
    repo.git('commit', '-q', '-am', 'main');
    try {
      repo.git('merge', '-q', 'side');
    } catch {
      /* the conflict is the point */
    }
    const head = repo.git('rev-parse', 'HEAD').trim();
    const r = runJson(repo.dir, ['version', 'mnist']);
    assert.equal(r.error?.code, 'USAGE', r.stderr);
    assert.equal(r.error.data.operation, 'merge');
    assert.equal(repo.git('rev-parse', 'HEAD').trim(), head);
    assert.equal(repo.git('tag', '-l'), '');
  } finally {
    repo.cleanup();
  }
});

test('a tag that cannot be made rolls the version commit back: no commit without its tag', () => {
  const repo = withDataset();
  try {
    const before = state(repo);
    // Git's own lock on the tag ref (another git process holds it) makes `git tag` fail after the commit was made.
    mkdirSync(join(repo.dir, '.git/refs/tags'), { recursive: true });
    writeFileSync(join(repo.dir, '.git/refs/tags/mnist@v1.0.0.lock'), '');
    const r = runJson(repo.dir, ['version', 'mnist']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(state(repo), before, 'HEAD, tags, index and pointer as before');
    assert.equal(existsSync(join(repo.dir, '.trove/registry/versions/mnist/v1.0.0.yaml')), false);
    rmSync(join(repo.dir, '.git/refs/tags/mnist@v1.0.0.lock'));
    assert.equal(runJson(repo.dir, ['version', 'mnist']).result.tag, 'mnist@v1.0.0', 'and it can be made once the lock is gone');
  } finally {
    repo.cleanup();
  }
});

test('strict entity in a clone without the previous listing: its pages are fetched, a changed file is still refused', () => {
  const team = createTeam();
  try {
    const a = team.clone('a');
    assert.equal(a.trove('init').code, 0);
    assert.equal(a.trove('remote', 'add', '-d', 'store', join(team.base, 'store')).code, 0);
    assert.equal(a.trove('create', 'dataset', 'mnist', '--path', 'mnist').code, 0);
    a.git('commit', '-q', '-m', 'declare');
    for (let i = 0; i < 3; i++) a.write(`mnist/${i}.png`, `digit ${i}`);
    assert.equal(a.trove('version', 'mnist').code, 0);
    assert.equal(a.trove('push').code, 0);
    a.git('push', '-q', 'origin', 'main');
    // b regenerates the data instead of pulling it: the store has no listing of v1.
    const b = team.clone('b');
    for (let i = 0; i < 3; i++) b.write(`mnist/${i}.png`, i === 1 ? 'regenerated differently' : `digit ${i}`);
    const refused = b.trove('version', 'mnist');
    assert.equal(refused.error?.code, 'MUTABILITY', refused.stderr);
    assert.deepEqual(refused.error.data.files, [{ path: 'mnist/1.png', change: 'changed' }]);
    b.write('mnist/1.png', 'digit 1');
    b.write('mnist/3.png', 'digit 3');
    const v2 = b.trove('version', 'mnist');
    assert.equal(v2.code, 0, v2.stderr);
    assert.equal(v2.result.version, 'v2.0.0');
  } finally {
    team.cleanup();
  }
});

test('asset types beyond dataset/labels/model: a type declared in registry.types is accepted, an undeclared one is refused naming the declared types', () => {
  const repo = createTmpRepo();
  try {
    const undeclared = runJson(repo.dir, ['create', 'environment', 'cuda12']);
    assert.equal(undeclared.code, 2);
    assert.equal(undeclared.error.code, 'USAGE');
    assert.deepEqual(undeclared.error.data.types, ['dataset', 'labels', 'model']);
    assert.equal(existsSync(join(repo.dir, '.trove/registry/entities/cuda12.yaml')), false, 'nothing declared');
    repo.write('.trove/config.yaml', `${readFileSync(join(repo.dir, '.trove/config.yaml'), 'utf8')}registry:\n  types: [environment, endpoint]\n`);
    const created = runJson(repo.dir, ['create', 'environment', 'cuda12']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.result.entity.path, 'environment/cuda12', "ml-git's layout: TYPE/NAME");
    repo.write('environment/cuda12/requirements.txt', 'torch==2.3\n');
    const v = runJson(repo.dir, ['version', 'cuda12']);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.result.tag, 'cuda12@v1.0.0');
    assert.equal(v.result.type, 'environment');
  } finally {
    repo.cleanup();
  }
});
