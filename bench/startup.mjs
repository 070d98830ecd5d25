#!/usr/bin/env node
// Start-up (issue 17 point 10): what a `trove` command costs before it does any
// work, beside `node -e 0` (the floor any Node program pays) and `git status`,
// in the same run. Every row runs in one fresh, empty repository (`git init &&
// trove init`), interleaved (one run of each row, then the next round), so a
// change in the machine's load hits every row alike; each row is the median of
// BENCH_STARTUP_RUNS (default 31) runs, after 3 unrecorded warm-up rounds.
//
// Rows:
//   node -e 0                       Node starting and exiting
//   git status                      Git's status of the same empty repository
//   trove status                    the shipped command (package.json "bin", TROVE_BIN)
//   trove --version                 the command with no repository work
//   pre-commit hook                 .git/hooks/pre-commit as `trove install` wrote it, nothing staged:
//                                   /bin/sh, then `trove` found on PATH as npm installs it (a link to the bin)
//   trove status, tsc output        dist/src/cli/bin.js, unbundled (what the bin ran before the bundle)
//
// Environment: BENCH_STARTUP_RUNS, BENCH_DOCS=0 (print only), BENCH_ROWS (print
// the rows as JSON, record nothing), BENCH_WORK_DIR, TROVE_BIN.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { replaceDocBlock } from './lib/docBlock.mjs';
import { median, round } from './lib/measure.mjs';
import { machineInfo } from './lib/report.mjs';
import { recordResults } from './lib/results.mjs';
import { ROOT, TROVE_BIN } from './lib/tools.mjs';
import { gitEnv, removeTree } from './lib/workloads.mjs';

const env = process.env;
const runs = Number(env.BENCH_STARTUP_RUNS ?? 31);
const work = path.resolve(ROOT, env.BENCH_WORK_DIR ?? 'bench/work', 'startup');
const docPath = path.join(ROOT, 'docs', 'benchmarks.md');
const jsonPath = path.join(ROOT, 'bench', 'results', 'startup.json');
const unbundled = path.join(ROOT, 'dist', 'src', 'cli', 'bin.js');
const t0 = Date.now();
const log = (m) => process.stderr.write(`[startup-bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${m}\n`);

removeTree(work);
const repo = path.join(work, 'repo');
const bin = path.join(work, 'bin');
fs.mkdirSync(repo, { recursive: true });
fs.mkdirSync(bin, { recursive: true });
// `trove` on PATH the way `npm install -g` puts it there: a link to the bin file, run through its #! line.
fs.symlinkSync(TROVE_BIN, path.join(bin, 'trove'));
const runEnv = { ...gitEnv(work), PATH: `${bin}${path.delimiter}${env.PATH ?? ''}`, NO_COLOR: '1' };

function must(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repo, env: runEnv, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return r.stdout;
}
must('git', ['init', '-q']);
must(process.execPath, [TROVE_BIN, 'init']);
must(process.execPath, [TROVE_BIN, 'install']);
const hook = path.join(repo, '.git', 'hooks', 'pre-commit');
if (!fs.existsSync(hook)) throw new Error(`trove install wrote no ${hook}`);

const ROWS = [
  { key: 'node', label: '`node -e 0`', cmd: process.execPath, args: ['-e', '0'] },
  { key: 'git', label: '`git status`', cmd: 'git', args: ['status'] },
  { key: 'status', label: '`trove status`', cmd: process.execPath, args: [TROVE_BIN, 'status'] },
  { key: 'version', label: '`trove --version`', cmd: process.execPath, args: [TROVE_BIN, '--version'] },
  { key: 'hook', label: 'pre-commit hook (`.git/hooks/pre-commit`, nothing staged)', cmd: hook, args: [] },
];
if (fs.existsSync(unbundled) && path.resolve(TROVE_BIN) !== unbundled) ROWS.push({ key: 'statusUnbundled', label: '`trove status` from tsc\'s output (`dist/src/cli/bin.js`, not bundled)', cmd: process.execPath, args: [unbundled, 'status'] });

function once(row) {
  const t = process.hrtime.bigint();
  const r = spawnSync(row.cmd, row.args, { cwd: repo, env: runEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${row.label} exited with ${r.status}: ${r.stderr}`);
  return ms;
}

log(`${ROWS.length} rows × ${runs} runs, interleaved, in ${repo}`);
for (let i = 0; i < 3; i++) for (const row of ROWS) once(row);
const times = Object.fromEntries(ROWS.map((r) => [r.key, []]));
for (let i = 0; i < runs; i++) for (const row of ROWS) times[row.key].push(once(row));

const node = median(times.node);
const results = {
  date: new Date().toISOString(),
  machine: machineInfo(work),
  node: process.version,
  bin: path.relative(ROOT, TROVE_BIN),
  runs,
  rows: Object.fromEntries(ROWS.map((r) => [r.key, { label: r.label, medianMs: round(median(times[r.key]), 1), minMs: round(Math.min(...times[r.key]), 1), ratio: round(median(times[r.key]) / node, 2) }])),
};
const ratio = results.rows.status.ratio;
results.target = { ratio, limit: 1.5, ok: ratio <= 1.5 };
removeTree(work);
recordResults(results, { jsonPath, t0, env });

const md = [
  `_Generated by \`npm run bench\` (\`bench/startup.mjs\`; alone: \`npm run bench:startup\`) on ${results.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, on ${results.machine.cpu} (${results.machine.cores} cores), Node ${results.node}, \`trove\` = \`${results.bin}\`._`,
  '',
  `| command, in an empty repository (\`git init && trove init\`) | median | min | × \`node -e 0\` |`,
  '|:--|--:|--:|--:|',
  ...ROWS.map((r) => {
    const x = results.rows[r.key];
    return `| ${r.label} | ${x.medianMs} ms | ${x.minMs} ms | ${x.ratio} |`;
  }),
  '',
  `Target: \`trove status\` ≤ 1.5 × \`node -e 0\`: ${ratio} — ${results.target.ok ? 'met' : '**not met**'}.`,
  '',
  `How: ${runs} runs of each row, interleaved (one of each row per round, after 3 warm-up rounds), wall time from spawn to exit, stdout discarded; the median and the fastest. \`trove status\` here spawns one git process (\`git ls-files\` for pointer files; the work tree is found without git in the common case, platform/discoverWorkTree.ts); the hook row adds /bin/sh and the PATH lookup. Why the bin is one CommonJS bundle run from V8's code cache: docs/decisions.md, "Start-up".`,
].join('\n');
if (env.BENCH_DOCS !== '0') {
  replaceDocBlock(docPath, 'startup-bench', md, { heading: 'Start-up (issue 17)', intro: '`npm run bench` ends with `bench/startup.mjs` (alone: `npm run bench:startup`), which rewrites the block below.' });
  log('report: docs/benchmarks.md');
}
process.stdout.write(`${md}\n`);
