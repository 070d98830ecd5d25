#!/usr/bin/env node
// What making W1's or W2's data durable costs on this disk, without trove:
// `cp -a` of the benchmark's data into a fresh directory, alone and followed
// by `sync -f` (syncfs of that file system), alternating, the disk settled
// before each run. The difference is the floor under the durable store's
// cost on `trove add` (issue 13, point 4): the bytes must reach the disk
// before the command returns, where an unsynced copy leaves them in the page
// cache. Also prints `dd` of 1 GiB with conv=fdatasync (the disk's rate now).
//
// usage: [ROUNDS=4] [WORKLOADS=W1,W2] [WORK=bench/work/compare] node bench/durability-floor.mjs
// (the data is the one bench/compare-add.mjs generates, made here if missing)

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { sourceData } from './lib/data.mjs';
import { median, settleDisks, syncDisks } from './lib/measure.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const rounds = Number(env.ROUNDS ?? 4);
const workloads = (env.WORKLOADS ?? 'W1,W2').split(',').map((w) => w.trim().toUpperCase());
const work = path.resolve(env.WORK ?? path.join(ROOT, 'bench', 'work', 'compare'));

function must(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

async function settle() {
  syncDisks();
  await settleDisks();
}

const dst = path.join(work, 'floor-copy');
for (const wl of workloads) {
  const src = sourceData(work, wl).dir;
  const t = { copy: [], durable: [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 === 0 ? ['copy', 'durable'] : ['durable', 'copy']) {
      fs.rmSync(dst, { recursive: true, force: true });
      await settle();
      const t0 = process.hrtime.bigint();
      must('cp', ['-a', src, dst]);
      if (mode === 'durable') must('sync', ['-f', dst]);
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      t[mode].push(s);
      console.log(`${wl} round ${r + 1} ${mode === 'copy' ? 'cp -a' : 'cp -a && sync -f'} ${s.toFixed(3)} s`);
    }
  }
  const c = median(t.copy);
  const d = median(t.durable);
  console.log(`${wl}: cp -a median ${c.toFixed(3)} s, with sync -f ${d.toFixed(3)} s: durability costs +${(d - c).toFixed(3)} s (${((d / c - 1) * 100).toFixed(0)} %) here`);
}
fs.rmSync(dst, { recursive: true, force: true });
await settle();
const dd = spawnSync('dd', ['if=/dev/zero', `of=${dst}`, 'bs=1M', 'count=1024', 'conv=fdatasync'], { encoding: 'utf8' });
console.log(`dd 1 GiB conv=fdatasync: ${dd.stderr.trim().split('\n').pop()}`);
fs.rmSync(dst, { force: true });
