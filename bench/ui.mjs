#!/usr/bin/env node
// The web UI's rows of `npm run bench` (issue 16), measured in Debian's chromium
// (the same browser and flags as the tests, test/helpers/uiBrowser.ts).
//
//   U1  `trove ui` start to first page served: spawn of the CLI to the end of
//       the response to GET / (the app page) and GET /api/overview, median of
//       BENCH_REPEATS; target <= 0.5 s.
//   U2  The runs page with 1,000 runs (10 params, 5 metrics, 1,000 steps each,
//       written with one `git fast-import` by the test fixture): from the
//       navigation's start to the table interactive (the page's
//       `trove:runs-table` mark) and to 10 runs' curves drawn (`trove:curves-drawn`),
//       read from the browser's performance timeline; the page is opened
//       with the 10 runs preselected (`#/runs?select=ID,…&metric=loss`), as a
//       bookmarked comparison is. Median of BENCH_REPEATS page loads; target <= 1 s.
//   U3  The data-history page of the W2 dataset (20,000 files, bench/lib/data.mjs)
//       over 20 versions (each rewrites 100 files and adds 10): navigation
//       start to the versions table with its sizes and bytes new drawn
//       (`trove:data-history`), median of BENCH_REPEATS; target <= 1 s.
//
// Environment: BENCH_ROWS (U1,U2,U3; a subset prints and writes nothing),
// BENCH_REPEATS (5), BENCH_KEEP=1, BENCH_DOCS=0, BENCH_WORK_DIR (bench/work),
// BENCH_UI_RUNS (1000), BENCH_UI_STEPS (1000), BENCH_W2_FILES (20000),
// BENCH_UI_VERSIONS (20), TROVE_BIN. Results also go to bench/results/ui.json.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { makeShell } from './lib/benchRepo.mjs';
import { pickSpread, rewriteEntries, w2Layout, writeLayout } from './lib/data.mjs';
import { median, round } from './lib/measure.mjs';
import { machineInfo } from './lib/report.mjs';
import { replaceDocBlock } from './lib/docBlock.mjs';
import { recordResults } from './lib/results.mjs';
import { ROOT, TROVE_BIN } from './lib/tools.mjs';
import { gitEnv, removeTree } from './lib/workloads.mjs';

const env = process.env;
const repeats = Number(env.BENCH_REPEATS ?? 5);
const rows = (env.BENCH_ROWS ?? 'U1,U2,U3').split(',');
if (env.BENCH_ROWS) env.BENCH_DOCS = '0';
const size = {
  runs: Number(env.BENCH_UI_RUNS ?? 1000),
  steps: Number(env.BENCH_UI_STEPS ?? 1000),
  files: Number(env.BENCH_W2_FILES ?? 20000),
  versions: Number(env.BENCH_UI_VERSIONS ?? 20),
};
const work = path.resolve(ROOT, env.BENCH_WORK_DIR ?? 'bench/work', 'ui');
const docPath = path.join(ROOT, 'docs', 'benchmarks.md');
const jsonPath = path.join(ROOT, 'bench', 'results', 'ui.json');
const t0 = Date.now();
const log = (m) => process.stderr.write(`[ui-bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${m}\n`);

removeTree(work);
fs.mkdirSync(work, { recursive: true });
const gitE = { ...gitEnv(work), TROVE_BIN, NO_COLOR: '1' };

const { sh, trove, newRepo: newRepoIn } = makeShell(gitE);
const newRepo = (name) => newRepoIn(work, name);

/** `trove ui --json` in `dir`; resolves when it printed its address. */
function startUi(dir) {
  const t = performance.now();
  const child = spawn(process.execPath, [TROVE_BIN, 'ui', '--port', '0', '--json'], { cwd: dir, env: gitE, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0 || out.length - d.length > nl) return;
      const { url } = JSON.parse(out.slice(0, nl)).result;
      resolve({ url, child, t, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))) });
    });
    child.once('exit', (code) => reject(new Error(`trove ui exited with ${code}: ${err}`)));
  });
}

const results = { schema: 1, date: new Date().toISOString(), machine: machineInfo(work), repeats, sizes: size, rows: {} };

// ---------------------------------------------------------------- U1
if (rows.includes('U1')) {
  const dir = newRepo('u1');
  const xs = [];
  for (let i = 0; i < repeats + 1; i++) {
    const ui = await startUi(dir);
    const page = await fetch(ui.url);
    await page.text();
    const ov = await fetch(`${ui.url}api/overview`);
    await ov.json();
    const s = (performance.now() - ui.t) / 1000;
    await ui.stop();
    if (i > 0) xs.push(s); // the first start warms the disk cache
  }
  results.rows.start = { medianS: round(median(xs), 3), runsS: xs.map((x) => round(x, 3)), target: '≤ 0.5 s', ok: median(xs) <= 0.5 };
  log(`U1: ${results.rows.start.medianS} s`);
}

// The browser, as the tests start it.
let browser = null;
async function openBrowser() {
  if (browser) return browser;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: env.TROVE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return browser;
}

/** Open `url` in a fresh context and wait for the performance marks; their startTime is ms since navigation start. */
async function timeMarks(url, marks, timeoutMs = 60_000) {
  const b = await openBrowser();
  const context = await b.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  const got = {};
  for (const m of marks) {
    await page.waitForFunction((name) => performance.getEntriesByName(name, 'mark').length > 0, m, { timeout: timeoutMs });
    got[m] = await page.evaluate((name) => performance.getEntriesByName(name, 'mark')[0].startTime, m);
  }
  await context.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  return got;
}

// ---------------------------------------------------------------- U2
if (rows.includes('U2')) {
  log(`U2: writing ${size.runs} runs x ${size.steps} steps (10 params, 5 metrics)`);
  const { writeRuns } = await import(pathToFileURL(path.join(ROOT, 'dist', 'test', 'helpers', 'experimentFixture.js')).href);
  const dir = newRepo('u2');
  const runs = [];
  for (let i = 0; i < size.runs; i++) {
    const lr = [0.1, 0.03, 0.01, 0.003, 0.001][i % 5];
    const params = { learning_rate: lr, batch_size: [32, 64, 128][i % 3], epochs: 10, optimizer: ['adam', 'sgd'][i % 2], dropout: (i % 5) / 10, layers: 2 + (i % 4), hidden: 128, weight_decay: 0.0001, warmup: i % 3, seed: i };
    const checkpoints = new Array(size.steps);
    for (let s = 0; s < size.steps; s++) {
      const loss = 1 / (1 + s * lr) + ((i * 7 + s) % 13) / 1000;
      checkpoints[s] = { step: s, created: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000 + s * 1000).toISOString(), metrics: { loss, accuracy: 1 - loss / 2, val_loss: loss * 1.1, val_accuracy: 1 - loss / 1.8, lr: lr * (1 - s / size.steps) } };
    }
    runs.push({ params, primary_metric: { name: 'val_loss', goal: 'minimize' }, checkpoints, created: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString() });
  }
  const done = writeRuns(dir, runs);
  const ids = done.slice(0, 10).map((r) => r.experiment.id);
  log('U2: measuring the runs page');
  const ui = await startUi(dir);
  const table = [];
  const curves = [];
  try {
    for (let i = 0; i < repeats + 1; i++) {
      const m = await timeMarks(`${ui.url}#/runs?select=${ids.join(',')}&metric=loss`, ['trove:runs-table', 'trove:curves-drawn']);
      if (i === 0) continue; // warm-up: the server's first read of 1,000 run refs
      table.push(m['trove:runs-table'] / 1000);
      curves.push(m['trove:curves-drawn'] / 1000);
    }
  } finally {
    await ui.stop();
  }
  const worst = Math.max(median(table), median(curves));
  results.rows.runsPage = { runs: size.runs, steps: size.steps, tableS: round(median(table), 3), curvesS: round(median(curves), 3), tableRunsS: table.map((x) => round(x, 3)), curvesRunsS: curves.map((x) => round(x, 3)), target: '≤ 1 s', ok: worst <= 1 };
  log(`U2: table ${results.rows.runsPage.tableS} s, 10 curves ${results.rows.runsPage.curvesS} s`);
}

// ---------------------------------------------------------------- U3
if (rows.includes('U3')) {
  log(`U3: W2 (${size.files} files) over ${size.versions} versions`);
  const dir = newRepo('u3');
  const layout = w2Layout(size.files, 100);
  writeLayout(dir, layout, 'w2/base');
  trove(dir, 'add', 'data');
  sh(dir, 'git', ['add', '-A']);
  sh(dir, 'git', ['commit', '-qm', 'data v1']);
  for (let v = 2; v <= size.versions; v++) {
    rewriteEntries(dir, pickSpread(layout, 100 + v), `w2/v${v}`);
    const extra = Array.from({ length: 10 }, (_, k) => ({ rel: `data/new/v${v}-${k}.bin`, size: 4096 + k }));
    writeLayout(dir, extra, `w2/new${v}`);
    trove(dir, 'add', 'data');
    sh(dir, 'git', ['add', '-A']);
    sh(dir, 'git', ['commit', '-qm', `data v${v}`]);
  }
  log('U3: measuring the data-history page');
  // Cold: a fresh server whose first answer reads every version's manifest; warm: the same page again
  // (the server keeps each path's history in memory and extends it by the commits made since).
  const cold = [];
  const warm = [];
  for (let i = 0; i < repeats + 1; i++) {
    const ui = await startUi(dir);
    try {
      const c = await timeMarks(`${ui.url}#/data/data`, ['trove:data-history']);
      const w = await timeMarks(`${ui.url}#/data/data`, ['trove:data-history']);
      if (i === 0) continue; // warm-up: the disk cache and the browser's first start
      cold.push(c['trove:data-history'] / 1000);
      warm.push(w['trove:data-history'] / 1000);
    } finally {
      await ui.stop();
    }
  }
  results.rows.dataHistory = { files: size.files, versions: size.versions, medianS: round(median(cold), 3), runsS: cold.map((x) => round(x, 3)), warmS: round(median(warm), 3), warmRunsS: warm.map((x) => round(x, 3)), target: '≤ 1 s', ok: median(cold) <= 1 };
  log(`U3: ${results.rows.dataHistory.medianS} s`);
}
if (browser) await browser.close();
if (env.BENCH_KEEP !== '1') removeTree(work);

recordResults(results, { jsonPath, t0, env });

const r = results.rows;
const yes = (ok) => (ok ? 'yes' : '**no**');
const md = [
  `_Generated by \`npm run bench\` (\`bench/ui.mjs\`) on ${results.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, on the machine above (${results.machine.cpu}, ${results.machine.cores} cores), in Debian's chromium (headless)._`,
  '',
  '| step | trove ui | target | met |',
  '|:--|--:|:--|:--|',
  `| \`trove ui\` start to first page served (spawn to GET / and /api/overview answered), median of ${r.start.runsS.length} | ${r.start.medianS} s | ${r.start.target} | ${yes(r.start.ok)} |`,
  `| runs page, ${r.runsPage.runs} runs × ${r.runsPage.steps} steps (10 params, 5 metrics): table interactive / 10 runs' curves drawn, from navigation start | ${r.runsPage.tableS} s / ${r.runsPage.curvesS} s | ${r.runsPage.target} | ${yes(r.runsPage.ok)} |`,
  `| data-history page of W2 (${r.dataHistory.files} files) over ${r.dataHistory.versions} versions, from navigation start to the versions with sizes and bytes new drawn: first load of a fresh server / again | ${r.dataHistory.medianS} s / ${r.dataHistory.warmS} s | ${r.dataHistory.target} | ${yes(r.dataHistory.ok)} |`,
  '',
  `Runs (s): start ${r.start.runsS.join(', ')}; runs table ${r.runsPage.tableRunsS.join(', ')}; curves ${r.runsPage.curvesRunsS.join(', ')}; data history ${r.dataHistory.runsS.join(', ')} (again: ${r.dataHistory.warmRunsS.join(', ')}).`,
  '',
  'How: page times are the `performance.mark` each page sets when it has drawn (`trove:runs-table`, `trove:curves-drawn`, `trove:data-history`), read from the browser\'s performance timeline; its zero is the navigation\'s start, so they include loading the app, the API calls and drawing. The runs page is the median of ' + repeats + ' loads in fresh browser contexts after one warm-up load (the server\'s first read of the run refs); the data-history page is the median of ' + repeats + ' first loads, each on a freshly started server (its answer reads every version\'s manifest), and then again on that server (kept in memory, extended by new commits). Runs are written with `git fast-import` by the test fixture; W2\'s versions with real `trove add` and `git commit`.',
].join('\n');
if (env.BENCH_DOCS !== '0') {
  replaceDocBlock(docPath, 'ui-bench', md, { heading: 'Web UI (issue 16)', intro: '`npm run bench` ends with `bench/ui.mjs` (alone: `npm run bench:ui`), which rewrites the block below.' });
  log('report: docs/benchmarks.md');
}
process.stdout.write(`${md}\n`);
