#!/usr/bin/env node
// Registry write and checkout speed (issue 14), through the built CLI:
//   - `trove version` of a FILES-file dataset after CHANGED files changed (target ≤ 1 s);
//   - `trove checkout NAME@V --with-deps` (model + dataset + labels, everything in the
//     local store) against `trove checkout --rev` of the same data (target: no slower).
//
//   node bench/registryVersion.mjs            # 20,000 files, 100 changed
//   BENCH_FILES=5000 BENCH_REPEATS=3 node bench/registryVersion.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = process.env.TROVE_BIN ?? fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
const FILES = Number(process.env.BENCH_FILES ?? 20000);
const CHANGED = Number(process.env.BENCH_CHANGED ?? 100);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

const dir = mkdtempSync(join(tmpdir(), 'trove-bench-version-'));
const git = (...args) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
const trove = (...args) => execFileSync(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
const timed = (...args) => {
  const t = process.hrtime.bigint();
  trove(...args);
  return Number(process.hrtime.bigint() - t) / 1e9;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `median ${median(xs).toFixed(3)} s (min ${Math.min(...xs).toFixed(3)}, ${xs.length} runs)`;

try {
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'bench');
  git('config', 'user.email', 'bench@example.com');
  trove('init');
  trove('create', 'dataset', 'mnist', '--path', 'data/mnist', '--mutability', 'mutable');
  trove('create', 'labels', 'labelsmnist', '--path', 'data/labels', '--mutability', 'mutable');
  trove('create', 'model', 'modelmnist', '--path', 'models/mnist', '--mutability', 'mutable');
  git('commit', '-q', '-m', 'declare');
  const perDir = 200;
  for (let i = 0; i < FILES; i++) {
    const d = join(dir, 'data/mnist', `d${Math.floor(i / perDir)}`);
    if (i % perDir === 0) mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `f${i}.png`), `image ${i} `.repeat(8));
  }
  mkdirSync(join(dir, 'data/labels'), { recursive: true });
  writeFileSync(join(dir, 'data/labels/labels.csv'), Array.from({ length: FILES }, (_, i) => `f${i}.png,${i % 10}`).join('\n'));
  mkdirSync(join(dir, 'models/mnist'), { recursive: true });
  writeFileSync(join(dir, 'models/mnist/model.bin'), Buffer.alloc(4 << 20, 7));
  trove('version', 'mnist');
  trove('version', 'labelsmnist');
  trove('version', 'modelmnist', '--dataset', 'mnist', '--labels', 'labelsmnist', '--metric', 'accuracy=0.97');
  const v1 = git('rev-parse', 'HEAD').trim();

  const versionTimes = [];
  for (let r = 0; r < REPEATS; r++) {
    for (let i = 0; i < CHANGED; i++) {
      const n = (r * CHANGED + i * 97) % FILES;
      writeFileSync(join(dir, 'data/mnist', `d${Math.floor(n / perDir)}`, `f${n}.png`), `changed ${r} ${i}`);
    }
    versionTimes.push(timed('version', 'mnist'));
  }
  console.log(`trove version of ${FILES} files after ${CHANGED} changed: ${fmt(versionTimes)} (target ≤ 1 s)`);

  const paths = ['data/mnist', 'data/labels', 'models/mnist'];
  const withDeps = [];
  const byRev = [];
  for (let r = 0; r < REPEATS; r++) {
    trove('checkout', '-f', '--rev', 'HEAD', ...paths);
    withDeps.push(timed('checkout', 'modelmnist@v1.0.0', '--with-deps'));
    trove('checkout', '-f', '--rev', 'HEAD', ...paths);
    byRev.push(timed('checkout', '--rev', v1, ...paths));
  }
  console.log(`trove checkout modelmnist@v1.0.0 --with-deps: ${fmt(withDeps)}`);
  console.log(`trove checkout --rev <v1 commit> (same data):  ${fmt(byRev)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
