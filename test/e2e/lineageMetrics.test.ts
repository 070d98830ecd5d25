/**
 * trove lineage and trove metrics through the CLI, on registries written
 * straight into Git (test/helpers/registryFastImport.ts): large tables, several
 * entities, --diff, --dot, and the bad-input cases (each named after the
 * failure). The 002 flow itself, through create/version/checkout, is
 * registryFlow.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';
import { writeRegistryFixture, type FixtureEntity } from '../helpers/registryFastImport.js';

const T0 = Date.UTC(2021, 2, 25, 14, 52, 42) / 1000;

function repo002(): TmpRepo {
  const repo = createTmpRepo();
  const entities: FixtureEntity[] = [
    { name: 'mnist', type: 'dataset', versions: [{ version: 'v1.0.0', time: T0 }, { version: 'v2.0.0', time: T0 + 100, dataSize: 3000, dataFiles: 30 }] },
    { name: 'labelsmnist', type: 'labels', versions: [{ version: 'v1.0.0', time: T0 + 10, uses: ['mnist@v1.0.0'] }, { version: 'v2.0.0', time: T0 + 110, uses: ['mnist@v2.0.0'] }] },
    {
      name: 'modelmnist',
      type: 'model',
      versions: [
        { version: 'v1.0.0', time: T0, uses: ['mnist@v1.0.0', 'labelsmnist@v1.0.0'], metrics: { accuracy: 0.9705 }, dataOid: `sha256:${'a'.repeat(64)}` },
        { version: 'v2.0.0', time: T0 + 190, uses: ['mnist@v2.0.0', 'labelsmnist@v2.0.0'], metrics: { accuracy: 0.9746 }, dataOid: `sha256:${'b'.repeat(64)}` },
      ],
    },
    { name: 'modelfashion', type: 'model', categories: ['clothes'], versions: [{ version: 'v1.0.0', time: T0 + 200, uses: ['mnist@v2.0.0'], metrics: { accuracy: 0.88, f1: 0.5 } }] },
  ];
  writeRegistryFixture(repo, entities);
  return repo;
}

test('metrics NAME prints the aligned table; --format json gives one object per row; --json gives {columns, rows}', () => {
  const repo = repo002();
  try {
    const r = runCli(repo.dir, ['metrics', 'modelmnist']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^Date\s+Tag\s+Related dataset - \(version\)\s+Related labels - \(version\)\s+accuracy$/);
    assert.match(lines[1]!, /^2021-03-25 14:52:42\s+modelmnist@v1\.0\.0\s+mnist - \(v1\.0\.0\)\s+labelsmnist - \(v1\.0\.0\)\s+0\.9705$/);
    assert.equal(lines[1]!.length, lines[2]!.length, 'columns line up');
    const asJson = runCli(repo.dir, ['metrics', 'modelmnist', '--format', 'json']);
    assert.deepEqual(JSON.parse(asJson.stdout)[1], { Date: '2021-03-25 14:55:52', Tag: 'modelmnist@v2.0.0', 'Related dataset - (version)': 'mnist - (v2.0.0)', 'Related labels - (version)': 'labelsmnist - (v2.0.0)', accuracy: 0.9746 });
    const j = runJson(repo.dir, ['metrics', 'modelmnist']);
    assert.deepEqual(j.result.rows.map((row: unknown[]) => row.slice(1)), [
      ['modelmnist@v1.0.0', 'mnist - (v1.0.0)', 'labelsmnist - (v1.0.0)', 0.9705],
      ['modelmnist@v2.0.0', 'mnist - (v2.0.0)', 'labelsmnist - (v2.0.0)', 0.9746],
    ]);
  } finally {
    repo.cleanup();
  }
});

test('metrics of several entities at once: one table, the union of their metrics', () => {
  const repo = repo002();
  try {
    const j = runJson(repo.dir, ['metrics', 'modelmnist', 'modelfashion', '--names', 'mlgit']);
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(j.result.columns.slice(4), ['accuracy', 'f1']);
    assert.deepEqual(j.result.rows.map((row: unknown[]) => row[1]), ['clothes__modelfashion__1', 'handwritten__digits__modelmnist__1', 'handwritten__digits__modelmnist__2']);
    assert.deepEqual(j.result.rows[0].slice(2), ['mnist - (2)', null, 0.88, 0.5]);
  } finally {
    repo.cleanup();
  }
});

test('metrics --diff A B shows the delta and the lineage that changed', () => {
  const repo = repo002();
  try {
    const r = runCli(repo.dir, ['metrics', 'modelmnist', '--diff', 'v1.0.0', 'v2.0.0']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^modelmnist@v1\.0\.0 → modelmnist@v2\.0\.0$/m);
    assert.match(r.stdout, /^accuracy\s+0\.9705\s+0\.9746\s+0\.0041$/m);
    assert.match(r.stdout, /^ {2}mnist \(dataset\): v1\.0\.0 → v2\.0\.0$/m);
    assert.match(r.stdout, /files not compared/, 'the fixture has no data in the store: totals only, with the reason');
    const j = runJson(repo.dir, ['metrics', '--diff', 'modelmnist@v1.0.0', 'handwritten__digits__modelmnist__2']);
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(j.result.diff.metrics, [{ key: 'accuracy', a: 0.9705, b: 0.9746, delta: 0.0041 }]);
    assert.equal(j.result.diff.data.available, false);
    // Values after the first two are entity names: `--diff A B NAME` reads like `NAME --diff A B`.
    const k = runJson(repo.dir, ['metrics', '--diff', 'v1', 'v2', 'modelmnist']);
    assert.equal(k.code, 0, k.stderr);
    assert.equal(k.result.diff.b.tag, 'modelmnist@v2.0.0');
  } finally {
    repo.cleanup();
  }
});

test('metrics --diff with one version is refused', () => {
  const repo = repo002();
  try {
    const j = runJson(repo.dir, ['metrics', 'modelmnist', '--diff', 'v1.0.0']);
    assert.equal(j.code, 2);
    assert.equal(j.error.code, 'USAGE');
  } finally {
    repo.cleanup();
  }
});

test('metrics -o inside .git is refused and writes nothing', () => {
  const repo = repo002();
  try {
    for (const target of ['.git/metrics.csv', '.trove/metrics.csv']) {
      const j = runJson(repo.dir, ['metrics', 'modelmnist', '--format', 'csv', '-o', target]);
      assert.equal(j.error?.code, 'UNSAFE_PATH', target);
      assert.notEqual(j.code, 0);
      assert.equal(existsSync(join(repo.dir, target)), false);
    }
    mkdirSync(join(repo.dir, 'sub'));
    const up = runJson(repo.dir, ['-C', 'sub', 'metrics', 'modelmnist', '-o', '../.git/hooks/pre-commit']);
    assert.equal(up.error?.code, 'UNSAFE_PATH', 'relative to the cwd, and still inside .git');
    assert.equal(existsSync(join(repo.dir, '.git/hooks/pre-commit')), false);
  } finally {
    repo.cleanup();
  }
});

test('metrics -o through a symlinked parent into .git is refused; a symlink at the target is refused', () => {
  const repo = repo002();
  try {
    symlinkSync('.git', join(repo.dir, 'exports'));
    const j = runJson(repo.dir, ['metrics', 'modelmnist', '-o', 'exports/m.csv']);
    assert.equal(j.error?.code, 'UNSAFE_PATH');
    assert.equal(existsSync(join(repo.dir, '.git/m.csv')), false);
    repo.write('real.csv', 'mine\n');
    symlinkSync('real.csv', join(repo.dir, 'link.csv'));
    const k = runJson(repo.dir, ['metrics', 'modelmnist', '-o', 'link.csv']);
    assert.equal(k.error?.code, 'USAGE');
    assert.equal(readFileSync(join(repo.dir, 'real.csv'), 'utf8'), 'mine\n');
  } finally {
    repo.cleanup();
  }
});

test('metrics -o writes the csv relative to the cwd and says so', () => {
  const repo = repo002();
  try {
    mkdirSync(join(repo.dir, 'reports'));
    const r = runCli(repo.dir, ['-C', 'reports', 'metrics', 'modelmnist', '-o', 'm.csv']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '', 'the table goes to the file, not stdout');
    assert.match(r.stderr, /m\.csv/);
    const text = readFileSync(join(repo.dir, 'reports/m.csv'), 'utf8');
    assert.equal(text.split('\r\n')[0], 'Date,Tag,Related dataset - (version),Related labels - (version),accuracy', 'CRLF lines, as ml-git writes its csv');
    assert.equal(text.trimEnd().split('\r\n').length, 3);
  } finally {
    repo.cleanup();
  }
});

test('metrics of an entity that does not exist is NOT_FOUND', () => {
  const repo = repo002();
  try {
    const j = runJson(repo.dir, ['metrics', 'nosuch']);
    assert.equal(j.code, 1);
    assert.equal(j.error.code, 'NOT_FOUND');
  } finally {
    repo.cleanup();
  }
});

test('lineage reference to a version that does not exist is NOT_FOUND with a hint', () => {
  const repo = repo002();
  try {
    const j = runJson(repo.dir, ['lineage', 'mnist@v9.0.0']);
    assert.equal(j.code, 1);
    assert.equal(j.error.code, 'NOT_FOUND');
    assert.ok(j.error.hint, 'a hint names the next command');
  } finally {
    repo.cleanup();
  }
});

test('lineage --depth 1 stops after one step; the text tree shows the graph under the root', () => {
  const repo = repo002();
  try {
    const all = runJson(repo.dir, ['lineage', 'mnist@v2.0.0', '--downstream']).result;
    assert.deepEqual(all.downstream.map((n: { tag: string }) => n.tag).sort(), ['labelsmnist@v2.0.0', 'modelfashion@v1.0.0', 'modelmnist@v2.0.0']);
    const up = runJson(repo.dir, ['lineage', 'modelmnist@v2.0.0', '--upstream', '--depth', '1']).result;
    assert.deepEqual(up.upstream.map((n: { tag: string; depth: number }) => `${n.tag}:${n.depth}`).sort(), ['labelsmnist@v2.0.0:1', 'mnist@v2.0.0:1']);
    const text = runCli(repo.dir, ['lineage', 'mnist@v2.0.0', '--downstream']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^mnist@v2\.0\.0 \(dataset\)$/m);
    assert.match(text.stdout, /^used by:$/m);
    assert.match(text.stdout, /^[├└]── modelfashion@v1\.0\.0 \(model\)$/m);
    assert.match(text.stdout, /^│ {3}└── modelmnist@v2\.0\.0 \(model\)$/m, 'modelmnist under labelsmnist');
    const bad = runJson(repo.dir, ['lineage', 'mnist@v2.0.0', '--depth', '0']);
    assert.equal(bad.code, 2, 'depth 0 is a usage error');
  } finally {
    repo.cleanup();
  }
});

test('metrics over 1,000 versions in one table (one registry load)', () => {
  const repo = createTmpRepo();
  try {
    const versions = Array.from({ length: 1000 }, (_, i) => ({ version: `v${i + 1}.0.0`, time: T0 + i * 60, uses: ['mnist@v1.0.0'], metrics: { accuracy: Math.round(900 + (i % 97)) / 1000, loss: i / 1000 } }));
    writeRegistryFixture(repo, [
      { name: 'mnist', type: 'dataset', versions: [{ version: 'v1.0.0', time: T0 - 60 }] },
      { name: 'modelmnist', type: 'model', versions },
    ]);
    const j = runJson(repo.dir, ['metrics', 'modelmnist']);
    assert.equal(j.code, 0, j.stderr);
    assert.equal(j.result.rows.length, 1000);
    assert.equal(j.result.rows[999][1], 'modelmnist@v1000.0.0', 'SemVer order, not string order');
    assert.equal(j.result.rows[9][1], 'modelmnist@v10.0.0');
    assert.equal(j.result.rows[0][2], 'mnist - (v1.0.0)');
  } finally {
    repo.cleanup();
  }
});

test('hand-garbled entity file: metrics and lineage name the file and line', () => {
  const repo = repo002();
  try {
    repo.write('.trove/registry/entities/mnist.yaml', 'trove-entity: 1\nname: mnist\ntype: [oops\n');
    for (const args of [['metrics', 'modelmnist'], ['lineage', 'modelmnist@v1.0.0']]) {
      const j = runJson(repo.dir, args);
      assert.equal(j.code, 1, args.join(' '));
      assert.equal(j.error.code, 'BAD_RECORD');
      assert.equal(j.error.data.file, '.trove/registry/entities/mnist.yaml');
      assert.equal(typeof j.error.data.line, 'number');
    }
  } finally {
    repo.cleanup();
  }
});

test('hand-garbled tag message: metrics warns naming the tag and shows the other versions', () => {
  const repo = repo002();
  try {
    repo.git('tag', '-a', '-m', 'Register modelmnist v3.0.0\n\nnot a record', 'modelmnist@v3.0.0');
    const r = runCli(repo.dir, ['metrics', 'modelmnist']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /modelmnist@v3\.0\.0/);
    assert.equal(r.stdout.trimEnd().split('\n').length, 3, 'header and the two readable versions');
    const j = runJson(repo.dir, ['metrics', 'modelmnist']);
    assert.ok(j.result.warnings.some((w: string) => w.includes('modelmnist@v3.0.0')));
    assert.equal(j.stderr, '', '--json keeps warnings in the result');
  } finally {
    repo.cleanup();
  }
});

test('lineage of a version whose dataset tag was deleted shows it as not registered', () => {
  const repo = repo002();
  try {
    repo.git('tag', '-d', 'mnist@v1.0.0');
    const r = runCli(repo.dir, ['lineage', 'modelmnist@v1.0.0', '--upstream']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /mnist@v1\.0\.0 \(not registered\)/);
    const j = runJson(repo.dir, ['lineage', 'modelmnist@v1.0.0', '--upstream']).result;
    const gone = j.upstream.find((n: { tag: string }) => n.tag === 'mnist@v1.0.0');
    assert.equal(gone.missing, true);
    assert.equal(gone.type, null);
  } finally {
    repo.cleanup();
  }
});

test('metrics and lineage --rev read the declarations as of that revision', () => {
  const repo = repo002();
  try {
    writeRegistryFixture(repo, [{ name: 'modelnew', type: 'model', versions: [{ version: 'v1.0.0', time: T0 + 500, uses: ['mnist@v2.0.0'], metrics: { accuracy: 0.99 } }] }]);
    assert.equal(runJson(repo.dir, ['metrics', 'modelnew']).result.rows.length, 1);
    const old = runJson(repo.dir, ['metrics', 'modelnew', '--rev', 'HEAD~1']);
    assert.equal(old.error?.code, 'NOT_FOUND', 'not declared at HEAD~1');
    const down = runJson(repo.dir, ['lineage', 'mnist@v2.0.0', '--downstream', '--rev', 'HEAD~1']).result;
    assert.ok(!down.downstream.some((n: { tag: string }) => n.tag === 'modelnew@v1.0.0'));
    const now = runJson(repo.dir, ['lineage', 'mnist@v2.0.0', '--downstream']).result;
    assert.ok(now.downstream.some((n: { tag: string }) => n.tag === 'modelnew@v1.0.0'));
  } finally {
    repo.cleanup();
  }
});
