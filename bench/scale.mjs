#!/usr/bin/env node
// Scale benchmark (issue 18 point 4): one dataset of BENCH_SCALE_FILES files of
// 0.5–4 KiB in BENCH_SCALE_DIRS directories (bench/lib/scaleData.mjs), with
// trove and Git on the same tree and git-lfs on a subset (its first
// BENCH_SCALE_LFS_FILES files: git-lfs's per-file filter on all 1,000,000
// files would add 40+ minutes; BENCH_SCALE_LFS_FILES=1000000 runs it anyway).
//
// When it runs: `npm run bench:scale` and `node bench/scale.mjs` always run it.
// `npm run bench` ends with it, but there it only prints one line and exits 0
// unless BENCH_SCALE=1 (it checks npm_lifecycle_event === 'bench'): at the
// default size it takes about 25–30 min (29.0 min on 2026-12-07 03:29 UTC on the
// 2-core machine: trove ~10 min; git ~15 min incl. a 5 min git gc; git-lfs on
// 100,000 files ~3 min; 34.4 min before issue 18's second round).
//
// Each tool, one after the other, in a fresh git repository whose config sets
// gc.auto=0 and maintenance.auto=false (no detached auto-gc bleeds into the
// next timing), with its own freshly written copy of the data (never
// hardlinked), the page cache dropped before its first step (root only):
//   add + commit (incl. init)        1 run
//   status, nothing changed          median of 3
//   status after one change          median of 3 (data/d0100/f0100123.bin rewritten in place, same size)
//   add + commit of that change      1 run
//   checkout of the previous commit  median of 3, each followed by an untimed switch back
//   git gc (git only)                1 run: the packed store size
//   push to a directory remote       1 run (trove, git-lfs; with the git push to a bare origin)
//   fresh clone + pull               1 run (git clone of the bare origin, then the tool's pull)
//   first status in that clone       1 run
// plus peak RSS per step (GNU time's %M, children included), store bytes
// (du -s -B1: allocated blocks) and store file count of the store directory (trove .trove/cache,
// git .git/objects, git-lfs .git/lfs/objects) after the first add, and the
// data bytes.
//
// Environment:
//   BENCH_SCALE=1               run under `npm run bench` (see above)
//   BENCH_SCALE_FILES=1000000   files
//   BENCH_SCALE_DIRS=1000       directories
//   BENCH_SCALE_LFS_FILES=100000  git-lfs's subset (the first N files)
//   BENCH_TOOLS=trove,git,git-lfs
//   BENCH_KEEP=1                keep each tool's repository (bench/work/scale-<tool>)
//   BENCH_DOCS=0                print only. The doc block ("Scale (issue 18)" in
//                               docs/benchmarks.md) and bench/results/scale.json
//                               are written only by a run at the full default
//                               size with every tool; any other run prints only.
//   BENCH_WORK_DIR=path         scratch dir (default bench/work)
//   BENCH_TIMEOUT_S=10800       per-command timeout
//   BENCH_DROP_CACHES=0         do not drop the page cache before each tool
//   TROVE_BIN=path              trove CLI (default dist/cli/trove.cjs)
// Aborts, before writing anything, if the work dir's file system has < 20 GB free.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { replaceDocBlock } from './lib/docBlock.mjs';
import { dropPageCache, fileBytes, haveGnuTime, median, round, runSeq, settleDisks } from './lib/measure.mjs';
import { machineInfo } from './lib/report.mjs';
import { recordResults } from './lib/results.mjs';
import { applyChange, changeTarget, scaleBytes, scaleLayout, writeScaleTree } from './lib/scaleData.mjs';
import { ROOT, TROVE_BIN, gitLfs, plainGit, troveTool } from './lib/tools.mjs';
import { gitEnv, removeTree } from './lib/workloads.mjs';

const env = process.env;
if (env.npm_lifecycle_event === 'bench' && env.BENCH_SCALE !== '1') {
  process.stdout.write('scale bench (bench/scale.mjs): skipped; BENCH_SCALE=1 npm run bench or npm run bench:scale runs it (about 25–30 min at 1,000,000 files)\n');
  process.exit(0);
}
const int = (v, d) => {
  if (v == null || v === '') return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
};
const DEFAULTS = { files: 1_000_000, dirs: 1000, lfsFiles: 100_000, tools: ['trove', 'git', 'git-lfs'] };
const cfg = {
  files: int(env.BENCH_SCALE_FILES, DEFAULTS.files),
  dirs: int(env.BENCH_SCALE_DIRS, DEFAULTS.dirs),
  lfsFiles: int(env.BENCH_SCALE_LFS_FILES, DEFAULTS.lfsFiles),
  tools: env.BENCH_TOOLS ? env.BENCH_TOOLS.split(',').map((s) => s.trim()).filter(Boolean) : DEFAULTS.tools,
  keep: env.BENCH_KEEP === '1',
  timeoutS: int(env.BENCH_TIMEOUT_S, 10800),
  dropCaches: env.BENCH_DROP_CACHES !== '0',
  workDir: path.resolve(ROOT, env.BENCH_WORK_DIR ?? 'bench/work'),
  docPath: path.join(ROOT, 'docs', 'benchmarks.md'),
  jsonPath: path.join(ROOT, 'bench', 'results', 'scale.json'),
};
const TOOLS = { trove: troveTool, git: plainGit, 'git-lfs': gitLfs };
for (const t of cfg.tools) if (!TOOLS[t]) throw new Error(`BENCH_TOOLS: unknown tool "${t}" (scale bench: trove, git, git-lfs)`);
const fullSize =
  cfg.files === DEFAULTS.files && cfg.dirs === DEFAULTS.dirs && cfg.lfsFiles === DEFAULTS.lfsFiles && DEFAULTS.tools.every((t) => cfg.tools.includes(t));
const writeDocs = env.BENCH_DOCS !== '0' && fullSize;

const t0 = Date.now();
const log = (m) => process.stderr.write(`[scale-bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(5)}s] ${m}\n`);

const MIN_FREE = 20e9;
fs.mkdirSync(cfg.workDir, { recursive: true });
{
  const st = fs.statfsSync(cfg.workDir);
  const free = st.bavail * st.bsize;
  if (free < MIN_FREE) {
    process.stderr.write(`scale bench: only ${(free / 1e9).toFixed(1)} GB free on ${cfg.workDir}; it needs 20 GB (trove's peak: work tree + store + remote + clone). Free some space or point BENCH_WORK_DIR elsewhere.\n`);
    process.exit(1);
  }
}
if (cfg.tools.includes('trove') && !fs.existsSync(TROVE_BIN)) throw new Error(`trove CLI not found at ${TROVE_BIN}: run npm run build`);
if (!haveGnuTime) log('/usr/bin/time (GNU time) not found: peak RSS will be missing');
if (cfg.dropCaches && !dropPageCache()) cfg.dropCaches = false;

const gEnv = gitEnv(cfg.workDir);
const lay = scaleLayout(cfg.files, cfg.dirs);
const layLfs = scaleLayout(Math.min(cfg.lfsFiles, cfg.files), cfg.dirs, lay.perDir);
const threads = Math.max(1, Math.min(2, os.cpus().length));

const ROWS = [
  { id: 'add', label: 'add + commit (incl. init)' },
  { id: 'statusClean', label: 'status, nothing changed (median of 3)' },
  { id: 'statusOne', label: 'status after one change (median of 3)' },
  { id: 'addOne', label: 'add + commit of that change' },
  { id: 'checkout', label: 'checkout of the previous commit (median of 3)' },
  { id: 'gc', label: 'git gc (git only)' },
  { id: 'push', label: 'push to a directory remote' },
  { id: 'pull', label: 'fresh clone + pull' },
  { id: 'statusClone', label: 'first status in that clone' },
];

const sh = (cwd, cmd, args) => {
  const r = spawnSync(cmd, args, { cwd, env: gEnv, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
  return r.stdout;
};
const countFiles = (p) => (fs.existsSync(p) ? Number(sh(p, 'sh', ['-c', 'find . -type f | wc -l']).trim()) : 0);
// disk usage in allocated blocks (what the store costs the disk: a 1 KiB object takes a 4 KiB block)
const duBytes = (p) => (fs.existsSync(p) ? Number(sh(p, 'du', ['-s', '-B1', '.']).split(/\s/)[0]) : 0);

async function step(cells, id, cmds, cwd, runEnv = gEnv) {
  const r = await runSeq(cmds, { cwd, env: runEnv, timeoutS: cfg.timeoutS });
  if (!r.ok) throw new Error(`${id}: ${r.failedCommand}: ${r.error}`);
  cells[id] = { wallS: round(r.wallS, 3), rssKiB: r.rssKiB };
  return r;
}
async function median3(cells, id, cmds, cwd, after) {
  const runs = [];
  for (let k = 0; k < 3; k++) {
    const r = await runSeq(cmds, { cwd, env: gEnv, timeoutS: cfg.timeoutS });
    if (!r.ok) throw new Error(`${id}: ${r.failedCommand}: ${r.error}`);
    runs.push(r);
    if (after) await after();
  }
  cells[id] = { wallS: round(median(runs.map((r) => r.wallS)), 3), runsS: runs.map((r) => round(r.wallS, 3)), rssKiB: Math.max(...runs.map((r) => r.rssKiB ?? 0)) || null };
}

async function runTool(name) {
  const tool = TOOLS[name];
  const l = name === 'git-lfs' ? layLfs : lay;
  const repo = path.join(cfg.workDir, `scale-${name}`);
  const side = path.join(cfg.workDir, `scale-${name}-remote`);
  removeTree(repo);
  removeTree(side);
  const res = { files: l.files, dirs: l.dirs, dataBytes: scaleBytes(l), change: changeTarget(l).rel, cells: {} };
  const cells = res.cells;
  try {
    fs.mkdirSync(repo, { recursive: true });
    sh(repo, 'git', ['init', '-q']);
    sh(repo, 'git', ['config', 'gc.auto', '0']);
    sh(repo, 'git', ['config', 'maintenance.auto', 'false']);
    let t = Date.now();
    await writeScaleTree(repo, l, threads);
    log(`${name}: wrote ${l.files} files (${(res.dataBytes / 2 ** 20).toFixed(0)} MiB) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    if (cfg.dropCaches) dropPageCache();
    await settleDisks();

    await step(cells, 'add', [...tool.init(), ...tool.add(['data']), ...tool.commit('scale: all files')], repo);
    log(`${name}: add + commit ${cells.add.wallS} s`);
    res.storeBytes = duBytes(path.join(repo, tool.storeDir));
    res.storeFiles = countFiles(path.join(repo, tool.storeDir));
    res.storeFileBytes = fileBytes(path.join(repo, tool.storeDir));

    const status = tool.status(['data']);
    await median3(cells, 'statusClean', status, repo);
    let round_ = 0;
    applyChange(repo, l, round_++);
    await median3(cells, 'statusOne', status, repo);
    log(`${name}: status clean ${cells.statusClean.wallS} s, after one change ${cells.statusOne.wallS} s`);
    await step(cells, 'addOne', [...tool.add(['data']), ...tool.commit('scale: one change')], repo);
    await median3(cells, 'checkout', tool.checkout('HEAD~1'), repo, async () => {
      const r = await runSeq(tool.checkout('main'), { cwd: repo, env: gEnv, timeoutS: cfg.timeoutS });
      if (!r.ok) throw new Error(`switch back: ${r.failedCommand}: ${r.error}`);
    });
    log(`${name}: add + commit one ${cells.addOne.wallS} s, checkout ${cells.checkout.wallS} s`);

    if (name === 'git') {
      await step(cells, 'gc', [{ cmd: 'git', args: ['gc', '-q'] }], repo);
      res.storeBytesAfterGc = duBytes(path.join(repo, tool.storeDir));
      res.storeFilesAfterGc = countFiles(path.join(repo, tool.storeDir));
      log(`${name}: gc ${cells.gc.wallS} s`);
    }

    if (tool.remotes !== false) {
      fs.mkdirSync(side, { recursive: true });
      const originDir = path.join(side, 'origin.git');
      const origin = pathToFileURL(originDir).href;
      sh(side, 'git', ['init', '-q', '--bare', originDir]);
      sh(repo, 'git', ['remote', 'add', 'origin', origin]);
      const revs = sh(repo, 'git', ['rev-list', 'main']).split('\n').filter(Boolean);
      const r = { dir: path.join(side, 'dir-remote'), originDir, origin, clone: path.join(side, 'clone'), gitRemote: 'origin', dataRemote: 'd', revs };
      for (const c of tool.remoteSetup('dir', r)) sh(repo, c.cmd, c.args);
      await step(cells, 'push', tool.push('dir', r), repo);
      if (cfg.dropCaches) dropPageCache();
      await step(cells, 'pull', tool.pull('dir', r), side);
      res.remoteBytes = duBytes(tool.remoteData(r));
      res.remoteFiles = countFiles(tool.remoteData(r));
      // the clone's data must be the repository's
      const want = sh(repo, 'git', ['ls-files', '-s', '--', 'data']).length > 0;
      if (want && !fs.existsSync(path.join(r.clone, res.change))) throw new Error(`pull: ${res.change} missing in the clone`);
      // A clone's first status has no scan signatures to trust yet: every chunk is compared (trove: the status engine's batches).
      await step(cells, 'statusClone', status, r.clone);
      log(`${name}: push ${cells.push.wallS} s, clone + pull ${cells.pull.wallS} s`);
    }
    res.status = 'ran';
  } catch (err) {
    log(`${name}: FAILED: ${err.message}`);
    res.status = 'failed';
    res.error = String(err.message).slice(0, 300);
  } finally {
    removeTree(side);
    if (!cfg.keep) removeTree(repo);
    else log(`${name}: kept ${path.relative(ROOT, repo)} (change target ${res.change})`);
  }
  res.peakRssKiB = Math.max(0, ...Object.values(cells).map((c) => c.rssKiB ?? 0)) || null;
  return res;
}

log(
  `${lay.files} files in ${lay.dirs} dirs (${(scaleBytes(lay) / 2 ** 20).toFixed(0)} MiB)` +
    `${cfg.tools.includes('git-lfs') ? `; git-lfs on the first ${layLfs.files}` : ''}; tools ${cfg.tools.join(',')}; ` +
    `page cache ${cfg.dropCaches ? 'dropped before each tool' : 'not dropped'}; ${writeDocs ? 'writes docs + bench/results/scale.json' : 'print only (docs and results only at the full default size)'}`,
);
const results = {
  date: new Date().toISOString(),
  machine: machineInfo(cfg.workDir),
  node: process.version,
  troveBin: path.relative(ROOT, TROVE_BIN),
  sizes: { files: lay.files, dirs: lay.dirs, perDir: lay.perDir, lfsFiles: layLfs.files, dataBytes: scaleBytes(lay) },
  versions: Object.fromEntries(cfg.tools.map((t) => [t, TOOLS[t].version()])),
  rows: ROWS,
  tools: {},
};
for (const name of cfg.tools) {
  log(`=== ${name}`);
  results.tools[name] = await runTool(name);
}

// ------------------------------------------------------------------ output
const MiB = 2 ** 20;
const fmtS = (c) => (c ? `${c.wallS.toFixed(c.wallS < 10 ? 2 : 1)} s` : '—');
const fmtRss = (k) => (k ? `${(k / 1024).toFixed(0)} MB` : '—');
const names = cfg.tools;
const head = (n) => (n === 'git-lfs' ? `git-lfs (${results.tools[n].files} files)` : n);
const table = [
  ['step', ...names.map(head)],
  ...ROWS.map((r) => [r.label, ...names.map((n) => {
    const c = results.tools[n].cells[r.id];
    return c ? `${fmtS(c)} (${fmtRss(c.rssKiB)})` : results.tools[n].status === 'failed' && !c ? '—' : 'n/a';
  })]),
  ['peak RSS, any step', ...names.map((n) => fmtRss(results.tools[n].peakRssKiB))],
  ['data bytes', ...names.map((n) => `${(results.tools[n].dataBytes / MiB).toFixed(0)} MiB`)],
  ['store on disk after add (du -s -B1; file bytes)', ...names.map((n) => (results.tools[n].storeBytes != null ? `${(results.tools[n].storeBytes / MiB).toFixed(0)} MiB (${(results.tools[n].storeFileBytes / MiB).toFixed(0)} MiB)` : '—'))],
  ['store files after add', ...names.map((n) => String(results.tools[n].storeFiles ?? '—'))],
  ['store after git gc', ...names.map((n) => (results.tools[n].storeBytesAfterGc != null ? `${(results.tools[n].storeBytesAfterGc / MiB).toFixed(0)} MiB, ${results.tools[n].storeFilesAfterGc} files` : 'n/a'))],
  ['status', ...names.map((n) => results.tools[n].status + (results.tools[n].error ? `: ${results.tools[n].error}` : ''))],
];
const md = [
  `_Generated by \`npm run bench:scale\` (\`bench/scale.mjs\`) on ${results.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, on ${results.machine.cpu} (${results.machine.cores} cores), Node ${results.node}; ${lay.files.toLocaleString('en')} files of 0.5–4 KiB in ${lay.dirs} directories${cfg.tools.includes('git-lfs') ? `; git-lfs on the first ${layLfs.files.toLocaleString('en')}` : ''}; run time RUNTIME._`,
  '',
  `| ${table[0].join(' | ')} |`,
  `|:--|${names.map(() => '--:').join('|')}|`,
  ...table.slice(1).map((r) => `| ${r.join(' | ')} |`),
  '',
  'Each cell: wall time (peak RSS of that step, children included). Git: the same files committed to git itself (gc.auto=0), its store is loose objects until the `git gc` row. The one change rewrites one file in place, same size. Checkout: `git checkout -q HEAD~1` (+ `trove checkout` for trove), each run followed by an untimed switch back.',
].join('\n');
const runSeconds = (Date.now() - t0) / 1000;
const out = md.replace('RUNTIME', `${(runSeconds / 60).toFixed(1)} min`);
if (writeDocs) {
  recordResults(results, { jsonPath: cfg.jsonPath, t0, env });
  replaceDocBlock(cfg.docPath, 'scale-bench', out, {
    heading: 'Scale (issue 18)',
    intro: '`npm run bench:scale` (or `BENCH_SCALE=1 npm run bench`) runs `bench/scale.mjs`, which rewrites the block below; about 25–30 min at the default 1,000,000 files (29.0 min on 2026-12-07 03:29 UTC), so the default `npm run bench` skips it.',
  });
  log('report: docs/benchmarks.md, bench/results/scale.json');
}
process.stdout.write(`${out}\n`);
if (Object.values(results.tools).some((t) => t.status !== 'ran')) process.exitCode = 1;
