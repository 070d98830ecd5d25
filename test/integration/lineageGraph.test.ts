import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lineageGraph, openRepo, registryEntity, type LineageGraphResult } from '../../src/index.js';
import { formatRunNote } from '../../src/core/versionRunNote.js';
import { at, buildMnist, git, makeVersion, tag, T } from '../helpers/registryFixture.js';
import { hexId, writeRuns } from '../helpers/experimentFixture.js';
import { createTmpRepo, type TmpRepo } from '../helpers/tmpRepo.js';

/**
 * lineageGraph() on registries written straight into Git (registryFixture,
 * experimentFixture): the cases the CLI-built world of the UI tests does not
 * reach: versions with no run, a `uses` of a version not registered here, a
 * version naming a run this clone does not have, a deprecated version, runs
 * that touch nothing registered, and an empty repository.
 */
describe('lineageGraph', () => {
  let repo: TmpRepo;
  let g: LineageGraphResult;
  const runRead = hexId();
  const runUnrelated = hexId();
  const runGone = hexId();
  const edge = (r: LineageGraphResult, from: string, to: string): string | undefined => r.edges.find((e) => e.from === from && e.to === to)?.kind;
  before(async () => {
    repo = createTmpRepo();
    const paths = buildMnist(repo.dir, 'git');
    const oidOf = (t: string): string => /^data-oid: (.*)$/m.exec(git(repo.dir, ['tag', '-l', '--format=%(contents)', t]))![1]!;
    // v3 of the model: made from a version that is not registered here, by a run this clone lacks.
    const message = makeVersion(repo.dir, { name: 'modelmnist', type: 'model', path: paths.model, version: 'v3.0.0', files: { 'model.bin': 'weights-v3' }, uses: ['ghost@v1.0.0', 'mnist@v2.0.0'] }, at(T.v2));
    git(repo.dir, ['tag', '-d', 'modelmnist@v3.0.0']);
    tag(repo.dir, 'modelmnist@v3.0.0', `${message}\n${formatRunNote({ experiment: runGone, checkpoint: hexId(), step: 7 })}\n`, at(T.v2));
    tag(repo.dir, 'modelmnist@v1.0.0!#1', 'Deprecate modelmnist v1.0.0\n', at(T.v2), 'modelmnist@v1.0.0^{commit}');
    writeRuns(repo.dir, [
      { id: runRead, data: [{ path: paths.dataset, kind: 'dir', oid: oidOf('mnist@v1.0.0') }] },
      { id: runUnrelated, data: [{ path: 'scratch/notes.txt', kind: 'file', oid: `sha256:${'b'.repeat(64)}` }] },
    ]);
    g = await lineageGraph(await openRepo({ cwd: repo.dir }));
  });
  after(() => repo?.cleanup());

  test('with no run to explain them, a version\'s uses are its edges', () => {
    assert.equal(edge(g, 'v:mnist@v1.0.0', 'v:modelmnist@v1.0.0'), 'uses');
    assert.equal(edge(g, 'v:labelsmnist@v2.0.0', 'v:modelmnist@v2.0.0'), 'uses');
  });

  test('a run that read a version is joined to it even when it made nothing', () => {
    assert.equal(edge(g, 'v:mnist@v1.0.0', `run:${runRead}`), 'input');
    assert.equal(g.nodes.find((n) => n.id === `run:${runRead}`)?.missing, undefined);
  });

  test('a run that read nothing registered and made nothing is not in the graph, nor are its paths', () => {
    assert.ok(!g.nodes.some((n) => n.id === `run:${runUnrelated}`));
    assert.ok(!g.nodes.some((n) => n.kind === 'data'));
  });

  test('a used version not registered here and a run not in this clone are nodes marked missing', () => {
    const ghost = g.nodes.find((n) => n.id === 'v:ghost@v1.0.0')!;
    assert.deepEqual([ghost.kind, ghost.missing, ghost.entity, ghost.version], ['other', true, 'ghost', 'v1.0.0']);
    assert.equal(edge(g, 'v:ghost@v1.0.0', 'v:modelmnist@v3.0.0'), 'uses');
    const gone = g.nodes.find((n) => n.id === `run:${runGone}`)!;
    assert.equal(gone.missing, true);
    assert.equal(edge(g, `run:${runGone}`, 'v:modelmnist@v3.0.0'), 'produced');
    // The run is not here, so nothing says it read mnist v2: the uses edge stays.
    assert.equal(edge(g, 'v:mnist@v2.0.0', 'v:modelmnist@v3.0.0'), 'uses');
  });

  test('a deprecated version is flagged; no stage files: no stage nodes', () => {
    assert.equal(g.nodes.find((n) => n.id === 'v:modelmnist@v1.0.0')?.deprecated, true);
    assert.equal(g.nodes.find((n) => n.id === 'v:modelmnist@v2.0.0')?.deprecated, false);
    assert.ok(!g.nodes.some((n) => n.kind === 'stage'));
  });

  test('focus on a dataset version keeps what was made from it, not its sibling versions', async () => {
    const f = await lineageGraph(await openRepo({ cwd: repo.dir }), { focus: 'mnist@v1.0.0' });
    // (these labels were not versioned with --dataset: they are the model's sibling input, not mnist's descendant)
    assert.deepEqual(f.nodes.map((n) => n.id), [`run:${runRead}`, 'v:mnist@v1.0.0', 'v:modelmnist@v1.0.0']);
    assert.equal(f.focus, 'v:mnist@v1.0.0');
  });

  test('a focus that names nothing is NOT_FOUND; a bad option is USAGE', async () => {
    const r = await openRepo({ cwd: repo.dir });
    await assert.rejects(lineageGraph(r, { focus: 'nosuch@v1.0.0' }), { code: 'NOT_FOUND' });
    await assert.rejects(lineageGraph(r, { focus: `run:${hexId()}` }), { code: 'NOT_FOUND' });
    await assert.rejects(lineageGraph(r, { focus: 3 as unknown as string }), { code: 'USAGE' });
  });

  test('registryEntity on the same registry: the deprecated version flagged, the run named in v3\'s tag, no stages', async () => {
    const e = await registryEntity(await openRepo({ cwd: repo.dir }), { name: 'modelmnist' });
    assert.deepEqual(e.versions.map((v) => [v.version, v.deprecated, v.experiment?.id ?? null]), [['v1.0.0', true, null], ['v2.0.0', false, null], ['v3.0.0', false, runGone]]);
    assert.equal(e.versions[2]!.experiment!.step, 7);
    assert.equal(e.latest, 'v3.0.0');
    assert.deepEqual(e.stages, { dev: [], staging: [], production: [] });
    await assert.rejects(registryEntity(await openRepo({ cwd: repo.dir }), { name: 'nosuch' }), { code: 'NOT_FOUND' });
  });

  test('an empty repository has an empty graph', async () => {
    const empty = createTmpRepo();
    try {
      const e = await lineageGraph(await openRepo({ cwd: empty.dir }));
      assert.deepEqual([e.nodes, e.edges, e.focus], [[], [], null]);
    } finally {
      empty.cleanup();
    }
  });
});
