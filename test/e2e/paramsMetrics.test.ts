/**
 * Params and metrics files compared across commits (issue 15 point 5; DVC's
 * `params diff`, `metrics show`, `metrics diff`), through the CLI on real Git
 * repositories: revisions read with git, the work tree from disk. The
 * bad-input cases are named after the failure. `trove metrics NAME` (the
 * registry's table) is checked to work beside the new subcommands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, runCli, runJson, type TmpRepo } from '../helpers/tmpRepo.js';
import { writeRegistryFixture } from '../helpers/registryFastImport.js';
import { metricsDiff, metricsShow, paramsDiff } from '../../src/index.js';
import { openRepo } from '../../src/workspace/Repo.js';

function withRepo(fn: (repo: TmpRepo) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const repo = createTmpRepo();
    try {
      await fn(repo);
    } finally {
      repo.cleanup();
    }
  };
}

function commit(repo: TmpRepo, message: string): void {
  repo.git('add', '-A');
  repo.git('commit', '-qm', message);
}

function configure(repo: TmpRepo, text: string): void {
  appendFileSync(join(repo.dir, '.trove', 'config.yaml'), text);
}

test('params diff A B: params.yaml changed between two commits shows the dotted key, old → new', withRepo((repo) => {
  repo.write('params.yaml', 'train:\n  lr: 0.1\n  epochs: 10\nlayers: [64, 32]\n');
  commit(repo, 'one');
  repo.write('params.yaml', 'train:\n  lr: 0.01\n  epochs: 10\nlayers: [64, 32, 16]\n');
  commit(repo, 'two');
  const j = runJson(repo.dir, ['params', 'diff', 'HEAD~1', 'HEAD']);
  assert.equal(j.code, 0, j.stderr);
  assert.equal(j.result.a.rev, 'HEAD~1');
  assert.match(j.result.a.commit, /^[0-9a-f]{40}$/);
  assert.deepEqual(j.result.rows, [
    { file: 'params.yaml', key: 'layers.2', old: null, new: 16, change: 'added' },
    { file: 'params.yaml', key: 'train.lr', old: 0.1, new: 0.01, change: 'modified' },
  ]);
  const text = runCli(repo.dir, ['params', 'diff', 'HEAD~1', 'HEAD']);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^Path\s+Param\s+HEAD~1\s+HEAD$/);
  assert.match(lines[2]!, /^params\.yaml\s+train\.lr\s+0\.1\s+0\.01$/);
  const all = runJson(repo.dir, ['params', 'diff', 'HEAD~1', 'HEAD', '--all']);
  assert.deepEqual(all.result.rows.map((r: any) => [r.key, r.change]), [['layers.0', 'unchanged'], ['layers.1', 'unchanged'], ['layers.2', 'added'], ['train.epochs', 'unchanged'], ['train.lr', 'modified']]);
}));

test('params diff: TOML and JSON params files declared in config, each compared by dotted key', withRepo((repo) => {
  configure(repo, 'params:\n  files: [train.toml, conf/model.json]\n');
  repo.write('train.toml', 'seed = 1\n[optim]\nlr = 0.1\nbetas = [0.9, 0.999]\n');
  repo.write('conf/model.json', '{"model": {"depth": 4, "act": "relu"}, "dropout": false}');
  commit(repo, 'one');
  repo.write('train.toml', 'seed = 1\n[optim]\nlr = 0.05\nbetas = [0.9, 0.99]\n');
  repo.write('conf/model.json', '{"model": {"depth": 6, "act": "relu"}, "dropout": true}');
  const j = runJson(repo.dir, ['params', 'diff']);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(j.result.rows.map((r: any) => [r.file, r.key, r.old, r.new]), [
    ['train.toml', 'optim.betas.1', 0.999, 0.99],
    ['train.toml', 'optim.lr', 0.1, 0.05],
    ['conf/model.json', 'dropout', false, true],
    ['conf/model.json', 'model.depth', 4, 6],
  ]);
}));

test('metrics diff: metrics.json between two commits with the numeric delta; strings have none', withRepo((repo) => {
  repo.write('metrics.json', '{"accuracy": 0.9705, "loss": {"val": 0.31}, "grade": "B"}');
  commit(repo, 'one');
  repo.write('metrics.json', '{"accuracy": 0.9746, "loss": {"val": 0.25}, "grade": "A"}');
  commit(repo, 'two');
  const j = runJson(repo.dir, ['metrics', 'diff', 'HEAD~1', 'HEAD']);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(j.result.rows, [
    { file: 'metrics.json', key: 'accuracy', old: 0.9705, new: 0.9746, delta: 0.0041, change: 'modified' },
    { file: 'metrics.json', key: 'grade', old: 'B', new: 'A', delta: null, change: 'modified' },
    { file: 'metrics.json', key: 'loss.val', old: 0.31, new: 0.25, delta: -0.06, change: 'modified' },
  ]);
  const text = runCli(repo.dir, ['metrics', 'diff', 'HEAD~1', 'HEAD']);
  assert.match(text.stdout, /^Path\s+Metric\s+HEAD~1\s+HEAD\s+Change$/m);
  assert.match(text.stdout, /^metrics\.json\s+accuracy\s+0\.9705\s+0\.9746\s+0\.0041$/m);
}));

test('params diff and metrics diff default to HEAD vs the work tree; nothing changed says so on stderr', withRepo((repo) => {
  repo.write('params.yaml', 'lr: 0.1\n');
  repo.write('metrics.json', '{"acc": 0.5}');
  commit(repo, 'one');
  const none = runCli(repo.dir, ['params', 'diff']);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /No params changed between HEAD and workspace/);
  repo.write('params.yaml', 'lr: 0.2\n');
  repo.write('metrics.json', '{"acc": 0.75}');
  const p = runJson(repo.dir, ['params', 'diff']);
  assert.deepEqual(p.result.b, { rev: null, commit: null, label: 'workspace' });
  assert.deepEqual(p.result.rows, [{ file: 'params.yaml', key: 'lr', old: 0.1, new: 0.2, change: 'modified' }]);
  const m = runJson(repo.dir, ['metrics', 'diff']);
  assert.deepEqual(m.result.rows, [{ file: 'metrics.json', key: 'acc', old: 0.5, new: 0.75, delta: 0.25, change: 'modified' }]);
  // A alone: A vs the work tree.
  const a = runJson(repo.dir, ['metrics', 'diff', 'HEAD']);
  assert.deepEqual(a.result.rows, m.result.rows);
}));

test('metrics show: the work tree by default, one column per revision given; --md, --csv, --json', withRepo((repo) => {
  repo.write('metrics.json', '{"acc": 0.5, "loss": 1.5}');
  commit(repo, 'one');
  repo.write('metrics.json', '{"acc": 0.75, "loss": 1.25, "f1": 0.5}');
  commit(repo, 'two');
  const wt = runCli(repo.dir, ['metrics', 'show']);
  assert.equal(wt.code, 0, wt.stderr);
  assert.match(wt.stdout, /^Path\s+Metric\s+workspace$/m);
  assert.match(wt.stdout, /^metrics\.json\s+acc\s+0\.75$/m);
  const md = runCli(repo.dir, ['metrics', 'show', 'HEAD~1', 'HEAD', '--md']);
  assert.equal(md.stdout, '| Path | Metric | HEAD~1 | HEAD |\n| --- | --- | --- | ---: |\n| metrics.json | acc | 0.5 | 0.75 |\n| metrics.json | f1 | - | 0.5 |\n| metrics.json | loss | 1.5 | 1.25 |\n');
  const csv = runCli(repo.dir, ['metrics', 'show', 'HEAD~1', 'HEAD', '--csv']);
  assert.equal(csv.stdout, 'Path,Metric,HEAD~1,HEAD\nmetrics.json,acc,0.5,0.75\nmetrics.json,f1,,0.5\nmetrics.json,loss,1.5,1.25\n');
  const j = runJson(repo.dir, ['metrics', 'show', 'HEAD~1', 'HEAD']);
  assert.deepEqual(j.result.rows[1], { file: 'metrics.json', key: 'f1', values: [null, 0.5] });
  assert.deepEqual(j.result.revisions.map((r: any) => r.label), ['HEAD~1', 'HEAD']);
  const pcsv = runCli(repo.dir, ['metrics', 'diff', 'HEAD~1', 'HEAD', '--csv']);
  assert.equal(pcsv.stdout, 'Path,Metric,HEAD~1,HEAD,Change\nmetrics.json,acc,0.5,0.75,0.25\nmetrics.json,f1,,0.5,\nmetrics.json,loss,1.5,1.25,-0.25\n');
}));

test('metrics show and diff read YAML and CSV metrics files declared in config', withRepo((repo) => {
  configure(repo, 'metrics:\n  files: [eval/scores.yaml, eval/summary.csv]\n');
  repo.write('eval/scores.yaml', 'test:\n  auc: 0.8\n');
  repo.write('eval/summary.csv', 'precision,recall\n0.5,0.25\n');
  commit(repo, 'one');
  repo.write('eval/summary.csv', 'precision,recall\n0.75,0.25\n');
  const j = runJson(repo.dir, ['metrics', 'diff', '--all']);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(j.result.rows.map((r: any) => [r.file, r.key, r.delta, r.change]), [
    ['eval/scores.yaml', 'test.auc', 0, 'unchanged'],
    ['eval/summary.csv', 'precision', 0.25, 'modified'],
    ['eval/summary.csv', 'recall', 0, 'unchanged'],
  ]);
}));

test('missing file at one side: every key shows as added (or removed), and files says where it is', withRepo((repo) => {
  repo.write('README', 'x\n');
  commit(repo, 'no metrics yet');
  repo.write('metrics.json', '{"acc": 0.5}');
  repo.write('params.yaml', 'lr: 0.1\n');
  commit(repo, 'metrics');
  const m = runJson(repo.dir, ['metrics', 'diff', 'HEAD~1', 'HEAD']);
  assert.equal(m.code, 0, m.stderr);
  assert.deepEqual(m.result.files, [{ file: 'metrics.json', old: false, new: true }]);
  assert.deepEqual(m.result.rows, [{ file: 'metrics.json', key: 'acc', old: null, new: 0.5, delta: null, change: 'added' }]);
  const back = runJson(repo.dir, ['params', 'diff', 'HEAD', 'HEAD~1']);
  assert.deepEqual(back.result.rows, [{ file: 'params.yaml', key: 'lr', old: 0.1, new: null, change: 'removed' }]);
  const text = runCli(repo.dir, ['metrics', 'diff', 'HEAD~1', 'HEAD']);
  assert.match(text.stdout, /^metrics\.json\s+acc\s+-\s+0\.5\s+-$/m);
  const show = runCli(repo.dir, ['metrics', 'show', 'HEAD~1']);
  assert.equal(show.code, 0);
  assert.match(show.stderr, /metrics\.json: not found in HEAD~1/);
}));

test('garbage params file in a revision: BAD_PARAMS naming the file, the revision and the line; exit 1', withRepo((repo) => {
  repo.write('params.yaml', 'lr: 0.1\n');
  commit(repo, 'one');
  repo.write('params.yaml', 'lr: 0.1\nlayers: [64, 32\nseed: 1\n');
  commit(repo, 'broken');
  const j = runJson(repo.dir, ['params', 'diff', 'HEAD~1', 'HEAD']);
  assert.equal(j.code, 1);
  assert.equal(j.error.code, 'BAD_PARAMS');
  assert.equal(j.error.data.file, 'params.yaml');
  assert.equal(j.error.data.rev, 'HEAD');
  assert.equal(typeof j.error.data.line, 'number');
  const text = runCli(repo.dir, ['params', 'diff', 'HEAD~1', 'HEAD']);
  assert.equal(text.code, 1);
  assert.equal(text.stdout, '');
  assert.match(text.stderr, /params\.yaml.*line \d+.*revision HEAD/);
}));

test('garbage metrics file in the work tree: BAD_METRICS naming the file, the work tree and the line; exit 1', withRepo((repo) => {
  repo.write('metrics.json', '{"acc": 0.5}');
  commit(repo, 'one');
  repo.write('metrics.json', '{\n  "acc": 0.5,\n  oops\n}');
  const j = runJson(repo.dir, ['metrics', 'diff']);
  assert.equal(j.code, 1);
  assert.equal(j.error.code, 'BAD_METRICS');
  assert.deepEqual([j.error.data.file, j.error.data.rev, j.error.data.line], ['metrics.json', null, 3]);
  const show = runJson(repo.dir, ['metrics', 'show']);
  assert.equal(show.error.code, 'BAD_METRICS');
}));

test('multi-row metrics CSV: BAD_METRICS naming the second value row (a metrics file holds one set of values)', withRepo((repo) => {
  configure(repo, 'metrics:\n  files: [log.csv]\n');
  repo.write('log.csv', 'epoch,loss\n1,0.5\n2,0.4\n');
  const j = runJson(repo.dir, ['metrics', 'show']);
  assert.equal(j.code, 1);
  assert.deepEqual([j.error.code, j.error.data.file, j.error.data.line], ['BAD_METRICS', 'log.csv', 3]);
}));

test('trove metrics NAME (the registry table) still works beside trove metrics show and diff', withRepo((repo) => {
  writeRegistryFixture(repo, [{ name: 'modelmnist', type: 'model', versions: [{ version: 'v1.0.0', time: 1616683962, metrics: { accuracy: 0.9705 } }] }]);
  repo.write('metrics.json', '{"accuracy": 0.9705}');
  const reg = runJson(repo.dir, ['metrics', 'modelmnist']);
  assert.equal(reg.code, 0, reg.stderr);
  assert.deepEqual(reg.result.rows.map((r: unknown[]) => r[r.length - 1]), [0.9705]);
  const show = runJson(repo.dir, ['metrics', 'show']);
  assert.equal(show.code, 0, show.stderr);
  assert.deepEqual(show.result.rows, [{ file: 'metrics.json', key: 'accuracy', values: [0.9705] }]);
  const help = runCli(repo.dir, ['metrics', '--help']);
  assert.match(help.stdout, /show \[options\] \[revs\.\.\.\]/);
}));

test('params diff with --md and --csv together is USAGE; three revisions is USAGE', withRepo((repo) => {
  repo.write('params.yaml', 'lr: 0.1\n');
  commit(repo, 'one');
  assert.equal(runJson(repo.dir, ['params', 'diff', '--md', '--csv']).error.code, 'USAGE');
  assert.equal(runJson(repo.dir, ['params', 'diff', 'HEAD', 'HEAD', 'HEAD']).error.code, 'USAGE');
  assert.equal(runJson(repo.dir, ['metrics', 'diff', 'HEAD', 'HEAD', 'HEAD']).error.code, 'USAGE');
  assert.equal(runJson(repo.dir, ['params', 'show']).error.code, 'USAGE');
}));

test('params diff of a revision that does not exist is NOT_FOUND naming it', withRepo((repo) => {
  repo.write('params.yaml', 'lr: 0.1\n');
  commit(repo, 'one');
  const j = runJson(repo.dir, ['params', 'diff', 'no-such-branch']);
  assert.deepEqual([j.error.code, j.error.data.rev], ['NOT_FOUND', 'no-such-branch']);
}));

test('params diff before the first commit is NOT_FOUND for HEAD with a hint to commit', withRepo((repo) => {
  repo.write('params.yaml', 'lr: 0.1\n');
  const j = runJson(repo.dir, ['params', 'diff']);
  assert.deepEqual([j.error.code, j.error.data.rev], ['NOT_FOUND', 'HEAD']);
}));

test('params file outside the repository given with --file is UNSAFE_PATH', withRepo((repo) => {
  repo.write('params.yaml', 'lr: 0.1\n');
  commit(repo, 'one');
  assert.equal(runJson(repo.dir, ['params', 'diff', '--file', '../params.yaml']).error.code, 'UNSAFE_PATH');
}));

test('library: paramsDiff, metricsShow and metricsDiff return the same facts as the CLI', withRepo(async (repo) => {
  repo.write('params.yaml', 'lr: 0.1\n');
  repo.write('metrics.json', '{"acc": 0.5}');
  commit(repo, 'one');
  repo.write('params.yaml', 'lr: 0.2\n');
  repo.write('metrics.json', '{"acc": 0.625}');
  const r = await openRepo({ cwd: repo.dir });
  assert.deepEqual((await paramsDiff(r)).rows, [{ file: 'params.yaml', key: 'lr', old: 0.1, new: 0.2, change: 'modified' }]);
  assert.deepEqual((await metricsDiff(r, { a: 'HEAD' })).rows[0]!.delta, 0.125);
  assert.deepEqual((await metricsShow(r, { revs: ['HEAD'] })).rows, [{ file: 'metrics.json', key: 'acc', values: [0.5] }]);
}));

test('metrics file tracked by trove (trove add metrics.json): read from the store at each revision', withRepo((repo) => {
  repo.write('metrics.json', '{"acc": 0.5}');
  assert.equal(runCli(repo.dir, ['add', 'metrics.json']).code, 0);
  commit(repo, 'one');
  repo.write('metrics.json', '{"acc": 0.625}');
  assert.equal(runCli(repo.dir, ['add', 'metrics.json']).code, 0);
  commit(repo, 'two');
  const j = runJson(repo.dir, ['metrics', 'diff', 'HEAD~1', 'HEAD']);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(j.result.rows, [{ file: 'metrics.json', key: 'acc', old: 0.5, new: 0.625, delta: 0.125, change: 'modified' }]);
  assert.deepEqual(j.result.files, [{ file: 'metrics.json', old: true, new: true }]);
}));

test('tracked metrics file whose content is not in the local store: OBJECT_MISSING naming the file and revision', withRepo((repo) => {
  repo.write('metrics.json', '{"acc": 0.5}');
  assert.equal(runCli(repo.dir, ['add', 'metrics.json']).code, 0);
  commit(repo, 'one');
  rmSync(join(repo.dir, '.trove', 'cache'), { recursive: true, force: true });
  const j = runJson(repo.dir, ['metrics', 'show', 'HEAD']);
  assert.equal(j.code, 1);
  assert.deepEqual([j.error.code, j.error.data.file, j.error.data.rev], ['OBJECT_MISSING', 'metrics.json', 'HEAD']);
}));

test('params diff from a subdirectory reads the repository-root files; NaN and infinities keep their $float form in --json', withRepo((repo) => {
  repo.write('params.yaml', 'wd: 0.1\nclip: .inf\n');
  repo.write('src/train.py', 'pass\n');
  commit(repo, 'one');
  repo.write('params.yaml', 'wd: .nan\nclip: .inf\n');
  const j = runJson(join(repo.dir, 'src'), ['params', 'diff', '--all']);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(j.result.rows, [
    { file: 'params.yaml', key: 'clip', old: { $float: 'Infinity' }, new: { $float: 'Infinity' }, change: 'unchanged' },
    { file: 'params.yaml', key: 'wd', old: 0.1, new: { $float: 'NaN' }, change: 'modified' },
  ]);
  const text = runCli(join(repo.dir, 'src'), ['params', 'diff']);
  assert.match(text.stdout, /^params\.yaml\s+wd\s+0\.1\s+NaN$/m);
}));

test('metrics show with an option of trove metrics NAME (-o, --format) is USAGE, not silently taken by the parent', withRepo((repo) => {
  repo.write('metrics.json', '{"acc": 0.5}');
  const r = runJson(repo.dir, ['metrics', 'show', '-o', 'out.csv']);
  assert.equal(r.code, 2);
  assert.equal(r.error.code, 'USAGE');
  assert.equal(runJson(repo.dir, ['metrics', 'diff', '--format', 'csv']).code, 2);
}));
