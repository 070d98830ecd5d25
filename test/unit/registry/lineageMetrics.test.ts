/**
 * lineage and metrics over hand-built registry snapshots (no Git): what the
 * api adds on top of core/lineageGraph and core/metricsTable — resolution,
 * related dataset/labels by type, several entities, --diff — and the export
 * writer's refusals on a real file system.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityRecord, RegisteredVersion, RegistryEntity, RegistrySnapshot } from '../../../src/core/registryTypes.js';
import type { ManifestEntry } from '../../../src/core/manifest.js';
import { createOid, formatOid } from '../../../src/core/oid.js';
import { lineageOf } from '../../../src/api/lineage.js';
import { metricsOf, serializeMetrics } from '../../../src/api/metrics.js';
import { writeExport } from '../../../src/api/writeExport.js';
import { versionDataDiff } from '../../../src/api/versionDataDiff.js';
import { ObjectStore } from '../../../src/store/ObjectStore.js';
import { writeManifest } from '../../../src/store/manifestIO.js';

const T0 = Date.UTC(2021, 2, 25, 14, 52, 42) / 1000;

function entity(name: string, type: string, versions: Partial<RegisteredVersion>[]): RegistryEntity {
  const record: EntityRecord = { format: 1, name, type, categories: ['handwritten', 'digits'], path: `${type}/handwritten/digits/${name}`, mutability: 'strict', description: '' };
  return {
    record,
    file: `.trove/registry/entities/${name}.yaml`,
    deprecated: false,
    stages: {},
    versions: versions.map((v, i) => ({
      format: 1,
      entity: name,
      type,
      version: v.version ?? `v${i + 1}.0.0`,
      path: record.path,
      dataOid: v.dataOid ?? `sha256:${String(i + 1).repeat(64).slice(0, 64)}`,
      dataKind: v.dataKind ?? 'dir',
      dataSize: v.dataSize ?? 100 * (i + 1),
      dataFiles: v.dataFiles ?? 10 * (i + 1),
      uses: v.uses ?? [],
      metrics: v.metrics ?? {},
      tag: `${name}@${v.version ?? `v${i + 1}.0.0`}`,
      commit: 'c'.repeat(40),
      time: v.time ?? T0 + i * 190,
      author: 'Ann <ann@example.com>',
      deprecated: false,
    })),
  };
}

/** Seed 002's registry: mnist v1, v2; labelsmnist v1 (from mnist v1), v2 (from mnist v2); modelmnist v1, v2; plus an unrelated model. */
function snapshot002(): RegistrySnapshot {
  const entities = [
    entity('mnist', 'dataset', [{}, {}]),
    entity('labelsmnist', 'labels', [{ uses: ['mnist@v1.0.0'] }, { uses: ['mnist@v2.0.0'] }]),
    entity('modelmnist', 'model', [
      { uses: ['labelsmnist@v1.0.0', 'mnist@v1.0.0'], metrics: { accuracy: 0.9705 } },
      { uses: ['labelsmnist@v2.0.0', 'mnist@v2.0.0'], metrics: { accuracy: 0.9746, loss: 0.081 } },
    ]),
    entity('modelfashion', 'model', [{ uses: ['mnist@v2.0.0'], metrics: { f1: 0.5, accuracy: 0.88 } }]),
  ];
  return { commit: null, entities: new Map(entities.map((e) => [e.record.name, e])), warnings: [] };
}

test('lineage downstream of mnist v1 lists labelsmnist v1 and modelmnist v1, nearest first, not v2', () => {
  const r = lineageOf(snapshot002(), { ref: 'mnist@v1.0.0', direction: 'down' });
  assert.equal(r.root.tag, 'mnist@v1.0.0');
  assert.equal(r.root.type, 'dataset');
  assert.deepEqual(r.upstream, []);
  assert.deepEqual(r.downstream.map((n) => [n.tag, n.type, n.depth]), [
    ['labelsmnist@v1.0.0', 'labels', 1],
    ['modelmnist@v1.0.0', 'model', 1],
  ]);
  assert.ok(r.edges.some(([from, to]) => from === 'mnist@v1.0.0' && to === 'modelmnist@v1.0.0'), 'edges run from what was used to what was made');
  assert.equal(r.dot, undefined, 'DOT only when asked');
});

test('lineage upstream by ml-git alias, with a depth limit and DOT', () => {
  const all = lineageOf(snapshot002(), { ref: 'handwritten__digits__modelmnist__2', direction: 'up', dot: true });
  assert.equal(all.root.tag, 'modelmnist@v2.0.0');
  assert.deepEqual(all.upstream.map((n) => n.tag).sort(), ['labelsmnist@v2.0.0', 'mnist@v2.0.0']);
  assert.match(all.dot ?? '', /^digraph\b[\s\S]*"mnist@v2\.0\.0"\s*->\s*"modelmnist@v2\.0\.0"[\s\S]*\}\s*$/);
  const dataset = lineageOf(snapshot002(), { ref: 'mnist@v2.0.0', direction: 'down', depth: 1 });
  assert.deepEqual(dataset.downstream.map((n) => n.tag), ['labelsmnist@v2.0.0', 'modelfashion@v1.0.0', 'modelmnist@v2.0.0']);
});

test('lineage --type model keeps only models, still walking through labels', () => {
  const r = lineageOf(snapshot002(), { ref: 'mnist@v1.0.0', direction: 'down', type: 'model' });
  assert.deepEqual(r.downstream.map((n) => n.tag), ['modelmnist@v1.0.0']);
  assert.equal(r.type, 'model');
  assert.ok(r.edges.some(([from]) => from === 'labelsmnist@v1.0.0'), 'the edges keep the whole graph');
  const none = lineageOf(snapshot002(), { ref: 'modelmnist@v2.0.0', direction: 'up', type: 'model' });
  assert.deepEqual(none.upstream, []);
});

test('lineage reference to a version that does not exist is NOT_FOUND', () => {
  assert.throws(() => lineageOf(snapshot002(), { ref: 'mnist@v9.0.0' }), (e: any) => e.code === 'NOT_FOUND');
  assert.throws(() => lineageOf(snapshot002(), { ref: 'nosuch@v1.0.0' }), (e: any) => e.code === 'NOT_FOUND');
});

test('lineage depth 0 or a fraction is a USAGE error', () => {
  assert.throws(() => lineageOf(snapshot002(), { ref: 'mnist@v1.0.0', depth: 0 }), (e: any) => e.code === 'USAGE' && e.data.depth === 0);
  assert.throws(() => lineageOf(snapshot002(), { ref: 'mnist@v1.0.0', depth: 1.5 }), (e: any) => e.code === 'USAGE');
  assert.throws(() => lineageOf(snapshot002(), { ref: 'mnist@v1.0.0', direction: 'sideways' as 'up' }), (e: any) => e.code === 'USAGE');
});

test('metrics of modelmnist is the two-row table of 002, related dataset and labels taken from uses by type', () => {
  const r = metricsOf(snapshot002(), { entities: ['modelmnist'], names: 'mlgit' });
  assert.deepEqual(r.columns, ['Date', 'Tag', 'Related dataset - (version)', 'Related labels - (version)', 'accuracy', 'loss']);
  assert.deepEqual(r.rows, [
    ['2021-03-25 14:52:42', 'handwritten__digits__modelmnist__1', 'mnist - (1)', 'labelsmnist - (1)', 0.9705, null],
    ['2021-03-25 14:55:52', 'handwritten__digits__modelmnist__2', 'mnist - (2)', 'labelsmnist - (2)', 0.9746, 0.081],
  ]);
  assert.equal(r.format, 'text');
});

test('metrics of several entities at once: one row per version, one column per metric of any of them', () => {
  const r = metricsOf(snapshot002(), { entities: ['modelmnist', 'modelfashion'] });
  assert.deepEqual(r.columns.slice(4), ['accuracy', 'f1', 'loss']);
  assert.deepEqual(
    r.rows.map((row) => row[1]),
    ['modelfashion@v1.0.0', 'modelmnist@v1.0.0', 'modelmnist@v2.0.0'],
    'by entity name, then SemVer',
  );
  const fashion = r.rows[0]!;
  assert.deepEqual(fashion.slice(2), ['mnist - (v2.0.0)', null, 0.88, 0.5, null], 'no labels used: an empty cell');
});

test('metrics of one version by reference gives one row; an unknown entity is NOT_FOUND', () => {
  assert.deepEqual(metricsOf(snapshot002(), { entities: ['modelmnist@v2.0.0'] }).rows.map((r) => r[1]), ['modelmnist@v2.0.0']);
  assert.throws(() => metricsOf(snapshot002(), { entities: ['nosuch'] }), (e: any) => e.code === 'NOT_FOUND' && e.data.ref === 'nosuch');
  assert.throws(() => metricsOf(snapshot002(), { entities: [] }), (e: any) => e.code === 'USAGE');
});

test('metrics with an unknown format or naming is a USAGE error', () => {
  assert.throws(() => metricsOf(snapshot002(), { entities: ['modelmnist'], format: 'xlsx' as 'csv' }), (e: any) => e.code === 'USAGE' && e.data.format === 'xlsx');
  assert.throws(() => metricsOf(snapshot002(), { entities: ['modelmnist'], names: 'dvc' as 'gto' }), (e: any) => e.code === 'USAGE');
});

test('metrics --diff: deltas side by side, lineage changes, data totals when the store is absent', () => {
  const r = metricsOf(snapshot002(), { entities: ['modelmnist'], diff: ['v1.0.0', '2'] });
  const d = r.diff!;
  assert.equal(d.a.tag, 'modelmnist@v1.0.0');
  assert.equal(d.b.tag, 'modelmnist@v2.0.0');
  assert.deepEqual(d.metrics, [
    { key: 'accuracy', a: 0.9705, b: 0.9746, delta: 0.0041 },
    { key: 'loss', a: null, b: 0.081, delta: null },
  ]);
  assert.deepEqual(d.lineage, [
    { entity: 'labelsmnist', type: 'labels', a: 'v1.0.0', b: 'v2.0.0', same: false },
    { entity: 'mnist', type: 'dataset', a: 'v1.0.0', b: 'v2.0.0', same: false },
  ]);
  assert.equal(d.data.available, false);
  assert.equal(d.data.sizeDelta, 100);
  assert.deepEqual(r.columns, ['Metric', 'modelmnist@v1.0.0', 'modelmnist@v2.0.0', 'Delta']);
  assert.deepEqual(r.rows[0], ['accuracy', 0.9705, 0.9746, 0.0041]);
  const ml = metricsOf(snapshot002(), { entities: [], diff: ['modelmnist@v1.0.0', 'handwritten__digits__modelmnist__2'], names: 'mlgit' });
  assert.deepEqual(ml.columns, ['Metric', 'handwritten__digits__modelmnist__1', 'handwritten__digits__modelmnist__2', 'Delta']);
});

test('metrics --diff with bare versions and no single entity is a USAGE error; three versions too', () => {
  assert.throws(() => metricsOf(snapshot002(), { entities: ['modelmnist', 'mnist'], diff: ['v1.0.0', 'v2.0.0'] }), (e: any) => e.code === 'USAGE' && e.data.ref === 'v1.0.0');
  assert.throws(() => metricsOf(snapshot002(), { entities: ['modelmnist'], diff: ['v1.0.0', 'v2.0.0', 'v3.0.0'] }), (e: any) => e.code === 'USAGE');
  assert.throws(() => metricsOf(snapshot002(), { entities: ['modelmnist'], diff: ['v1.0.0', 'v7.0.0'] }), (e: any) => e.code === 'NOT_FOUND');
});

test('serializeMetrics: csv quotes cells with commas, md has a header rule, text aligns numbers right', () => {
  const table = { columns: ['Tag', 'note', 'accuracy'], rows: [['m@v1.0.0', 'a, b', 0.9], ['m@v10.0.0', null, 0.95]] };
  assert.equal(serializeMetrics(table, 'csv'), 'Tag,note,accuracy\r\nm@v1.0.0,"a, b",0.9\r\nm@v10.0.0,,0.95\r\n', 'CRLF, as ml-git (Python csv) writes it');
  const md = serializeMetrics(table, 'md').split('\n');
  assert.equal(md[0], '| Tag | note | accuracy |');
  assert.match(md[1]!, /^\|(\s*:?-+:?\s*\|){3}$/);
  assert.deepEqual(JSON.parse(serializeMetrics(table, 'json')), [
    { Tag: 'm@v1.0.0', note: 'a, b', accuracy: 0.9 },
    { Tag: 'm@v10.0.0', note: null, accuracy: 0.95 },
  ]);
  assert.equal(serializeMetrics(table, 'text'), ['Tag        note  accuracy', 'm@v1.0.0   a, b       0.9', 'm@v10.0.0            0.95', ''].join('\n'));
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'trove-unit-'));
}

test('metrics -o writes atomically relative to the cwd, creating parents, and replaces an existing file', async () => {
  const root = tmp();
  try {
    mkdirSync(join(root, 'sub'));
    const w = await writeExport({ root, cwd: join(root, 'sub') }, 'out/m.csv', 'a,b\n');
    assert.equal(w.absolute, join(root, 'sub/out/m.csv'));
    assert.equal(w.bytes, 4);
    await writeExport({ root, cwd: join(root, 'sub') }, 'out/m.csv', 'c\n');
    assert.equal(readFileSync(join(root, 'sub/out/m.csv'), 'utf8'), 'c\n');
    const outside = tmp();
    try {
      await writeExport({ root, cwd: root }, join(outside, 'x.csv'), 'x\n');
      assert.equal(readFileSync(join(outside, 'x.csv'), 'utf8'), 'x\n', 'outside the repository is allowed: the user named it');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('metrics -o refuses a path inside .git or .trove, also through a symlinked parent', async () => {
  const root = tmp();
  try {
    mkdirSync(join(root, '.git/hooks'), { recursive: true });
    mkdirSync(join(root, '.trove'));
    for (const bad of ['.git/hooks/pre-commit', '.trove/config.yaml', 'x/../.git/config', '.GIT/config']) {
      await assert.rejects(writeExport({ root, cwd: root }, bad, 'x'), (e: any) => e.code === 'UNSAFE_PATH', bad);
    }
    symlinkSync('.git/hooks', join(root, 'hooks'));
    await assert.rejects(writeExport({ root, cwd: root }, 'hooks/post-checkout', 'x'), (e: any) => e.code === 'UNSAFE_PATH' && e.data.reserved === '.git');
    assert.equal(existsSync(join(root, '.git/hooks/post-checkout')), false, 'nothing written');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('metrics -o refuses a symlink or a directory at the target', async () => {
  const root = tmp();
  try {
    writeFileSync(join(root, 'real.csv'), 'old\n');
    symlinkSync('real.csv', join(root, 'link.csv'));
    await assert.rejects(writeExport({ root, cwd: root }, 'link.csv', 'new\n'), (e: any) => e.code === 'USAGE' && e.data.path === 'link.csv');
    assert.ok(lstatSync(join(root, 'link.csv')).isSymbolicLink(), 'the link is left alone');
    assert.equal(readFileSync(join(root, 'real.csv'), 'utf8'), 'old\n');
    mkdirSync(join(root, 'dir'));
    await assert.rejects(writeExport({ root, cwd: root }, 'dir', 'x'), (e: any) => e.code === 'USAGE');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('versionDataDiff counts files and bytes added, removed and modified from the store; absent manifests give totals only', () => {
  const dir = tmp();
  try {
    const store = new ObjectStore(join(dir, 'store'), { fsync: false });
    const o = (n: number) => createOid('sha256', n.toString(16).padStart(64, '0'));
    const v1: ManifestEntry[] = [
      { path: 'a.pgm', mode: 'f', size: 10, oid: o(1) },
      { path: 'b.pgm', mode: 'f', size: 20, oid: o(2) },
      { path: 'c.pgm', mode: 'f', size: 30, oid: o(3) },
    ];
    const v2: ManifestEntry[] = [
      { path: 'a.pgm', mode: 'f', size: 10, oid: o(1) },
      { path: 'b.pgm', mode: 'f', size: 25, oid: o(4) },
      { path: 'd.pgm', mode: 'f', size: 40, oid: o(5) },
      { path: 'e.pgm', mode: 'f', size: 50, oid: o(6) },
    ];
    const side = (root: ReturnType<typeof o>, size: number, files: number, version: string) => ({ dataOid: formatOid(root), dataKind: 'dir' as const, dataSize: size, dataFiles: files, entity: 'mnist', version });
    const a = side(writeManifest(store, v1).root, 60, 3, 'v1.0.0');
    const b = side(writeManifest(store, v2).root, 125, 4, 'v2.0.0');
    const d = versionDataDiff(store, a, b);
    assert.equal(d.available, true);
    assert.deepEqual([d.added, d.removed, d.modified, d.bytesAdded, d.bytesRemoved, d.bytesModified, d.sizeDelta, d.filesDelta], [2, 1, 1, 90, 30, 25, 65, 1]);
    assert.deepEqual(d.files.map((f) => `${f.change} ${f.path}`), ['modified b.pgm', 'removed c.pgm', 'added d.pgm', 'added e.pgm']);
    const gone = versionDataDiff(store, a, { ...b, dataOid: formatOid(o(77)) });
    assert.equal(gone.available, false);
    assert.match(gone.reason ?? '', /not in the local store/);
    assert.equal(gone.sizeDelta, 65);
    assert.equal(versionDataDiff(store, a, a).added, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
