#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node:test, prints
// the spec reporter's live output, then one summary: totals per suite (the
// folder under the test root: unit, integration, remote, e2e) and every failure
// by name and file. A file that fails before its tests run (at import) counts
// as a failure under its file name. The last line is what CI reads:
//   N passed, N failed, N skipped
// and the exit code is non-zero on any failure.
//
// Usage: node scripts/run-tests.mjs [--dir DIR] [SUITE...]
//   --dir DIR  the test root (default dist/test); SUITE limits to sub-folders.
// Node 20's --test does not expand globs, so we list the files ourselves.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const dirAt = argv.indexOf('--dir');
const root = dirAt >= 0 ? resolve(argv[dirAt + 1] ?? '.') : fileURLToPath(new URL('../dist/test/', import.meta.url));
// Without --dir (dirAt -1) every argument is a suite; `i !== dirAt + 1` alone would drop the first.
const only = argv.filter((_, i) => dirAt < 0 || (i !== dirAt && i !== dirAt + 1));
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
};
for (const sub of only.length ? only : ['']) walk(join(root, sub));
if (files.length === 0) {
  console.error(`no test files found under ${root}; did the build run?`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'trove-test-run-'));
const events = join(work, 'events.jsonl');
const reporter = fileURLToPath(new URL('./testSummaryReporter.mjs', import.meta.url));
// Under a parent node --test (the runner's own test), NODE_TEST_CONTEXT would make this run report to it instead.
const env = { ...process.env };
delete env.NODE_TEST_CONTEXT;
const res = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${reporter}`, `--test-reporter-destination=${events}`, ...files],
  { stdio: 'inherit', env },
);
let lines = [];
try {
  lines = readFileSync(events, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
} catch (err) {
  console.error(`could not read the test events (${err.message}); counting the run as failed`);
}
rmSync(work, { recursive: true, force: true });

const shown = (file) => (relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file));
const suiteOf = (file) => (file ? relative(root, file).split(sep)[0] : '') || '(root)';
const stderrOf = new Map();
for (const e of lines.filter((x) => x.kind === 'stderr')) stderrOf.set(e.file, (stderrOf.get(e.file) ?? '') + e.message);
const totals = new Map();
const failures = [];
for (const e of lines.filter((x) => x.kind !== 'stderr')) {
  const suite = suiteOf(e.file);
  const t = totals.get(suite) ?? { passed: 0, failed: 0, skipped: 0 };
  totals.set(suite, t);
  if (e.kind === 'pass') t.passed++;
  else if (e.kind === 'skip' || e.kind === 'todo') t.skipped++;
  else {
    t.failed++;
    // node names a file that failed before any test ran after the file itself.
    const atLoad = e.file && e.name === e.file;
    const reason = atLoad ? (/^\w*Error\b.*$/m.exec(stderrOf.get(e.file) ?? '')?.[0] ?? e.error) : e.error;
    failures.push({ suite, name: atLoad ? '(the file failed before its tests ran, e.g. at import)' : e.name, file: e.file ? shown(e.file) : '(unknown file)', reason, cancelled: e.failureType === 'cancelledByParent' });
  }
}
// A run that died without reporting a failure is still a failure.
if (res.status !== 0 && failures.length === 0) failures.push({ suite: '(runner)', name: `node --test exited with ${res.status ?? res.signal}`, file: '(none)', reason: res.error?.message ?? null, cancelled: false });

const sum = (k) => [...totals.values()].reduce((n, t) => n + t[k], 0);
const order = ['unit', 'integration', 'remote', 'e2e'];
const suites = [...totals.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
const out = ['', '── summary ──'];
for (const s of suites) {
  const t = totals.get(s);
  out.push(`  ${s.padEnd(12)} ${String(t.passed).padStart(5)} passed  ${String(t.failed).padStart(4)} failed  ${String(t.skipped).padStart(4)} skipped`);
}
if (failures.length) {
  out.push('', `failures (${failures.length}):`);
  for (const f of failures) out.push(`  ✗ [${f.suite}] ${f.name}${f.cancelled ? ' (cancelled)' : ''}`, `      ${f.file}${f.reason ? `: ${f.reason}` : ''}`);
}
const failed = Math.max(sum('failed'), failures.length);
out.push('', `${sum('passed')} passed, ${failed} failed, ${sum('skipped')} skipped`);
console.log(out.join('\n'));
process.exit(failed > 0 || res.status !== 0 ? 1 : 0);
