#!/usr/bin/env node
// `trove exp ls` over 1,000 runs x 100 checkpoints each (issue 15's benchmark
// row; target <= 0.5 s; Keepsake: 63 s on S3 before its fix, 1.7 s after, its
// issue #37). The runs are written with one `git fast-import` by the test
// fixture (dist/test/helpers/experimentFixture.js, the run format of
// docs/formats.md), then `trove --json exp ls` and `trove exp ls` (text) are
// timed, median of BENCH_REPEATS (default 5), the whole process as a user
// sees it. Needs `npm run build` first. Prints one JSON line.
//
// Environment: BENCH_RUNS (1000), BENCH_CHECKPOINTS (100), BENCH_REPEATS (5), TROVE_BIN.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, TROVE_BIN } from './lib/tools.mjs';
import { median, round } from './lib/measure.mjs';

const env = process.env;
const runs = Number(env.BENCH_RUNS ?? 1000);
const checkpoints = Number(env.BENCH_CHECKPOINTS ?? 100);
const repeats = Number(env.BENCH_REPEATS ?? 5);
const { bulkRuns, writeRuns } = await import(pathToFileURL(join(ROOT, 'dist', 'test', 'helpers', 'experimentFixture.js')).href);

const dir = mkdtempSync(join(tmpdir(), 'trove-bench-expls-'));
try {
  const git = (...a) => execFileSync('git', a, { cwd: dir });
  git('init', '-q', '-b', 'main');
  spawnSync(process.execPath, [TROVE_BIN, 'init'], { cwd: dir });
  const t0 = performance.now();
  writeRuns(dir, bulkRuns(runs, checkpoints));
  const fixtureS = (performance.now() - t0) / 1000;
  const time = (args) => {
    const xs = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [TROVE_BIN, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
      if (r.status !== 0) throw new Error(`trove ${args.join(' ')}: ${r.stderr}`);
      xs.push((performance.now() - t) / 1000);
      if (args.includes('--json') && !args.includes('--filter') && JSON.parse(r.stdout).result.experiments.length !== runs) throw new Error('wrong count');
    }
    return round(median(xs), 3);
  };
  const json = time(['--json', 'exp', 'ls']);
  const text = time(['exp', 'ls']);
  const filtered = time(['--json', 'exp', 'ls', '--filter', 'learning_rate = 0.01', '--sort', '-accuracy']);
  const startup = time(['--json', 'exp', 'ls', '--filter', 'no_such_param = 1']);
  console.log(JSON.stringify({ row: 'exp ls', runs, checkpoints, fixtureS: round(fixtureS, 2), jsonS: json, textS: text, filterSortS: filtered, targetS: 0.5, keepsakeS3S: 63, keepsakeAfterFixS: 1.7, repeats, note: `noFilterMatch ${startup} s` }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
