import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UiEntityResponse, UiLineageResponse, UiRegistryResponse } from '../../src/server/types/uiRegistryTypes.js';
import { runJson } from '../helpers/tmpRepo.js';
import { buildUiRegistryWorld, UT, type UiRegistryWorld } from '../helpers/uiRegistryFixture.js';
import { getJson, startUiServer, type RunningUi } from '../helpers/uiServer.js';

/**
 * The registry area's routes against `trove ui` on a repository made with
 * the real CLI (create, version, two runs through exp serve, exp promote,
 * promote to staging and production through a bare remote, merged).
 */
describe('trove ui API: registry, entity, lineage', () => {
  let w: UiRegistryWorld;
  let ui: RunningUi;
  before(async () => {
    w = await buildUiRegistryWorld();
    // Declared, never versioned (not committed either: the registry reads the work tree's declarations).
    assert.equal(runJson(w.dir, ['create', 'model', 'draftmodel']).code, 0);
    ui = await startUiServer(w.dir);
  });
  after(async () => {
    await ui?.stop();
    w?.cleanup();
  });

  test('GET /api/registry: every entity with type, categories, path, latest and what each stage holds', async () => {
    const { status, body } = await getJson<UiRegistryResponse>(ui.origin, '/api/registry');
    assert.equal(status, 200);
    assert.deepEqual(body.stages, ['dev', 'staging', 'production']);
    assert.deepEqual(body.entities.map((e) => e.name), ['draftmodel', 'labelsmnist', 'mnist', 'modelmnist']);
    const model = body.entities.find((e) => e.name === 'modelmnist')!;
    assert.equal(model.type, 'model');
    assert.deepEqual(model.categories, ['handwritten', 'digits']);
    assert.equal(model.path, w.paths.model);
    assert.equal(model.latest, 'v2.0.0');
    assert.equal(model.versions, 2);
    assert.equal(model.deprecated, false);
    assert.deepEqual(model.stages, { dev: [], staging: ['v2.0.0'], production: ['v2.0.0'] });
    const mnist = body.entities.find((e) => e.name === 'mnist')!;
    assert.equal(mnist.type, 'dataset');
    assert.equal(mnist.latestTime, Date.parse(UT.v2) / 1000);
    assert.equal(body.entities.find((e) => e.name === 'draftmodel')!.latest, null);
  });

  test('GET /api/entity/modelmnist: versions with data, metrics, lineage and the run that made each; stages now', async () => {
    const { status, body } = await getJson<UiEntityResponse>(ui.origin, '/api/entity/modelmnist');
    assert.equal(status, 200);
    assert.equal(body.type, 'model');
    assert.equal(body.mutability, 'mutable');
    assert.deepEqual(body.stageNames, ['dev', 'staging', 'production']);
    assert.deepEqual(body.stages, { dev: [], staging: ['v2.0.0'], production: ['v2.0.0'] });
    assert.deepEqual(body.versions.map((v) => v.version), ['v1.0.0', 'v2.0.0']);
    const [v1, v2] = body.versions as [UiEntityResponse['versions'][0], UiEntityResponse['versions'][0]];
    assert.deepEqual(v1.metrics, { accuracy: 0.95, loss: 0.3 });
    assert.deepEqual(v2.metrics, { accuracy: 0.9746, loss: 0.3 });
    assert.deepEqual(v1.uses, ['labelsmnist@v1.0.0', 'mnist@v1.0.0']);
    assert.deepEqual(v2.uses, ['labelsmnist@v2.0.0', 'mnist@v2.0.0']);
    assert.equal(v1.experiment?.id, w.runA);
    assert.equal(v2.experiment?.id, w.runB);
    assert.equal(v2.experiment?.step, 1);
    assert.deepEqual(v1.stages, []);
    assert.deepEqual(v2.stages, ['staging', 'production']);
    assert.equal(v2.files, 2); // model.bin and config.json
    assert.equal(v2.size, 'weights-v2-'.repeat(400).length + '{"lr":0.02}\n'.length);
    assert.equal(v2.time, Date.parse(UT.model2) / 1000);
    assert.equal(v2.author, 'Ann <ann@example.com>');
    assert.match(v2.dataOid, /^sha256:[0-9a-f]{64}$/);
    assert.equal(v2.tag, 'modelmnist@v2.0.0');
  });

  test('GET /api/entity/modelmnist: the metrics table is the one trove metrics prints (seed 002)', async () => {
    const { body } = await getJson<UiEntityResponse>(ui.origin, '/api/entity/modelmnist');
    const cli = runJson(w.dir, ['metrics', 'modelmnist']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(body.metrics.columns, ['Date', 'Tag', 'Related dataset - (version)', 'Related labels - (version)', 'accuracy', 'loss']);
    assert.deepEqual(body.metrics.columns, cli.result.columns);
    assert.deepEqual(body.metrics.rows, cli.result.rows);
    assert.deepEqual(body.metrics.rows[1], ['2026-01-02 12:00:00', 'modelmnist@v2.0.0', 'mnist - (v2.0.0)', 'labelsmnist - (v2.0.0)', 0.9746, 0.3]);
  });

  test('GET /api/entity/modelmnist: the stage history has the registrations and each promotion at its merge, v1 leaving production when v2 came', async () => {
    const { body } = await getJson<UiEntityResponse>(ui.origin, '/api/entity/modelmnist');
    assert.equal(body.historyBranch, 'main');
    const seen = body.history.map((e) => `${e.date} ${e.kind} ${e.version ?? ''} ${e.stage ?? ''}`.trim());
    assert.deepEqual(seen, [
      '2026-01-01T12:00:00Z register v1.0.0',
      '2026-01-02T12:00:00Z register v2.0.0',
      '2026-01-03T11:00:00Z assign v1.0.0 production',
      '2026-01-04T11:00:00Z assign v2.0.0 staging',
      '2026-01-05T11:00:00Z assign v2.0.0 production',
      '2026-01-05T11:00:00Z unassign v1.0.0 production',
    ]);
    assert.ok(body.history.every((e) => e.author === 'Ann <ann@example.com>'));
  });

  test('GET /api/entity/draftmodel: an entity without versions has an empty table, no error', async () => {
    const { status, body } = await getJson<UiEntityResponse>(ui.origin, '/api/entity/draftmodel');
    assert.equal(status, 200);
    assert.deepEqual(body.versions, []);
    assert.deepEqual(body.metrics, { columns: [], rows: [] });
    assert.equal(body.latest, null);
  });

  test('GET /api/entity/nosuch is 404 NOT_FOUND with a hint', async () => {
    const { status, body } = await getJson<{ error: { code: string; hint: string | null } }>(ui.origin, '/api/entity/nosuch');
    assert.equal(status, 404);
    assert.equal(body.error.code, 'NOT_FOUND');
    assert.match(body.error.hint ?? '', /trove registry/);
  });

  test('GET /api/lineage: datasets and labels -> runs -> model versions -> stages, every node with its page', async () => {
    const { status, body } = await getJson<UiLineageResponse>(ui.origin, '/api/lineage');
    assert.equal(status, 200);
    assert.equal(body.focus, null);
    const edges = new Set(body.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`));
    const runA = `run:${w.runA}`;
    const runB = `run:${w.runB}`;
    for (const e of [
      `v:mnist@v1.0.0 -input-> ${runA}`,
      `v:labelsmnist@v1.0.0 -input-> ${runA}`,
      `${runA} -produced-> v:modelmnist@v1.0.0`,
      `v:mnist@v2.0.0 -input-> ${runB}`,
      `v:labelsmnist@v2.0.0 -input-> ${runB}`,
      `${runB} -produced-> v:modelmnist@v2.0.0`,
      'v:modelmnist@v2.0.0 -stage-> stage:modelmnist#production',
      'v:modelmnist@v2.0.0 -stage-> stage:modelmnist#staging',
      'v:mnist@v1.0.0 -uses-> v:labelsmnist@v1.0.0',
    ]) assert.ok(edges.has(e), `missing ${e} in ${[...edges].join('\n')}`);
    // The run explains the model's uses: no direct dataset -> model edge; and run B's
    // input of modelmnist v1 (in the work tree when it started) is not drawn.
    assert.ok(!edges.has('v:mnist@v2.0.0 -uses-> v:modelmnist@v2.0.0'));
    assert.ok(!body.edges.some((e) => e.from === 'v:modelmnist@v1.0.0' && e.to === runB));
    // v1 no longer holds production: no stage edge from it.
    assert.ok(!body.edges.some((e) => e.from === 'v:modelmnist@v1.0.0' && e.kind === 'stage'));
    const node = (id: string) => body.nodes.find((n) => n.id === id)!;
    assert.equal(node('v:modelmnist@v2.0.0').href, '#/entity/modelmnist?v=v2.0.0');
    assert.equal(node('v:mnist@v1.0.0').kind, 'dataset');
    assert.equal(node('v:labelsmnist@v1.0.0').kind, 'labels');
    assert.equal(node(runA).href, `#/run/${w.runA}`);
    assert.equal(node(runA).kind, 'run');
    assert.equal(node('stage:modelmnist#production').href, '#/entity/modelmnist');
    assert.equal(node('stage:modelmnist#production').kind, 'stage');
    // A tracked path run B read that is no version: a data node linking to the path's history.
    const vocab = body.nodes.filter((n) => n.kind === 'data');
    assert.equal(vocab.length, 1);
    assert.match(vocab[0]!.id, /^data:extra\/vocab\.txt@sha256:[0-9a-f]{64}$/);
    assert.equal(vocab[0]!.href, '#/data/extra/vocab.txt');
    assert.ok(edges.has(`${vocab[0]!.id} -input-> ${runB}`));
    assert.ok(!body.edges.some((e) => e.from === vocab[0]!.id && e.to === runA), 'run A started before the file existed');
    // Every edge joins two nodes of the answer.
    const ids = new Set(body.nodes.map((n) => n.id));
    assert.ok(body.edges.every((e) => ids.has(e.from) && ids.has(e.to)));
  });

  test('GET /api/lineage?focus=modelmnist#production: the production model, its run, its data and its stages only', async () => {
    const { status, body } = await getJson<UiLineageResponse>(ui.origin, `/api/lineage?focus=${encodeURIComponent('modelmnist#production')}`);
    assert.equal(status, 200);
    assert.equal(body.focus, 'v:modelmnist@v2.0.0');
    const vocab = body.nodes.find((n) => n.kind === 'data')!;
    assert.deepEqual(body.nodes.map((n) => n.id), [vocab.id, `run:${w.runB}`, 'stage:modelmnist#production', 'stage:modelmnist#staging', 'v:labelsmnist@v2.0.0', 'v:mnist@v2.0.0', 'v:modelmnist@v2.0.0']);
    assert.equal(body.nodes.find((n) => n.focus)?.id, 'v:modelmnist@v2.0.0');
  });

  test('GET /api/lineage?focus=mnist@v1.0.0: downstream to the model v1 and its run, and what v1 came from (nothing)', async () => {
    const { body } = await getJson<UiLineageResponse>(ui.origin, `/api/lineage?focus=${encodeURIComponent('mnist@v1.0.0')}`);
    assert.deepEqual(body.nodes.map((n) => n.id), [`run:${w.runA}`, 'v:labelsmnist@v1.0.0', 'v:mnist@v1.0.0', 'v:modelmnist@v1.0.0']);
  });

  test('GET /api/lineage?focus=run:PREFIX centres on a run; an unknown version or run is 404', async () => {
    const r = await getJson<UiLineageResponse>(ui.origin, `/api/lineage?focus=run:${w.runB.slice(0, 8)}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.focus, `run:${w.runB}`);
    assert.ok(r.body.nodes.some((n) => n.id === 'v:modelmnist@v2.0.0'));
    assert.ok(!r.body.nodes.some((n) => n.id === 'v:modelmnist@v1.0.0'));
    const bad = await getJson<{ error: { code: string } }>(ui.origin, `/api/lineage?focus=${encodeURIComponent('modelmnist@v9.0.0')}`);
    assert.equal(bad.status, 404);
    assert.equal(bad.body.error.code, 'NOT_FOUND');
    const noRun = await getJson<{ error: { code: string } }>(ui.origin, '/api/lineage?focus=run:ffffffff');
    assert.equal(noRun.status, 404);
  });
});
