#!/usr/bin/env node
// The registry's rows of `npm run bench` (issue 14): how long trove's registry
// commands take at the sizes where other registries slow down.
//
//   R1  `trove registry` with 100 entities x 20 versions (2,000 version tags)
//       and 500 stage assignments. GTO takes 6-12 s at ~1,500 tags (its issue
//       #156) because it reads every tag through GitPython one at a time.
//   R2  `trove metrics NAME` over 1,000 versions.
//   R3  `trove version NAME` of a 20,000-file dataset after 100 files changed.
//   R4  `trove checkout MODEL@v1.0.0 --with-deps` beside `trove checkout --rev`
//       of the same commit and paths, everything in the local store.
//
// R1 and R2 build their repositories with `git fast-import` (the tags and
// records are written with trove's own codecs, from dist/), so generating
// 2,000 annotated tags takes a second, not minutes; R3 and R4 run the real
// commands on real files (the W2 layout of bench/lib/data.mjs).
//
// Environment: BENCH_ROWS, BENCH_KEEP (see below), BENCH_REPEATS (runs per timed step, median; default 5),
// BENCH_W2_FILES (default 20000), BENCH_DOCS=0 (do not rewrite
// docs/benchmarks.md), BENCH_WORK_DIR (default bench/work), TROVE_BIN.
// The results also go to bench/results/registry.json.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { makeShell } from './lib/benchRepo.mjs';
import { pickSpread, rewriteEntries, w2Layout, writeLayout } from './lib/data.mjs';
import { median, round, runCmd } from './lib/measure.mjs';
import { machineInfo } from './lib/report.mjs';
import { replaceDocBlock } from './lib/docBlock.mjs';
import { recordResults } from './lib/results.mjs';
import { ROOT, TROVE_BIN } from './lib/tools.mjs';
import { gitEnv, removeTree } from './lib/workloads.mjs';

const env = process.env;
const repeats = Number(env.BENCH_REPEATS ?? 5);
// BENCH_ROWS=R1,R2 for a subset (R3 includes R4; no docs are written then), BENCH_KEEP=1 keeps the repositories to profile.
const rows = (env.BENCH_ROWS ?? 'R1,R2,R3').split(',');
if (env.BENCH_ROWS) env.BENCH_DOCS = '0';
const w2Files = Number(env.BENCH_W2_FILES ?? 20000);
const work = path.resolve(ROOT, env.BENCH_WORK_DIR ?? 'bench/work', 'registry');
const docPath = path.join(ROOT, 'docs', 'benchmarks.md');
const jsonPath = path.join(ROOT, 'bench', 'results', 'registry.json');
const t0 = Date.now();
const log = (m) => process.stderr.write(`[registry-bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${m}\n`);

// The library's own modules (tsc's dist/src), not the CLI bundle's directory: TROVE_BIN is dist/cli/trove.cjs.
const lib = (p) => import(pathToFileURL(path.join(ROOT, 'dist', 'src', p)).href);
const { versionTagMessage, serializeVersionRecord } = await lib('core/versionRecord.js');
const { serializeEntityRecord } = await lib('core/entityRecord.js');
const { serializeStageRecord } = await lib('core/stageRecord.js');
const { ENTITIES_DIR, STAGES_DIR, VERSIONS_DIR, ENTITY_FORMAT, VERSION_RECORD_FORMAT, STAGE_FORMAT } = await lib('core/registryTypes.js');

removeTree(work);
fs.mkdirSync(work, { recursive: true });
const gitE = gitEnv(work);

const { sh, trove, newRepo: newRepoIn } = makeShell(gitE);
const newRepo = (name) => newRepoIn(work, name);

/** Time one trove command `repeats` times (after one warm-up run); median and all runs, in seconds. */
async function timeTrove(cwd, args, { warm = true, n = repeats, between } = {}) {
  if (warm) trove(cwd, ...args);
  const runs = [];
  for (let i = 0; i < n; i++) {
    if (between) between();
    const r = await runCmd(process.execPath, [TROVE_BIN, ...args], { cwd, env: gitE });
    if (!r.ok) throw new Error(`trove ${args.join(' ')} failed: ${r.stderr}`);
    runs.push(r.wallS);
  }
  return { medianS: round(median(runs), 3), runsS: runs.map((x) => round(x, 3)), command: `trove ${args.join(' ')}` };
}

const oidOf = (s) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const blob = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;

/**
 * A repository with `entities` x `versions` registered versions made with
 * fast-import: one commit per version (its record file), an annotated tag per
 * version whose message is the record, then one commit with the declarations
 * and stage files. `stageOf(e, v)` lists the stages version v of entity e holds.
 */
function syntheticRegistry(dir, { entities, versions, metrics, uses, stageOf }) {
  const names = Array.from({ length: entities }, (_, e) => (entities === 1 ? 'model-big' : `model-${String(e).padStart(3, '0')}`));
  const head = sh(dir, 'git', ['rev-parse', 'HEAD']).trim();
  let stream = '';
  let mark = 0;
  let time = 1_700_000_000;
  const tags = [];
  for (let e = 0; e < entities; e++) {
    for (let v = 1; v <= versions; v++) {
      const version = `v${v}.0.0`;
      const record = {
        format: VERSION_RECORD_FORMAT,
        entity: names[e],
        type: 'model',
        version,
        path: `model/${names[e]}`,
        dataOid: oidOf(`${names[e]}@${version}`),
        dataKind: 'dir',
        dataSize: 1000 * v,
        dataFiles: v,
        uses: uses ? uses(e, v) : [],
        metrics: metrics(e, v),
      };
      mark++;
      time += 60;
      stream += `commit refs/heads/main\nmark :${mark}\ncommitter bench <bench@trove.invalid> ${time} +0000\n${blob(`Register ${names[e]} ${version}`)}`;
      stream += mark === 1 ? `from ${head}\n` : '';
      stream += `M 100644 inline ${VERSIONS_DIR}/${names[e]}/${version}.yaml\n${blob(serializeVersionRecord(record))}`;
      stream += `tag ${names[e]}@${version}\nfrom :${mark}\ntagger bench <bench@trove.invalid> ${time} +0000\n${blob(versionTagMessage(record))}`;
      tags.push({ e, v, version, mark });
    }
  }
  fs.writeFileSync(path.join(work, 'import.txt'), stream);
  sh(dir, 'git', ['fast-import', '--quiet', `--export-marks=${path.join(work, 'marks')}`], stream);
  const marks = new Map(fs.readFileSync(path.join(work, 'marks'), 'utf8').trim().split('\n').map((l) => l.slice(1).split(' ')).map(([m, c]) => [Number(m), c]));
  sh(dir, 'git', ['reset', '-q', '--hard', 'main']);
  let assignments = 0;
  for (let e = 0; e < entities; e++) {
    const entity = { format: ENTITY_FORMAT, name: names[e], type: 'model', categories: [], path: `model/${names[e]}`, mutability: 'mutable', description: '' };
    fs.mkdirSync(path.join(dir, ENTITIES_DIR), { recursive: true });
    fs.writeFileSync(path.join(dir, ENTITIES_DIR, `${names[e]}.yaml`), serializeEntityRecord(entity));
    const stages = {};
    for (const t of tags.filter((x) => x.e === e)) {
      for (const s of stageOf ? stageOf(e, t.v, versions) : []) {
        (stages[s] ??= []).unshift({ version: t.version, commit: marks.get(t.mark), assigned: new Date((1_700_000_000 + t.mark * 60) * 1000).toISOString().replace(/\.\d+Z$/, 'Z'), by: 'bench <bench@trove.invalid>' });
        assignments++;
      }
    }
    if (Object.keys(stages).length) {
      fs.mkdirSync(path.join(dir, STAGES_DIR), { recursive: true });
      fs.writeFileSync(path.join(dir, STAGES_DIR, `${names[e]}.yaml`), serializeStageRecord({ format: STAGE_FORMAT, entity: names[e], stages }));
    }
  }
  sh(dir, 'git', ['add', '-A', '.trove/registry']);
  sh(dir, 'git', ['commit', '-qm', 'declare entities and stages']);
  return { tags: tags.length, assignments };
}

const results = { schema: 1, date: new Date().toISOString(), machine: machineInfo(work), repeats, rows: {} };

// ---------------------------------------------------------------- R1
if (rows.includes('R1')) {
  log('R1: 100 entities x 20 versions, 500 stage assignments');
  const dir = newRepo('r1');
  // Per entity: dev holds versions 16-18, staging 19, production 20 (5 assignments).
  const made = syntheticRegistry(dir, {
    entities: 100,
    versions: 20,
    metrics: (e, v) => ({ accuracy: round(0.9 + (e % 10) / 1000 + v / 10000, 6), loss: round(1 / (v + e), 6) }),
    stageOf: (e, v, n) => (v === n ? ['production'] : v === n - 1 ? ['staging'] : v >= n - 4 ? ['dev'] : []),
  });
  const t = await timeTrove(dir, ['registry']);
  const tj = await timeTrove(dir, ['registry', '--json']);
  results.rows.registry = { ...t, json: tj, tags: made.tags, assignments: made.assignments, target: '≤ 0.3 s (GTO: 6–12 s at ~1,500 tags, iterative/gto#156)', ok: t.medianS <= 0.3 };
  log(`R1: ${t.medianS} s (json ${tj.medianS} s) over ${made.tags} tags, ${made.assignments} assignments`);
}

// ---------------------------------------------------------------- R2
if (rows.includes('R2')) {
  log('R2: one entity with 1,000 versions');
  const dir = newRepo('r2');
  const made = syntheticRegistry(dir, {
    entities: 1,
    versions: 1000,
    metrics: (e, v) => ({ accuracy: round(0.5 + v / 2500, 6), f1: round(0.4 + v / 2600, 6), loss: round(1 / v, 6) }),
  });
  const t = await timeTrove(dir, ['metrics', 'model-big']);
  const tc = await timeTrove(dir, ['metrics', 'model-big', '--format', 'csv']);
  results.rows.metrics = { ...t, csv: tc, versions: made.tags, target: '≤ 0.5 s', ok: t.medianS <= 0.5 };
  log(`R2: ${t.medianS} s (csv ${tc.medianS} s) over ${made.tags} versions`);
}

// ---------------------------------------------------------------- R3, R4
if (rows.includes('R3')) {
  log(`R3: a ${w2Files}-file dataset, then 100 files changed`);
  const dir = newRepo('r3');
  trove(dir, 'create', 'dataset', 'ds', '--path', 'data', '--mutability', 'mutable');
  trove(dir, 'create', 'labels', 'lb', '--path', 'labels', '--mutability', 'mutable');
  trove(dir, 'create', 'model', 'md', '--path', 'model', '--mutability', 'mutable');
  const layout = w2Layout(w2Files, 100);
  writeLayout(dir, layout, 'registry/base');
  writeLayout(dir, [{ rel: 'labels/labels.csv', size: 200_000 }, { rel: 'model/weights.bin', size: 5_000_000 }], 'registry/small');
  trove(dir, 'version', 'ds');
  trove(dir, 'version', 'lb');
  trove(dir, 'version', 'md', '--dataset', 'ds', '--labels', 'lb', '--metric', 'accuracy=0.9');
  // Each timed run first rewrites 100 files spread over the tree (another 100 each time, with new bytes),
  // so every `trove version` has exactly 100 changes to store.
  let run = 0;
  const spread = pickSpread(layout, 100).map((e) => layout.indexOf(e));
  const change = () => {
    run++;
    rewriteEntries(dir, spread.map((i) => layout[(i + run) % layout.length]), `registry/run${run}`);
  };
  const t = await timeTrove(dir, ['version', 'ds', '--bump', 'minor'], { warm: false, between: change });
  results.rows.version = { ...t, files: w2Files, changed: 100, target: '≤ 1 s', ok: t.medianS <= 1 };
  log(`R3: ${t.medianS} s`);

  log('R4: checkout md@v1.0.0 --with-deps beside checkout --rev of the same commit');
  const v1 = sh(dir, 'git', ['rev-parse', 'md@v1.0.0^{commit}']).trim();
  const back = () => {
    sh(dir, 'git', ['checkout', '-q', 'HEAD', '--', 'data.trove', 'labels.trove', 'model.trove']);
    trove(dir, 'checkout', '--force');
  };
  const withDeps = [];
  const byRev = [];
  back();
  // More pairs than the other rows: the two differ by a few per cent at most, less than one run's noise here.
  const pairs = Math.max(repeats, 9);
  for (let i = 0; i < pairs; i++) {
    // Alternate, each from the latest version's data in the work tree.
    for (const [list, args] of i % 2 === 0 ? [[withDeps, ['checkout', 'md@v1.0.0', '--with-deps']], [byRev, ['checkout', '--rev', v1, 'data', 'labels', 'model']]] : [[byRev, ['checkout', '--rev', v1, 'data', 'labels', 'model']], [withDeps, ['checkout', 'md@v1.0.0', '--with-deps']]]) {
      const r = await runCmd(process.execPath, [TROVE_BIN, ...args], { cwd: dir, env: gitE });
      if (!r.ok) throw new Error(`trove ${args.join(' ')} failed: ${r.stderr}`);
      list.push(r.wallS);
      back();
    }
  }
  const wd = round(median(withDeps), 3);
  const rv = round(median(byRev), 3);
  results.rows.checkout = { medianS: wd, runsS: withDeps.map((x) => round(x, 3)), revMedianS: rv, revRunsS: byRev.map((x) => round(x, 3)), command: 'trove checkout md@v1.0.0 --with-deps', revCommand: `trove checkout --rev <md@v1.0.0's commit> data labels model`, target: 'no slower than checkout --rev', ok: wd <= rv * 1.1 };
  log(`R4: --with-deps ${wd} s, --rev ${rv} s`);
}
if (env.BENCH_KEEP !== '1') removeTree(work);

recordResults(results, { jsonPath, t0, env });

const r = results.rows;
const md = [
  `_Generated by \`npm run bench\` (\`bench/registry.mjs\`) on ${results.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, on the machine above (${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.fsType}); each time is the median of ${repeats} runs after a warm-up, wall clock of the whole process._`,
  '',
  '| step | trove | target | met |',
  '|:--|--:|:--|:--|',
  `| \`trove registry\`: 100 entities × 20 versions (${r.registry.tags} tags), ${r.registry.assignments} stage assignments | ${r.registry.medianS} s (\`--json\` ${r.registry.json.medianS} s) | ${r.registry.target} | ${r.registry.ok ? 'yes' : '**no**'} |`,
  `| \`trove metrics NAME\` over ${r.metrics.versions} versions | ${r.metrics.medianS} s (csv ${r.metrics.csv.medianS} s) | ${r.metrics.target} | ${r.metrics.ok ? 'yes' : '**no**'} |`,
  `| \`trove version NAME\` of a ${r.version.files}-file dataset, ${r.version.changed} files changed | ${r.version.medianS} s | ${r.version.target} | ${r.version.ok ? 'yes' : '**no**'} |`,
  `| \`trove checkout md@v1.0.0 --with-deps\` (dataset, labels, model; all in the store) | ${r.checkout.medianS} s (\`checkout --rev\`: ${r.checkout.revMedianS} s) | ${r.checkout.target} | ${r.checkout.ok ? 'yes' : '**no**'} |`,
  '',
  `Runs (s): registry ${r.registry.runsS.join(', ')}; metrics ${r.metrics.runsS.join(', ')}; version ${r.version.runsS.join(', ')}; checkout --with-deps ${r.checkout.runsS.join(', ')} vs --rev ${r.checkout.revRunsS.join(', ')}.`,
  '',
  'The registry and metrics repositories are generated with `git fast-import` (records written by trove\'s own codecs); version and checkout run on the W2 layout (files of 1–64 KiB). Checkout alternates the two commands, each from the latest version\'s data, and counts "no slower" with a 10 % allowance for this VM\'s noise.',
].join('\n');
if (env.BENCH_DOCS !== '0') {
  replaceDocBlock(docPath, 'registry-bench', md, { heading: 'Registry (issue 14)', intro: '`npm run bench` ends with `bench/registry.mjs` (alone: `npm run bench:registry`), which rewrites\nthe block below.' });
  log(`report: docs/benchmarks.md`);
}
process.stdout.write(`${md}\n`);
