// The end of every per-area bench script (registry, experiments, ui): the run's
// wall time, then either a subset's rows printed (BENCH_ROWS: a look, not a
// result, so nothing is recorded and the script stops) or the whole result
// written to bench/results/NAME.json for the doc block that follows.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { round } from './measure.mjs';

export function recordResults(results, { jsonPath, t0, env = process.env }) {
  results.runSeconds = round((Date.now() - t0) / 1000, 1);
  if (env.BENCH_ROWS) {
    process.stdout.write(`${JSON.stringify(results.rows, null, 2)}\n`);
    process.exit(0);
  }
  fs.mkdirSync(path.dirname(jsonPath), { recursive: true });
  fs.writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
}
