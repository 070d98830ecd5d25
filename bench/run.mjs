#!/usr/bin/env node
// npm run bench -- trove beside git-lfs and git-annex on the same data.
//
// Environment:
//   BENCH_W1_MIB=1024        size of W1's big.bin in MiB
//   BENCH_W2_FILES=20000     number of W2 files (100 per directory)
//   BENCH_REPEATS=3          runs of each add (first add + commit), status
//                            and checkout step (median reported)
//   BENCH_REPEAT_MAX_S=30    an add whose first run takes longer runs once
//   BENCH_TOOLS=git-lfs,git-annex,trove,git   tools to measure (git: files
//                            committed to git itself, W2 only); results of
//                            the others are carried over from the previous
//                            results file when the sizes, the method, the
//                            machine and the tool's version all match
//   BENCH_WORKLOADS=W1,W2    workloads to run (same carry-over rule)
//   BENCH_REMOTES=0          skip the push/pull steps (directory remote and
//                            S3 via moto_server) that follow each workload;
//                            earlier push/pull figures are carried over by
//                            the same rule
//   BENCH_PEER_JOBS=0        skip the rows where git-annex's push and pull run
//                            again at trove's jobs (-J 4 / -J 8): trial runs
//   BENCH_REMOTE_DIR=path    where the remote side of push/pull lives (bare
//                            origin, directory remote, moto's spool); default
//                            a per-run dir in /dev/shm when that is another
//                            file system than the work dir, else the work dir
//   BENCH_TIMEOUT_S=3600     per-command timeout
//   BENCH_NO_INSTALL=1       do not apt-get install missing peers
//   BENCH_DROP_CACHES=0      do not drop the page cache before each tool's
//                            phase of a workload (needs root; skipped
//                            silently otherwise, and the doc says which)
//   BENCH_DOCS=0             do not rewrite docs/benchmarks.md (BENCH_JSON is
//                            still written: point it elsewhere for trial runs)
//   BENCH_JSON=path          raw results (default bench/results/latest.json)
//   BENCH_WORK_DIR=path      scratch dir (default bench/work, git-ignored)
//   BENCH_REPORT_ONLY=1      only re-render docs + tables from BENCH_JSON
//   TROVE_BIN=path           trove CLI (default dist/cli/trove.cjs, package.json's bin)

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { MiB, layoutBytes, w2Layout } from './lib/data.mjs';
import { dropPageCache, haveGnuTime } from './lib/measure.mjs';
import { machineInfo, renderMarkdown, tableRows, textTable, writeDoc } from './lib/report.mjs';
import { REMOTE_ROWS, chooseRemoteBase, findMoto, removeRemoteBase } from './lib/remotes.mjs';
import { ALL_TOOLS, ROOT, TROVE_BIN, describeCommands, ensurePeers, runsWorkload } from './lib/tools.mjs';
import { W1_ROWS, W2_ROWS, gitEnv, removeDeferred, removeTree, runW1, runW2 } from './lib/workloads.mjs';

const env = process.env;
const int = (v, d) => {
  if (v == null || v === '') return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
};
const list = (v, d) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : d);
const rel = (p) => path.relative(ROOT, p) || '.';

const cfg = {
  w1MiB: int(env.BENCH_W1_MIB, 1024),
  w2Files: int(env.BENCH_W2_FILES, 20000),
  w2PerDir: 100,
  repeats: int(env.BENCH_REPEATS, 3),
  repeatMaxS: int(env.BENCH_REPEAT_MAX_S, 30),
  timeoutS: int(env.BENCH_TIMEOUT_S, 3600),
  tools: list(env.BENCH_TOOLS, ALL_TOOLS.map((t) => t.name)),
  workloads: list(env.BENCH_WORKLOADS, ['W1', 'W2']).map((w) => w.toUpperCase()),
  install: env.BENCH_NO_INSTALL !== '1',
  remotes: env.BENCH_REMOTES !== '0',
  peerJobs: env.BENCH_PEER_JOBS !== '0',
  writeDocs: env.BENCH_DOCS !== '0',
  dropCaches: env.BENCH_DROP_CACHES !== '0',
  jsonPath: path.resolve(ROOT, env.BENCH_JSON ?? 'bench/results/latest.json'),
  docPath: path.join(ROOT, 'docs', 'benchmarks.md'),
  workDir: path.resolve(ROOT, env.BENCH_WORK_DIR ?? 'bench/work'),
};
for (const t of cfg.tools) {
  if (!ALL_TOOLS.some((x) => x.name === t)) throw new Error(`BENCH_TOOLS: unknown tool "${t}"`);
}

const t0 = Date.now();
const log = (msg) => {
  const s = ((Date.now() - t0) / 1000).toFixed(0).padStart(5);
  process.stderr.write(`[bench ${s}s] ${msg}\n`);
};

const names = ALL_TOOLS.map((t) => t.name);

/** Write docs/benchmarks.md and print the tables. */
function emit(results) {
  if (cfg.writeDocs) {
    writeDoc(cfg.docPath, renderMarkdown(results, names));
    log(`report: ${rel(cfg.docPath)}`);
  }
  const { sizes } = results;
  const out = [`trove bench ${results.date} -- W1 ${sizes.w1MiB} MiB, W2 ${sizes.w2Files} files (${(sizes.w2Bytes / MiB).toFixed(0)} MiB)`];
  for (const wl of Object.keys(results.workloads)) {
    out.push('', `${wl}:`, textTable(tableRows(results, wl, names)));
  }
  const carriedOver = Object.values(results.workloads).flatMap((w) => Object.entries(w.tools).filter(([, t]) => t.carriedFrom));
  if (carriedOver.length) {
    out.push('', `* figures carried over from an earlier run (tool not measured this time; same sizes, method, machine and tool version): ${[...new Set(carriedOver.map(([n, t]) => `${n} from ${t.carriedFrom}`))].join(', ')}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

if (env.BENCH_REPORT_ONLY === '1') {
  // Re-render the doc and tables from the last raw results, measuring nothing.
  emit(JSON.parse(fs.readFileSync(cfg.jsonPath, 'utf8')));
  process.exit(0);
}

// ------------------------------------------------------------------ setup

fs.mkdirSync(cfg.workDir, { recursive: true });
for (const name of fs.readdirSync(cfg.workDir)) {
  if (/^w[12]-/.test(name)) removeTree(path.join(cfg.workDir, name)); // leftovers of an interrupted run
}
if (!haveGnuTime) log('/usr/bin/time (GNU time) not found: peak RSS will be missing');
if (cfg.dropCaches && !dropPageCache()) cfg.dropCaches = false;
log(`page cache: ${cfg.dropCaches ? 'dropped before each tool\'s phase of a workload' : 'not dropped (needs root, or BENCH_DROP_CACHES=0)'}`);
if (cfg.remotes && cfg.workloads.length) {
  cfg.remoteBase = chooseRemoteBase(cfg.workDir, env.BENCH_REMOTE_DIR);
  log(`push/pull: remote side in ${cfg.remoteBase.dir} (${cfg.remoteBase.fsType}${cfg.remoteBase.separate ? '' : ', same file system as the work dir'})`);
}

const wantPeers = cfg.tools.some((t) => t !== 'trove');
const missingPeers = wantPeers ? ensurePeers({ install: cfg.install, log: (m) => log(m.replace(/^\[bench\] /, '')) }) : [];

const toolState = {};
for (const tool of ALL_TOOLS) {
  if (!cfg.tools.includes(tool.name)) toolState[tool.name] = 'skipped';
  else if (missingPeers.includes(tool.name)) toolState[tool.name] = 'not installed';
  else if (!tool.available()) toolState[tool.name] = tool.name === 'trove' ? 'not built' : 'not installed';
  else toolState[tool.name] = 'ran';
}
if (toolState.trove === 'not built') log(`trove CLI not found at ${TROVE_BIN} (run \`npm run build\`): trove column will say "not built"`);

const layout = w2Layout(cfg.w2Files, cfg.w2PerDir);
const sizes = {
  w1MiB: cfg.w1MiB,
  w1EditOffset: Math.floor((cfg.w1MiB * MiB) / 2),
  w1EditBytes: Math.min(MiB, cfg.w1MiB * MiB - Math.floor((cfg.w1MiB * MiB) / 2)),
  w2Files: cfg.w2Files,
  w2PerDir: cfg.w2PerDir,
  w2Dirs: Math.ceil(cfg.w2Files / cfg.w2PerDir),
  w2Bytes: layoutBytes(layout),
  w2Modified: Math.min(100, cfg.w2Files),
  repeats: cfg.repeats,
  repeatMaxS: cfg.repeatMaxS,
};
// METHOD changes whenever what a row measures changes (2: like-for-like
// status, every commit pushed, repeated add/checkout, peers at trove's jobs),
// so figures of an older method are never carried over.
const METHOD = 2;
const sizeKey = {
  W1: JSON.stringify([METHOD, sizes.w1MiB, sizes.repeats, cfg.repeatMaxS]),
  W2: JSON.stringify([METHOD, sizes.w2Files, sizes.w2PerDir, sizes.repeats, cfg.repeatMaxS]),
};

let previous = null;
try {
  previous = JSON.parse(fs.readFileSync(cfg.jsonPath, 'utf8'));
} catch {
  /* first run */
}

const env_ = gitEnv(cfg.workDir);
const versions = {};
for (const tool of ALL_TOOLS) versions[tool.name] = tool.available() ? tool.version() : null;
log(
  `sizes: W1 ${sizes.w1MiB} MiB; W2 ${sizes.w2Files} files (${(sizes.w2Bytes / MiB).toFixed(0)} MiB) in ${sizes.w2Dirs} dirs; ` +
    `tools: ${ALL_TOOLS.map((t) => `${t.name}=${toolState[t.name]}`).join(', ')}; workloads: ${cfg.workloads.join(',')}; ` +
    `push/pull: ${cfg.remotes ? `on (S3: ${findMoto() ? 'moto_server' : 'moto_server not found, not measured'})` : 'off (BENCH_REMOTES=0)'}`,
);

// ------------------------------------------------------------------ run

const WORKLOADS = { W1: { rows: W1_ROWS, run: runW1 }, W2: { rows: W2_ROWS, run: runW2 } };
const results = {
  schema: 1,
  method: METHOD,
  date: new Date().toISOString(),
  sizes,
  machine: machineInfo(cfg.workDir),
  versions,
  troveBin: path.relative(ROOT, TROVE_BIN),
  tools: toolState,
  modes: Object.fromEntries(ALL_TOOLS.map((t) => [t.name, t.mode])),
  commands: Object.fromEntries(ALL_TOOLS.map((t) => [t.name, describeCommands(t)])),
  workloads: {},
  dropCaches: cfg.dropCaches,
  ...(cfg.remoteBase ? { remoteSide: { fsType: cfg.remoteBase.fsType, separate: cfg.remoteBase.separate } } : {}),
};

// Only carry figures over from the same machine: CPU model, cores, memory,
// kernel (os) and the work dir's file system.
const m0 = previous?.machine;
const m1 = results.machine;
if (m0 && ['cpu', 'cores', 'ramBytes', 'os', 'fsType'].some((k) => m0[k] !== m1[k])) previous = null;

/**
 * A figure of an earlier run, if it may stand in for one not measured now:
 * same sizes and method (sizeKey), same machine (above), same tool version.
 * It keeps the date and version it was measured with.
 */
function carried(key, toolName, sk) {
  const prev = previous?.workloads?.[key];
  const prevTool = prev?.tools?.[toolName];
  if (prevTool?.status !== 'ran' || prev.sizeKey !== sk) return null;
  if (toolState[toolName] === 'not installed' || toolState[toolName] === 'not built') return null;
  const measuredWith = prevTool.carriedVersion ?? previous.versions?.[toolName];
  if (measuredWith == null || measuredWith !== versions[toolName]) return null;
  return { ...prevTool, carriedFrom: prevTool.carriedFrom ?? previous.date.replace('T', ' ').slice(0, 16), carriedVersion: measuredWith };
}

try {
  for (const wl of ['W1', 'W2']) {
    const { rows, run } = WORKLOADS[wl];
    const w = { sizeKey: sizeKey[wl], rows, tools: {} };
    results.workloads[wl] = w;
    // Push and pull run in the same repository, after the workload's steps.
    const rk = `${wl}-remote`;
    const wr = { sizeKey: sizeKey[wl], rows: REMOTE_ROWS, tools: {} };
    results.workloads[rk] = wr;
    for (const tool of ALL_TOOLS) {
      if (!runsWorkload(tool, wl)) {
        w.tools[tool.name] = { status: 'not in this workload' };
        wr.tools[tool.name] = { status: 'not in this workload' };
        continue;
      }
      if (tool.remotes === false) wr.tools[tool.name] = { status: 'not in this workload' };
      const runIt = cfg.workloads.includes(wl) && toolState[tool.name] === 'ran';
      if (runIt) {
        log(`=== ${wl} ${tool.name}`);
        const { remote, ...main } = await run(tool, cfg, env_, log);
        w.tools[tool.name] = main;
        if (remote) wr.tools[tool.name] = remote;
      } else {
        w.tools[tool.name] = carried(wl, tool.name, w.sizeKey) ?? { status: cfg.workloads.includes(wl) ? toolState[tool.name] : 'not run' };
      }
      wr.tools[tool.name] ??=
        carried(rk, tool.name, wr.sizeKey) ?? { status: cfg.workloads.includes(wl) && cfg.remotes ? toolState[tool.name] : 'not run' };
    }
    if (!cfg.workloads.includes(wl) && Object.values(w.tools).every((t) => t.status !== 'ran')) delete results.workloads[wl];
    if (Object.values(wr.tools).every((t) => t.status !== 'ran')) delete results.workloads[rk];
  }
} finally {
  // Also after a harness crash: no work tree, remote or clone is left behind.
  removeDeferred(log);
  removeRemoteBase(cfg.remoteBase);
}
results.runSeconds = (Date.now() - t0) / 1000;
results.loadAvgAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));

// ------------------------------------------------------------------ output

fs.mkdirSync(path.dirname(cfg.jsonPath), { recursive: true });
fs.writeFileSync(cfg.jsonPath, `${JSON.stringify(results, null, 2)}\n`);
log(`raw results: ${rel(cfg.jsonPath)}`);
emit(results);
