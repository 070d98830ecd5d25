import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ServeClient } from './expServeClient.js';
import { at, digitImage, fakeGh, git } from './registryFixture.js';
import { createTmpRepo, runJson, type TmpRepo } from './tmpRepo.js';

/**
 * The repository the registry pages are tested on, made as a user would
 * with the real CLI only: trove create (mnist, labelsmnist, modelmnist),
 * trove version of the data, two training runs through `trove exp serve`
 * (the protocol the Python client speaks) that read the data and
 * checkpoint a model directory, `trove exp promote` of each run's
 * checkpoint to a model version, then `trove promote` to staging and
 * production through a bare Git remote, a directory trove remote and a
 * fake gh, each promotion merged into main as a reviewer would.
 *
 *   mnist@v1 ─┬─> labelsmnist@v1 ─┐
 *             └──────────> run A ─┴─> modelmnist@v1 (accuracy 0.95)
 *   mnist@v2 ─┬─> labelsmnist@v2 ─┐
 *             └──────────> run B ─┴─> modelmnist@v2 (accuracy 0.9746) ─> staging, production
 *   extra/vocab.txt (tracked, no version) ─> run B
 *
 * (labels are versioned with --dataset, so labels → dataset edges exist too.)
 */

export const UT = {
  declared: '2026-01-01T09:00:00Z',
  v1: '2026-01-01T10:00:00Z',
  model1: '2026-01-01T12:00:00Z',
  v2: '2026-01-02T10:00:00Z',
  model2: '2026-01-02T12:00:00Z',
  promote1: '2026-01-03T10:00:00Z', // v1 → production
  merge1: '2026-01-03T11:00:00Z',
  promote2: '2026-01-04T10:00:00Z', // v2 → staging
  merge2: '2026-01-04T11:00:00Z',
  promote3: '2026-01-05T10:00:00Z', // v2 → production (replaces v1)
  merge3: '2026-01-05T11:00:00Z',
};

export interface UiRegistryWorld {
  readonly repo: TmpRepo;
  readonly dir: string;
  /** experiment ids of the two runs */
  readonly runA: string;
  readonly runB: string;
  readonly paths: { dataset: string; labels: string; model: string };
  cleanup(): void;
}

function ok(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): any {
  const r = runJson(dir, args, env);
  if (r.code !== 0) throw new Error(`trove ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.result;
}

function put(dir: string, path: string, files: Record<string, string | Buffer>): void {
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path, rel)), { recursive: true });
    writeFileSync(join(dir, path, rel), data);
  }
}

const images = (from: number, to: number): Record<string, Buffer> => Object.fromEntries(Array.from({ length: to - from }, (_, i) => [`img${String(from + i).padStart(3, '0')}.pgm`, digitImage(from + i, from + i)]));
const labelCsv = (from: number, to: number): string => 'file,label\n' + Array.from({ length: to - from }, (_, i) => `img${String(from + i).padStart(3, '0')}.pgm,${(from + i) % 10}\n`).join('');

/** One training run through `trove exp serve`: it reads the data in the work tree and checkpoints out/model; returns the run and checkpoint ids. */
async function train(dir: string, lr: number, weights: string, accuracy: number): Promise<{ run: string; checkpoint: string }> {
  const c = new ServeClient(dir);
  try {
    const { experiment } = await c.ok({ op: 'init', path: '.', params: { lr, epochs: 2 }, command: ['python', 'train.py'], python: '3.11.7', packages: { numpy: '1.26.4' } });
    put(dir, 'out/model', { 'model.bin': weights, 'config.json': `{"lr":${lr}}\n` });
    await c.ok({ op: 'checkpoint', experiment: experiment.id, path: 'out/model', step: 0, metrics: { accuracy: accuracy - 0.1, loss: 0.9 }, primary_metric: ['accuracy', 'maximize'] });
    const { checkpoint } = await c.ok({ op: 'checkpoint', experiment: experiment.id, path: 'out/model', step: 1, metrics: { accuracy, loss: 0.3 } });
    await c.ok({ op: 'stop', experiment: experiment.id, timeout: 5 });
    return { run: experiment.id, checkpoint: checkpoint.id };
  } finally {
    await c.end();
  }
}

export async function buildUiRegistryWorld(): Promise<UiRegistryWorld> {
  const work = mkdtempSync(join(tmpdir(), 'trove-uireg-'));
  const origin = join(work, 'origin.git');
  git(work, ['init', '-q', '--bare', '-b', 'main', origin]);
  const repo = createTmpRepo();
  const dir = repo.dir;
  git(dir, ['config', 'user.name', 'Ann']);
  git(dir, ['config', 'user.email', 'ann@example.com']);
  ok(dir, ['remote', 'add', '-d', 'storage', join(work, 'store')]);
  put(dir, '', { 'train.py': 'print("train")\n', '.gitignore': 'out/\n' });
  const cat = ['--category', 'handwritten', '--category', 'digits'];
  ok(dir, ['create', 'dataset', 'mnist', ...cat, '--mutability', 'strict'], at(UT.declared));
  ok(dir, ['create', 'labels', 'labelsmnist', ...cat, '--mutability', 'strict'], at(UT.declared));
  ok(dir, ['create', 'model', 'modelmnist', ...cat, '--mutability', 'mutable'], at(UT.declared));
  git(dir, ['add', '-A'], at(UT.declared));
  git(dir, ['commit', '-q', '-m', 'declare mnist, labelsmnist, modelmnist'], at(UT.declared));
  const paths = { dataset: 'dataset/handwritten/digits/mnist', labels: 'labels/handwritten/digits/labelsmnist', model: 'model/handwritten/digits/modelmnist' };

  put(dir, paths.dataset, images(0, 20));
  ok(dir, ['version', 'mnist'], at(UT.v1));
  put(dir, paths.labels, { 'labels.csv': labelCsv(0, 20) });
  ok(dir, ['version', 'labelsmnist', '--dataset', 'mnist'], at(UT.v1));
  const a = await train(dir, 0.01, 'weights-v1-'.repeat(300), 0.95);
  ok(dir, ['exp', 'promote', a.checkpoint.slice(0, 12), 'modelmnist'], at(UT.model1));

  put(dir, paths.dataset, images(20, 30));
  ok(dir, ['version', 'mnist'], at(UT.v2));
  put(dir, paths.labels, { 'labels-2.csv': labelCsv(20, 30) });
  ok(dir, ['version', 'labelsmnist', '--dataset', 'mnist'], at(UT.v2));
  // Run B also reads a tracked file that is no registry version: a path node in the graph.
  put(dir, 'extra', { 'vocab.txt': 'zero one two three four five six seven eight nine\n' });
  ok(dir, ['add', 'extra/vocab.txt']);
  git(dir, ['add', '-A'], at(UT.v2));
  git(dir, ['commit', '-q', '-m', 'vocabulary'], at(UT.v2));
  const b = await train(dir, 0.02, 'weights-v2-'.repeat(400), 0.9746);
  ok(dir, ['exp', 'promote', b.checkpoint.slice(0, 12), 'modelmnist'], at(UT.model2));

  git(dir, ['remote', 'add', 'origin', origin]);
  git(dir, ['push', '-q', 'origin', 'main', '--tags']);
  const gh = fakeGh(join(work, 'bin'), join(work, 'ghlog'));
  const promote = (ref: string, stage: string, when: string, merged: string): void => {
    const r = ok(dir, ['promote', ref, '--to', stage], { ...at(when), ...gh.env });
    // The reviewer's merge, as on GitHub: a merge commit on main.
    git(dir, ['merge', '-q', '--no-ff', '-m', `Merge ${r.branch}`, r.branch], at(merged));
    git(dir, ['push', '-q', 'origin', 'main']); // the next promotion starts from origin/main
  };
  promote('modelmnist@v1.0.0', 'production', UT.promote1, UT.merge1);
  promote('modelmnist@v2.0.0', 'staging', UT.promote2, UT.merge2);
  promote('modelmnist@v2.0.0', 'production', UT.promote3, UT.merge3);
  return {
    repo,
    dir,
    runA: a.run,
    runB: b.run,
    paths,
    cleanup() {
      repo.cleanup();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
