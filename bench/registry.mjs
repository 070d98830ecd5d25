#!/usr/bin/env node
// Registry read speed (issue 14): `trove registry` over ENTITIES × VERSIONS
// annotated version tags and ASSIGNMENTS stage assignments, against the target
// of 0.3 s (GTO takes 6–12 s at ~1,500 tags, its issue #156).
//
//   node bench/registry.mjs            # 100 × 20 = 2,000 tags, 500 assignments
//   BENCH_ENTITIES=200 BENCH_VERSIONS=20 node bench/registry.mjs
//
// The repository is made in one `git fast-import` stream (one commit with the
// declarations and stage files, then every tag), so setup takes about a second.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = process.env.TROVE_BIN ?? fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 100);
const VERSIONS = Number(process.env.BENCH_VERSIONS ?? 20);
const ASSIGNMENTS = Number(process.env.BENCH_ASSIGNMENTS ?? 500);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);

const dir = mkdtempSync(join(tmpdir(), 'trove-bench-registry-'));
const git = (...args) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
try {
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'bench');
  git('config', 'user.email', 'bench@example.com');
  execFileSync(process.execPath, [BIN, 'init'], { cwd: dir, stdio: 'ignore' });
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  const head = git('rev-parse', 'HEAD').trim();
  const when = 1767261600;
  const blob = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const parts = [];
  const files = [];
  const perEntity = Math.ceil(ASSIGNMENTS / ENTITIES);
  let assigned = 0;
  for (let e = 0; e < ENTITIES; e++) {
    const name = `model${e}`;
    files.push(`M 100644 inline .trove/registry/entities/${name}.yaml\n${blob(`trove-entity: 1\nname: ${name}\ntype: model\ncategories: [bench]\npath: model/bench/${name}\nmutability: mutable\ndescription: ""\n`)}`);
    // Stages: `dev` (unlimited) holds most; production one.
    const n = Math.min(perEntity, ASSIGNMENTS - assigned, VERSIONS);
    assigned += n;
    const list = (vs) => vs.map((v) => `    - version: v${v}.0.0\n      commit: ${head}\n      assigned: 2026-01-01T10:00:00Z\n      by: "bench <bench@example.com>"\n`).join('');
    const dev = Array.from({ length: Math.max(0, n - 1) }, (_, i) => VERSIONS - i);
    files.push(`M 100644 inline .trove/registry/stages/${name}.yaml\n${blob(`trove-stages: 1\nentity: ${name}\nstages:\n${n > 0 ? `  production:\n${list([VERSIONS])}` : ''}${dev.length ? `  dev:\n${list(dev)}` : ''}`)}`);
  }
  parts.push(`commit refs/heads/main\nmark :1\ncommitter bench <bench@example.com> ${when} +0000\n${blob('registry')}from ${head}\n${files.join('')}\n`);
  let t = when;
  for (let e = 0; e < ENTITIES; e++) {
    for (let v = 1; v <= VERSIONS; v++) {
      const name = `model${e}`;
      const record = `Register ${name} v${v}.0.0\n\ntrove-version: 1\nentity: ${name}\ntype: model\nversion: v${v}.0.0\npath: model/bench/${name}\ndata-oid: sha256:${(e * 1000 + v).toString(16).padStart(64, '0')}\ndata-kind: dir\ndata-size: ${1000 * v}\ndata-files: ${v}\nuses: \nmetric.accuracy: 0.${90 + (v % 10)}\n`;
      parts.push(`tag ${name}@v${v}.0.0\nfrom :1\ntagger bench <bench@example.com> ${t++} +0000\n${blob(record)}`);
    }
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: parts.join('') });
  git('reset', '-q', '--hard', 'main');
  const times = [];
  let last;
  for (let i = 0; i < REPEATS; i++) {
    const start = process.hrtime.bigint();
    last = spawnSync(process.execPath, [BIN, '--json', 'registry'], { cwd: dir, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (last.status !== 0) throw new Error(`trove registry failed: ${last.stderr}`);
  }
  const out = JSON.parse(last.stdout).result;
  const held = out.entities.reduce((s, e) => s + Object.values(e.stages).reduce((a, l) => a + l.length, 0), 0);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`trove registry: ${out.entities.length} entities, ${ENTITIES * VERSIONS} version tags, ${held} stage assignments: median ${median.toFixed(3)} s of ${REPEATS} (min ${times[0].toFixed(3)}, max ${times[times.length - 1].toFixed(3)}); target ≤ 0.3 s`);
} finally {
  if (process.env.BENCH_KEEP) console.log(dir); else rmSync(dir, { recursive: true, force: true });
}
