#!/usr/bin/env node
// Paired comparison of two trove builds on the benchmark's add step
// (W1: one 1 GiB file; W2: 20,000 files of 1-64 KiB), the same data and
// commands as `npm run bench`, alternating A B B A ... so that a machine
// whose disk slows down during the run (this VM's does) charges both alike.
// With STEPS=add,push,pull also `trove push` to a directory remote and
// `trove pull` into a fresh `git clone` (each build with its own remote).
// Prints every run, then the median of each build and NEW/OLD per step.
//
// Why a separate script: the bench runs each add step once per tool, and on
// this machine one run of W2 add varies by +-20 %; a 10 % budget (issue 13,
// durable store) cannot be judged from one pair.
//
// usage: OLD=/path/dist/src/cli/bin.js [NEW=...] [ROUNDS=6] [WORKLOADS=W1,W2]
//        [STEPS=add] [FSYNC_NEW=1] [W1_MIB=1024] [W2_FILES=20000] [WORK=bench/work/compare]
//        node bench/compare-add.mjs
// Build the old one with: git archive <rev> | tar -x -C /tmp/old && cd /tmp/old
//   && ln -s <repo>/node_modules && npx tsc -p tsconfig.json

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { sourceData } from './lib/data.mjs';
import { median, settleDisks, syncDisks } from './lib/measure.mjs';
import { gitEnv } from './lib/workloads.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const OLD = env.OLD && path.resolve(env.OLD);
const NEW = path.resolve(env.NEW ?? path.join(ROOT, 'dist', 'src', 'cli', 'bin.js'));
if (!OLD) {
  console.error('OLD=<path to the other build\'s dist/src/cli/bin.js> is required');
  process.exit(2);
}
const rounds = Number(env.ROUNDS ?? 6);
const workloads = (env.WORKLOADS ?? 'W1,W2').split(',').map((w) => w.trim().toUpperCase());
const steps = (env.STEPS ?? 'add').split(',').map((w) => w.trim());
const work = path.resolve(env.WORK ?? path.join(ROOT, 'bench', 'work', 'compare'));
const gEnv = gitEnv(work);

function run(cmd, args, cwd, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...gEnv, ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${r.stderr}`);
}

const timed = (fn) => {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
};

async function settle() {
  syncDisks();
  await settleDisks();
}

/** One timed add + commit of `src` in a fresh repository with `bin` (then push and pull if asked); returns seconds per step. */
async function once(bin, fsync, src) {
  const repo = path.join(work, 'repo');
  const remote = path.join(work, 'remote');
  const clone = path.join(work, 'clone');
  for (const d of [repo, remote, clone]) fs.rmSync(d, { recursive: true, force: true });
  await settle();
  fs.mkdirSync(repo, { recursive: true });
  run('git', ['init', '-q'], repo);
  run('cp', ['-a', ...fs.readdirSync(src.dir).map((n) => path.join(src.dir, n)), repo], repo);
  await settle();
  const tEnv = { TROVE_FSYNC: fsync };
  const out = {};
  out.add = timed(() => {
    run(process.execPath, [bin, 'init'], repo, tEnv);
    run(process.execPath, [bin, 'add', ...src.add], repo, tEnv);
    run('git', ['add', '-A'], repo);
    run('git', ['commit', '-qm', 'v1'], repo);
  });
  if (steps.includes('push') || steps.includes('pull')) {
    run(process.execPath, [bin, 'remote', 'add', '-d', 'r', remote], repo, tEnv);
    run('git', ['commit', '-qam', 'remote'], repo);
    await settle();
    out.push = timed(() => run(process.execPath, [bin, 'push'], repo, tEnv));
  }
  if (steps.includes('pull')) {
    run('git', ['clone', '-q', repo, clone], work);
    await settle();
    out.pull = timed(() => run(process.execPath, [bin, 'pull'], clone, tEnv));
  }
  return out;
}

const variants = [
  { name: 'old', bin: OLD, fsync: '1' },
  { name: 'new', bin: NEW, fsync: env.FSYNC_NEW ?? '1' },
];
for (const wl of workloads) {
  const src = sourceData(work, wl, { w1MiB: Number(env.W1_MIB ?? 1024), w2Files: Number(env.W2_FILES ?? 20000) });
  const times = { old: [], new: [] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const t = await once(v.bin, v.fsync, src);
      times[v.name].push(t);
      console.log(`${wl} round ${r + 1} ${v.name} ${steps.map((st) => `${st} ${t[st].toFixed(3)} s`).join(', ')}`);
    }
  }
  for (const st of steps) {
    const mo = median(times.old.map((t) => t[st]));
    const mn = median(times.new.map((t) => t[st]));
    console.log(`${wl} ${st}: old median ${mo.toFixed(3)} s, new median ${mn.toFixed(3)} s, new/old ${(mn / mo).toFixed(3)} (${rounds} rounds each)`);
  }
}
for (const d of ['repo', 'remote', 'clone']) fs.rmSync(path.join(work, d), { recursive: true, force: true });
