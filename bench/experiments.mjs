#!/usr/bin/env node
// The experiments' rows of `npm run bench` (issue 15): what recording runs from a
// training script costs in disk and in the training loop's time.
//
//   E1  Store growth of 50 checkpoints of one model file (model.pth = a frozen
//       ~100 MB backbone of random bytes that never changes + a 256 KiB head that
//       changes every step, the whole file rewritten each step as torch.save
//       does), recorded with the Python client: du of .trove/cache after minus
//       before, against one checkpoint's size; target <= 1.5x. Beside it, on the
//       same files: Keepsake's layout (a tar.gz per checkpoint, made with
//       python3's tarfile, gzip at its default level) and whole-file dedup (DVC's
//       cache: one copy per distinct md5, i.e. the sum of the distinct files' sizes).
//   E2  `experiment.checkpoint(path="model.pth")` of the same 100 MB file from
//       Python, timed around the call inside the loop (each step rewrites the
//       file with a new head first, outside the timing); median over the steps;
//       without a remote, then with a directory remote (`trove remote add -d`);
//       target <= 0.3 s and with-remote no slower than without.
//   E3  `trove exp ls` over 1,000 runs x 100 checkpoints, written with one `git
//       fast-import` by the test fixture (dist/test/helpers/experimentFixture.js,
//       the run format of docs/formats.md); wall clock of the whole process,
//       median of BENCH_REPEATS after a warm-up; target <= 0.5 s.
//   E4  `experiment.checkpoint(step=i, metrics={...})` with no files, from Python:
//       mean over 1,000 calls after one warm-up call; target <= 5 ms.
//
// E1, E2 and E4 install the Python client (python/) into a venv under the work
// directory (`python3 -m venv --system-site-packages`, `pip install ./python`)
// and run bench/lib/exp_driver.py with TROVE_BIN set. Needs `npm run build`.
//
// Environment: BENCH_ROWS (E1,E2,E3,E4; a subset prints and writes nothing),
// BENCH_KEEP=1 (keep the work directory), BENCH_REPEATS (5), BENCH_DOCS=0,
// BENCH_WORK_DIR (bench/work), TROVE_BIN, and the sizes: BENCH_EXP_STEPS (50),
// BENCH_EXP_BACKBONE_MB (100), BENCH_EXP_HEAD_MB (0.25: a classifier head such as a 2048x32 float32 linear layer), BENCH_EXP_E2_STEPS (10),
// BENCH_EXP_RUNS (1000), BENCH_EXP_CHECKPOINTS (100), BENCH_EXP_CALLS (1000), BENCH_EXP_SEED
// (1; the model's bytes are seeded so every run stores the same files).
// The results also go to bench/results/experiments.json.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { makeShell } from './lib/benchRepo.mjs';
import { dirBytes, fileBytes, median, round, runCmd } from './lib/measure.mjs';
import { machineInfo } from './lib/report.mjs';
import { replaceDocBlock } from './lib/docBlock.mjs';
import { recordResults } from './lib/results.mjs';
import { ROOT, TROVE_BIN } from './lib/tools.mjs';
import { gitEnv, removeTree } from './lib/workloads.mjs';

const env = process.env;
const repeats = Number(env.BENCH_REPEATS ?? 5);
const rows = (env.BENCH_ROWS ?? 'E1,E2,E3,E4').split(',');
if (env.BENCH_ROWS) env.BENCH_DOCS = '0';
const MB = 1_000_000;
const size = {
  steps: Number(env.BENCH_EXP_STEPS ?? 50),
  backbone: Math.round(Number(env.BENCH_EXP_BACKBONE_MB ?? 100) * MB),
  head: Math.round(Number(env.BENCH_EXP_HEAD_MB ?? 0.25) * MB),
  e2Steps: Number(env.BENCH_EXP_E2_STEPS ?? 10),
  runs: Number(env.BENCH_EXP_RUNS ?? 1000),
  checkpoints: Number(env.BENCH_EXP_CHECKPOINTS ?? 100),
  calls: Number(env.BENCH_EXP_CALLS ?? 1000),
  seed: Number(env.BENCH_EXP_SEED ?? 1),
};
const work = path.resolve(ROOT, env.BENCH_WORK_DIR ?? 'bench/work', 'experiments');
const docPath = path.join(ROOT, 'docs', 'benchmarks.md');
const jsonPath = path.join(ROOT, 'bench', 'results', 'experiments.json');
const driver = path.join(ROOT, 'bench', 'lib', 'exp_driver.py');
const t0 = Date.now();
const log = (m) => process.stderr.write(`[experiments-bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${m}\n`);

removeTree(work);
fs.mkdirSync(work, { recursive: true });
const gitE = { ...gitEnv(work), TROVE_BIN, NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: '' };

const { sh, trove, newRepo: newRepoIn } = makeShell(gitE);
const newRepo = (name) => newRepoIn(work, name, { gitignore: 'model.pth\n' });

// The Python client, as a user installs it (see test/e2e/python.test.ts).
let python = null;
function venvPython() {
  if (python) return python;
  const venv = path.join(work, 'venv');
  sh(work, 'python3', ['-m', 'venv', '--system-site-packages', venv]);
  const py = path.join(venv, 'bin', 'python');
  const pyDir = path.join(ROOT, 'python');
  const pip = spawnSync(py, ['-m', 'pip', 'install', '--quiet', pyDir], { encoding: 'utf8' });
  // no index reachable: build with what the venv sees
  if (pip.status !== 0) sh(work, py, ['-m', 'pip', 'install', '--quiet', '--no-index', '--no-build-isolation', pyDir]);
  python = py;
  return py;
}
const drive = (cwd, ...args) => JSON.parse(sh(cwd, venvPython(), [driver, ...args.map(String)]).trim().split('\n').pop());
const cacheBytes = (dir) => dirBytes(path.join(dir, '.trove', 'cache'));

const results = { schema: 1, date: new Date().toISOString(), machine: machineInfo(work), repeats, sizes: size, rows: {} };

// ---------------------------------------------------------------- E1
if (rows.includes('E1')) {
  log(`E1: ${size.steps} checkpoints of a ${size.backbone / MB} MB backbone + ${size.head / MB} MB head`);
  const dir = newRepo('e1');
  const before = cacheBytes(dir);
  const r = drive(dir, 'e1', size.steps, size.backbone, size.head, path.join(work, 'keepsake'));
  const grew = cacheBytes(dir) - before;
  const one = r.checkpointBytes;
  // Where the growth is: chunk and whole-file objects, chunk lists, and what du counts besides file bytes (directories).
  const cache = path.join(dir, '.trove', 'cache');
  const parts = { objectsFileBytes: fileBytes(path.join(cache, 'objects')), chunkListFileBytes: fileBytes(path.join(cache, 'files')), allFileBytes: fileBytes(cache), duBytes: dirBytes(cache) };
  results.rows.storage = {
    steps: r.steps,
    checkpointBytes: one,
    trove: { bytes: grew, ratio: round(grew / one, 2), parts },
    keepsake: { bytes: r.keepsakeBytes, ratio: round(r.keepsakeBytes / one, 2) },
    dvc: { bytes: r.dvcBytes, ratio: round(r.dvcBytes / one, 2), distinctFiles: r.distinctFiles },
    how: 'du -sb of .trove/cache after minus before the run (checkpoints recorded by the Python client); Keepsake: sum of python3 tarfile w:gz archive sizes, one per checkpoint; DVC: sum of sizes of distinct files by md5',
    // What no store can go below: the first checkpoint plus every later step's new head.
    floorRatio: round((one + (r.steps - 1) * size.head) / one, 3),
    target: '≤ 1.5× one checkpoint',
    ok: grew / one <= 1.5,
  };
  log(`E1: store ${JSON.stringify(parts)}`);
  log(`E1: trove ${grew} B (${round(grew / one, 2)}×), keepsake ${r.keepsakeBytes} B, dvc ${r.dvcBytes} B, one checkpoint ${one} B`);
  if (env.BENCH_KEEP !== '1') removeTree(dir);
}

// ---------------------------------------------------------------- E2
if (rows.includes('E2')) {
  log(`E2: checkpoint() of a ${(size.backbone + size.head) / MB} MB file, ${size.e2Steps} steps, without and with a remote`);
  const plain = newRepo('e2-plain');
  const a = drive(plain, 'e2', size.e2Steps, size.backbone, size.head);
  const remoted = newRepo('e2-remote');
  const remoteDir = path.join(work, 'e2-remote-store');
  fs.mkdirSync(remoteDir, { recursive: true });
  trove(remoted, 'remote', 'add', '-d', 'bench', remoteDir);
  const b = drive(remoted, 'e2', size.e2Steps, size.backbone, size.head);
  const m = round(median(a.stepsS), 3);
  const mr = round(median(b.stepsS), 3);
  results.rows.checkpoint = {
    medianS: m,
    runsS: a.stepsS.map((x) => round(x, 3)),
    stopS: round(a.stopS, 3),
    remote: { medianS: mr, runsS: b.stepsS.map((x) => round(x, 3)), stopS: round(b.stopS, 3), remoteBytes: dirBytes(remoteDir) },
    fileBytes: size.backbone + size.head,
    how: 'time.perf_counter() around experiment.checkpoint(path="model.pth") in the Python loop, each step after rewriting the file with a new head; median over the steps',
    target: '≤ 0.3 s; with a remote no slower',
    ok: m <= 0.3 && mr <= m * 1.1,
  };
  log(`E2: ${m} s without a remote, ${mr} s with (stop ${round(a.stopS, 2)} s / ${round(b.stopS, 2)} s)`);
  if (env.BENCH_KEEP !== '1') [plain, remoted, remoteDir].forEach(removeTree);
}

// ---------------------------------------------------------------- E3
if (rows.includes('E3')) {
  log(`E3: trove exp ls over ${size.runs} runs x ${size.checkpoints} checkpoints`);
  const { bulkRuns, writeRuns } = await import(pathToFileURL(path.join(ROOT, 'dist', 'test', 'helpers', 'experimentFixture.js')).href);
  const dir = newRepo('e3');
  const tf = Date.now();
  writeRuns(dir, bulkRuns(size.runs, size.checkpoints));
  const fixtureS = (Date.now() - tf) / 1000;
  const time = async (args, check) => {
    trove(dir, ...args); // warm-up
    const xs = [];
    for (let i = 0; i < repeats; i++) {
      const r = await runCmd(process.execPath, [TROVE_BIN, ...args], { cwd: dir, env: gitE });
      if (!r.ok) throw new Error(`trove ${args.join(' ')} failed: ${r.stderr}`);
      xs.push(r.wallS);
    }
    if (check) check(trove(dir, ...args));
    return { medianS: round(median(xs), 3), runsS: xs.map((x) => round(x, 3)), command: `trove ${args.join(' ')}` };
  };
  const text = await time(['exp', 'ls']);
  const json = await time(['--json', 'exp', 'ls'], (out) => {
    const n = JSON.parse(out).result.experiments.length;
    if (n !== size.runs) throw new Error(`trove exp ls listed ${n} runs, expected ${size.runs}`);
  });
  const filtered = await time(['--json', 'exp', 'ls', '--filter', 'learning_rate = 0.01', '--sort', '-accuracy']);
  results.rows.expLs = {
    ...text,
    json,
    filterSort: filtered,
    runs: size.runs,
    checkpoints: size.checkpoints,
    fixtureS: round(fixtureS, 2),
    how: 'wall clock of the whole trove process; runs written with git fast-import by test/helpers/experimentFixture.ts (bulkRuns)',
    target: '≤ 0.5 s (Keepsake: 63 s on S3 before its fix, 1.7 s after, replicate/keepsake#37)',
    ok: text.medianS <= 0.5,
  };
  log(`E3: ${text.medianS} s (json ${json.medianS} s, filter+sort ${filtered.medianS} s)`);
  if (env.BENCH_KEEP !== '1') removeTree(dir);
}

// ---------------------------------------------------------------- E4
if (rows.includes('E4')) {
  log(`E4: ${size.calls} checkpoint(metrics=...) calls with no files`);
  const dir = newRepo('e4');
  const r = drive(dir, 'e4', size.calls);
  results.rows.metricsOnly = {
    meanMs: round(r.meanS * 1000, 2),
    calls: r.calls,
    totalS: round(r.totalS, 3),
    how: 'time.perf_counter() around the loop of calls in Python, divided by the number of calls (one warm-up call before)',
    target: '≤ 5 ms',
    ok: r.meanS <= 0.005,
  };
  log(`E4: ${round(r.meanS * 1000, 2)} ms per call`);
}
if (env.BENCH_KEEP !== '1') removeTree(work);

recordResults(results, { jsonPath, t0, env });

const r = results.rows;
const mb = (b) => `${round(b / MB, b < MB ? 2 : 1)} MB`;
const yes = (ok) => (ok ? 'yes' : '**no**');
const md = [
  `_Generated by \`npm run bench\` (\`bench/experiments.mjs\`) on ${results.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, on the machine above (${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.fsType})._`,
  '',
  '| step | trove | target | met |',
  '|:--|--:|:--|:--|',
  `| store growth, ${r.storage.steps} checkpoints of a ${mb(r.storage.checkpointBytes)} model.pth (frozen ${mb(size.backbone)} backbone, ${mb(size.head)} head changed every step) | ${mb(r.storage.trove.bytes)} = ${r.storage.trove.ratio}× one checkpoint (floor, every new head stored once: ${r.storage.floorRatio}×; chunks ${mb(r.storage.trove.parts.objectsFileBytes)}, chunk lists ${mb(r.storage.trove.parts.chunkListFileBytes)}; Keepsake's tar.gz per checkpoint: ${mb(r.storage.keepsake.bytes)} = ${r.storage.keepsake.ratio}×; whole-file dedup as DVC's cache: ${mb(r.storage.dvc.bytes)} = ${r.storage.dvc.ratio}×) | ${r.storage.target} | ${yes(r.storage.ok)} |`,
  `| \`experiment.checkpoint(path=…)\` of a ${mb(r.checkpoint.fileBytes)} file from Python, median of ${r.checkpoint.runsS.length} steps | ${r.checkpoint.medianS} s (with a directory remote: ${r.checkpoint.remote.medianS} s) | ${r.checkpoint.target} | ${yes(r.checkpoint.ok)} |`,
  `| \`trove exp ls\` over ${r.expLs.runs} runs × ${r.expLs.checkpoints} checkpoints | ${r.expLs.medianS} s (\`--json\` ${r.expLs.json.medianS} s, \`--filter … --sort …\` ${r.expLs.filterSort.medianS} s) | ${r.expLs.target} | ${yes(r.expLs.ok)} |`,
  `| \`experiment.checkpoint(metrics=…)\` with no files, from Python, mean of ${r.metricsOnly.calls} calls | ${r.metricsOnly.meanMs} ms | ${r.metricsOnly.target} | ${yes(r.metricsOnly.ok)} |`,
  '',
  `Runs (s): checkpoint ${r.checkpoint.runsS.join(', ')}; with a remote ${r.checkpoint.remote.runsS.join(', ')}; exp ls ${r.expLs.runsS.join(', ')}.`,
  '',
  'How: store growth is `du -sb .trove/cache` after minus before, the checkpoints recorded by the Python client (`pip install ./python`), each step rewriting the whole model.pth as `torch.save` does (bytes seeded with BENCH_EXP_SEED=' + size.seed + '; besides the new head, each step stores again the part of the backbone after its last chunk boundary, on average about one chunk, ~290 KiB on random data); Keepsake\'s figure is the sum of the `tar.gz` archives (python3 `tarfile`, gzip at its default level) of the same files, DVC\'s the sum of the sizes of the distinct files by md5. Checkpoint times are `time.perf_counter()` around the call in the Python loop (the file is rewritten before, outside the timing); "no slower" allows 10 % for this VM\'s noise. `exp ls` is the wall clock of the whole process, median of ' + repeats + ' runs after a warm-up, over runs written with `git fast-import` by the test fixture.',
].join('\n');
if (env.BENCH_DOCS !== '0') {
  replaceDocBlock(docPath, 'experiments-bench', md, { heading: 'Experiments (issue 15)', intro: '`npm run bench` ends with `bench/experiments.mjs` (alone: `npm run bench:experiments`), which rewrites\nthe block below.' });
  log('report: docs/benchmarks.md');
}
process.stdout.write(`${md}\n`);

