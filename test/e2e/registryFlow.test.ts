/**
 * The flow of seed 002 (ml-git's MNIST notebook) through trove's CLI, on
 * scikit-learn's bundled digits where python3 can import it, else on
 * digit-like images generated here (test/helpers/digits.ts): named dataset,
 * labels and model under categories, versions with metrics and lineage, more
 * data, new versions, checkout of model v1 with its data byte for byte, the
 * metrics table of 002 and the lineage queries of issue 14.
 * The steps share one repository and run in order.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createTmpRepo, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';
import { accuracy, makeDigits, sklearnDigits, toPgm, trainCentroids, type DigitSample } from '../helpers/digits.js';

const DATASET = 'dataset/handwritten/digits/mnist';
const LABELS = 'labels/handwritten/digits/labelsmnist';
const MODEL = 'model/handwritten/digits/modelmnist';
const CATS = ['--category', 'handwritten', '--category', 'digits'];

/** Every file under `dir` (relative path → bytes as hex), for byte-for-byte comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p).toString('hex');
    }
  };
  walk(dir);
  return out;
}

/** Write a batch of images and its labels file (strict entities only ever gain files). */
function writeBatch(repo: TmpRepo, batch: string, samples: readonly DigitSample[]): void {
  samples.forEach((s, i) => repo.write(`${DATASET}/train/${batch}/${String(i).padStart(4, '0')}.pgm`, toPgm(s)));
  repo.write(`${LABELS}/${batch}.csv`, 'file,label\n' + samples.map((s, i) => `train/${batch}/${String(i).padStart(4, '0')}.pgm,${s.label}\n`).join(''));
}

function trainModel(repo: TmpRepo, samples: readonly DigitSample[], test: readonly DigitSample[]): number {
  const centroids = trainCentroids(samples);
  mkdirSync(join(repo.dir, MODEL), { recursive: true });
  writeFileSync(join(repo.dir, MODEL, 'centroids.json'), JSON.stringify({ kind: 'nearest-centroid', centroids }) + '\n');
  return accuracy(centroids, test);
}

function ok(repo: TmpRepo, args: string[]): string {
  const r = runCli(repo.dir, args);
  assert.equal(r.code, 0, `trove ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Parse the rows of a CSV with RFC 4180 quoting (the export's cells contain no newlines). */
function parseCsv(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((l) => l !== '')
    .map((line) => {
      const cells: string[] = [];
      let cur = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i]!;
        if (quoted) {
          if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
          else if (c === '"') quoted = false;
          else cur += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') cells.push(cur), (cur = '');
        else cur += c;
      }
      cells.push(cur);
      return cells;
    });
}

describe('002 flow', () => {
  let repo: TmpRepo;
  // scikit-learn's real digits where python3 can import it (.ci/run installs it; npm test does not), else generated ones.
  const real = sklearnDigits();
  const test = real ? real.slice(1200) : makeDigits(300, 99, 0.1);
  const batch1 = real ? real.slice(0, 100) : makeDigits(20, 1, 0.1);
  const batch2 = real ? real.slice(100, 600) : makeDigits(200, 2, 0.1);
  let acc1 = 0;
  let acc2 = 0;
  let v1: { dataset: Record<string, string>; labels: Record<string, string>; model: Record<string, string> };
  let head = '';

  before(() => {
    repo = createTmpRepo();
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'trove init');
  });
  after(() => repo.cleanup());

  it('002 flow: create mnist, labelsmnist strict and modelmnist mutable under handwritten/digits', () => {
    ok(repo, ['create', 'dataset', 'mnist', ...CATS, '--mutability', 'strict']);
    ok(repo, ['create', 'labels', 'labelsmnist', ...CATS, '--mutability', 'strict']);
    ok(repo, ['create', 'model', 'modelmnist', ...CATS, '--mutability', 'mutable']);
    for (const name of ['mnist', 'labelsmnist', 'modelmnist']) assert.ok(statSync(join(repo.dir, `.trove/registry/entities/${name}.yaml`)).isFile(), `${name} is declared`);
  });

  it('002 flow: version model v1 with accuracy and related dataset/labels recorded from the work tree', () => {
    writeBatch(repo, 'batch1', batch1);
    ok(repo, ['version', 'mnist']);
    ok(repo, ['version', 'labelsmnist', '--dataset', 'mnist']);
    acc1 = trainModel(repo, batch1, test);
    ok(repo, ['version', 'modelmnist', '--metric', `accuracy=${acc1}`, '--dataset', 'mnist', '--labels', 'labelsmnist']);
    const tags = repo.git('tag', '--list').split('\n').filter(Boolean).sort();
    assert.deepEqual(tags, ['labelsmnist@v1.0.0', 'mnist@v1.0.0', 'modelmnist@v1.0.0']);
    const message = repo.git('tag', '-l', '--format=%(contents)', 'modelmnist@v1.0.0');
    assert.match(message, /^uses: labelsmnist@v1\.0\.0 mnist@v1\.0\.0$/m);
    assert.match(message, new RegExp(`^metric\\.accuracy: ${String(acc1).replace('.', '\\.')}$`, 'm'));
    v1 = { dataset: snapshot(join(repo.dir, DATASET)), labels: snapshot(join(repo.dir, LABELS)), model: snapshot(join(repo.dir, MODEL)) };
  });

  it('002 flow: add data, version dataset and labels v2, model v2 with new metric', () => {
    writeBatch(repo, 'batch2', batch2);
    ok(repo, ['version', 'mnist']);
    ok(repo, ['version', 'labelsmnist', '--dataset', 'mnist']);
    acc2 = trainModel(repo, [...batch1, ...batch2], test);
    assert.notEqual(acc2, acc1, 'more data gives the model another score');
    ok(repo, ['version', 'modelmnist', '--metric', `accuracy=${acc2}`, '--dataset', 'mnist', '--labels', 'labelsmnist']);
    const message = repo.git('tag', '-l', '--format=%(contents)', 'modelmnist@v2.0.0');
    assert.match(message, /^uses: labelsmnist@v2\.0\.0 mnist@v2\.0\.0$/m);
    head = repo.git('rev-parse', 'HEAD').trim();
  });

  it('002 flow: checkout modelmnist@v1.0.0 --with-deps restores model, dataset and labels v1 byte for byte', () => {
    ok(repo, ['checkout', 'modelmnist@v1.0.0', '--with-deps']);
    assert.deepEqual(snapshot(join(repo.dir, MODEL)), v1.model);
    assert.deepEqual(snapshot(join(repo.dir, DATASET)), v1.dataset, 'batch2 images are gone, batch1 images are intact');
    assert.deepEqual(snapshot(join(repo.dir, LABELS)), v1.labels);
    assert.equal(repo.git('rev-parse', 'HEAD').trim(), head, 'HEAD does not move');
  });

  it('002 flow: checkout handwritten__digits__modelmnist__1 --with-deps is the same as by GTO tag', () => {
    ok(repo, ['checkout', 'modelmnist@v2.0.0', '--with-deps']);
    assert.ok(Object.keys(snapshot(join(repo.dir, DATASET))).some((p) => p.startsWith('train/batch2/')), 'v2 data is back');
    ok(repo, ['checkout', 'handwritten__digits__modelmnist__1', '--with-deps']);
    assert.deepEqual(snapshot(join(repo.dir, MODEL)), v1.model);
    assert.deepEqual(snapshot(join(repo.dir, DATASET)), v1.dataset);
    assert.deepEqual(snapshot(join(repo.dir, LABELS)), v1.labels);
    assert.equal(repo.git('rev-parse', 'HEAD').trim(), head);
  });

  it('002 flow: metrics export is the two-row table (csv, json, md)', () => {
    // ml-git's names: exactly the columns and cells of the seed's table.
    const ml = parseCsv(ok(repo, ['metrics', 'modelmnist', '--format', 'csv', '--names', 'mlgit']));
    assert.deepEqual(ml[0], ['Date', 'Tag', 'Related dataset - (version)', 'Related labels - (version)', 'accuracy']);
    assert.equal(ml.length, 3, 'a header and two rows');
    assert.deepEqual(ml.slice(1).map((r) => r.slice(1)), [
      ['handwritten__digits__modelmnist__1', 'mnist - (1)', 'labelsmnist - (1)', String(acc1)],
      ['handwritten__digits__modelmnist__2', 'mnist - (2)', 'labelsmnist - (2)', String(acc2)],
    ]);
    for (const r of ml.slice(1)) assert.match(r[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // GTO's names (the default).
    const gto = parseCsv(ok(repo, ['metrics', 'modelmnist', '--format', 'csv']));
    assert.deepEqual(gto.slice(1).map((r) => r.slice(1)), [
      ['modelmnist@v1.0.0', 'mnist - (v1.0.0)', 'labelsmnist - (v1.0.0)', String(acc1)],
      ['modelmnist@v2.0.0', 'mnist - (v2.0.0)', 'labelsmnist - (v2.0.0)', String(acc2)],
    ]);
    // --json: {columns, rows}, the metric a number.
    const j = runJson(repo.dir, ['metrics', 'modelmnist', '--names', 'mlgit']);
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(j.result.columns, ml[0]);
    assert.deepEqual(j.result.rows.map((r: unknown[]) => r[4]), [acc1, acc2]);
    // -o writes the same export to a file; md is a table with the same header.
    ok(repo, ['metrics', 'modelmnist', '--format', 'csv', '--names', 'mlgit', '-o', 'exports/metrics.csv']);
    assert.deepEqual(parseCsv(readFileSync(join(repo.dir, 'exports/metrics.csv'), 'utf8')), ml);
    const md = ok(repo, ['metrics', 'modelmnist', '--format', 'md']).trim().split('\n');
    assert.match(md[0]!, /^\| Date \| Tag \| Related dataset - \(version\) \| Related labels - \(version\) \| accuracy \|$/);
    assert.match(md[1]!, /^\|(\s*:?-+:?\s*\|)+$/);
    assert.equal(md.length, 4);
  });

  it('002 flow: metrics --diff of the two models shows the accuracy delta, the new data and labels, and the files added to mnist', () => {
    const m = runJson(repo.dir, ['metrics', 'modelmnist', '--diff', 'v1.0.0', 'v2.0.0']);
    assert.equal(m.code, 0, m.stderr);
    assert.deepEqual(m.result.diff.metrics, [{ key: 'accuracy', a: acc1, b: acc2, delta: Number((acc2 - acc1).toPrecision(12)) }]);
    assert.deepEqual(m.result.diff.lineage.map((l: { entity: string; a: string; b: string }) => `${l.entity} ${l.a} ${l.b}`), ['labelsmnist v1.0.0 v2.0.0', 'mnist v1.0.0 v2.0.0']);
    assert.equal(m.result.diff.data.available, true);
    assert.equal(m.result.diff.data.modified, 1, 'the model file changed');
    const d = runJson(repo.dir, ['metrics', '--diff', 'mnist@v1.0.0', 'handwritten__digits__mnist__2']);
    assert.equal(d.code, 0, d.stderr);
    const data = d.result.diff.data;
    assert.deepEqual([data.available, data.added, data.removed, data.modified], [true, batch2.length, 0, 0], 'strict: v2 only added files');
    assert.equal(data.bytesAdded, batch2.length * toPgm(batch2[0]!).length);
    assert.equal(data.files[0].path, 'train/batch2/0000.pgm');
  });

  it('lineage --downstream of mnist v1 lists modelmnist v1; --dot is valid DOT', () => {
    const text = ok(repo, ['lineage', 'mnist@v1.0.0', '--downstream']);
    assert.match(text, /modelmnist@v1\.0\.0/);
    assert.doesNotMatch(text, /modelmnist@v2\.0\.0/, 'v2 was trained on mnist v2');
    const j = runJson(repo.dir, ['lineage', 'mnist@v1.0.0', '--downstream']);
    assert.equal(j.code, 0, j.stderr);
    const down = j.result.downstream.map((n: { tag: string }) => n.tag).sort();
    assert.deepEqual(down, ['labelsmnist@v1.0.0', 'modelmnist@v1.0.0']);
    assert.deepEqual(j.result.upstream, []);
    const models = j.result.downstream.filter((n: { type: string }) => n.type === 'model').map((n: { tag: string }) => n.tag);
    assert.deepEqual(models, ['modelmnist@v1.0.0'], 'which models were trained on dataset mnist v1?');
    const answer = ok(repo, ['lineage', 'mnist@v1.0.0', '--downstream', '--type', 'model']);
    assert.deepEqual(answer.trim().split('\n'), ['mnist@v1.0.0 (dataset)', 'used by (model only):', '  modelmnist@v1.0.0']);

    const up = runJson(repo.dir, ['lineage', 'handwritten__digits__modelmnist__2', '--upstream']).result;
    assert.equal(up.root.tag, 'modelmnist@v2.0.0');
    assert.deepEqual(up.upstream.map((n: { tag: string }) => n.tag).sort(), ['labelsmnist@v2.0.0', 'mnist@v2.0.0']);

    const dot = ok(repo, ['lineage', 'modelmnist@v2.0.0', '--dot']);
    assert.match(dot.trim(), /^(strict\s+)?digraph\s+("[^"]*"|\w+)?\s*\{[\s\S]*\}$/);
    assert.equal((dot.match(/\{/g) ?? []).length, (dot.match(/\}/g) ?? []).length, 'braces balance');
    const edges = [...dot.matchAll(/"([^"]+)"\s*->\s*"([^"]+)"/g)].map((m) => `${m[1]} -> ${m[2]}`).sort();
    assert.ok(edges.includes('mnist@v2.0.0 -> modelmnist@v2.0.0'), edges.join('; '));
    assert.ok(edges.includes('labelsmnist@v2.0.0 -> modelmnist@v2.0.0'), edges.join('; '));
    assert.ok(edges.includes('mnist@v2.0.0 -> labelsmnist@v2.0.0'), edges.join('; '));
  });
});
