import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { initExperiment } from '../../src/api/initExperiment.js';
import { createTmpRepo, pseudoRandom, type TmpRepo } from './tmpRepo.js';

/**
 * A repository with real runs, made by the library's own writer (what
 * trove.init/checkpoint do), for the run page, compare and plots:
 * - run A (lr 0.1): two checkpoints of out/ (a 3 MiB model.bin + config.json);
 *   the second changes only 16 KiB at the end of model.bin, so it shares most
 *   bytes with the first. The store files each checkpoint made appear are
 *   recorded (`storeGrowth`) to check "bytes added" against.
 * - run B (lr 0.01, train.py edited and not committed): one checkpoint of a
 *   single file out2/notes.txt.
 * - runs C, D: metrics only, other params (for the plots).
 */
export interface RunFixture {
  readonly repo: TmpRepo;
  readonly a: string;
  readonly b: string;
  readonly c: string;
  readonly d: string;
  /** model.bin as stored at A's second checkpoint */
  readonly modelAtStep2: Buffer;
  readonly notes: Buffer;
  /** bytes of the store files that appeared during each of A's checkpoint() calls */
  readonly storeGrowth: number[];
  /** (lr, accuracy at the best checkpoint) of every run, for the scatter */
  readonly points: { id: string; lr: number; accuracy: number }[];
}

function storeFiles(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(p, st.size);
    }
  };
  for (const sub of ['objects', 'files']) walk(join(dir, '.trove', 'cache', sub));
  return out;
}

function grownBy(before: Map<string, number>, after: Map<string, number>): number {
  let n = 0;
  for (const [p, size] of after) if (!before.has(p)) n += size;
  return n;
}

export async function makeRunFixture(): Promise<RunFixture> {
  const repo = createTmpRepo();
  repo.write('.gitignore', 'out/\nout2/\n');
  repo.write('train.py', 'import trove\nlr = 0.1\nfor step in range(2):\n    train(lr)\n');
  repo.git('add', '-A');
  repo.git('commit', '-qm', 'train.py');

  const expA = await initExperiment({ cwd: repo.dir }, { params: { lr: 0.1, batch: 32, optimizer: 'adam' }, primaryMetric: ['accuracy', 'maximize'], command: ['python', 'train.py'], python: '3.11.7', packages: { torch: '2.3.0' } });
  const backbone = pseudoRandom(3 * 1024 * 1024, 7);
  const storeGrowth: number[] = [];
  repo.write('out/config.json', '{"layers": 4}\n');
  repo.write('out/model.bin', Buffer.concat([backbone, pseudoRandom(16 * 1024, 101)]));
  let before = storeFiles(repo.dir);
  await expA.checkpoint({ path: 'out', step: 1, metrics: { accuracy: 0.7, loss: 0.9 } });
  storeGrowth.push(grownBy(before, storeFiles(repo.dir)));
  const modelAtStep2 = Buffer.concat([backbone, pseudoRandom(16 * 1024, 202)]);
  repo.write('out/model.bin', modelAtStep2);
  before = storeFiles(repo.dir);
  await expA.checkpoint({ path: 'out', step: 2, metrics: { accuracy: 0.8, loss: 0.5 } });
  storeGrowth.push(grownBy(before, storeFiles(repo.dir)));
  await expA.stop();

  repo.write('train.py', 'import trove\nlr = 0.01\nfor step in range(2):\n    train(lr)\nprint("done")\n');
  const expB = await initExperiment({ cwd: repo.dir }, { params: { lr: 0.01, batch: 32, optimizer: 'adam' }, primaryMetric: ['accuracy', 'maximize'] });
  const notes = Buffer.from('run b notes\n');
  repo.write('out2/notes.txt', notes);
  await expB.checkpoint({ path: 'out2/notes.txt', step: 1, metrics: { accuracy: 0.85, loss: 0.4 } });
  await expB.stop();
  repo.git('checkout', '--', 'train.py');

  const expC = await initExperiment({ cwd: repo.dir }, { params: { lr: 0.001, batch: 64, optimizer: 'sgd' }, primaryMetric: ['accuracy', 'maximize'] });
  await expC.checkpoint({ step: 1, metrics: { accuracy: 0.6, loss: 1.1 } });
  await expC.checkpoint({ step: 2, metrics: { accuracy: 0.65, loss: 1.0 } });
  await expC.stop();
  const expD = await initExperiment({ cwd: repo.dir }, { params: { lr: 0.05, batch: 64, optimizer: 'sgd' }, primaryMetric: ['accuracy', 'maximize'] });
  await expD.checkpoint({ step: 1, metrics: { accuracy: 0.75, loss: 0.7 } });
  await expD.stop();

  return {
    repo,
    a: expA.id,
    b: expB.id,
    c: expC.id,
    d: expD.id,
    modelAtStep2,
    notes,
    storeGrowth,
    points: [
      { id: expA.id, lr: 0.1, accuracy: 0.8 },
      { id: expB.id, lr: 0.01, accuracy: 0.85 },
      { id: expC.id, lr: 0.001, accuracy: 0.65 },
      { id: expD.id, lr: 0.05, accuracy: 0.75 },
    ],
  };
}
