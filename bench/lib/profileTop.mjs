#!/usr/bin/env node
// Self time by function and by file from V8 .cpuprofile files (node --cpu-prof):
//   node bench/lib/profileTop.mjs [--top N] a.cpuprofile [b.cpuprofile ...]
// Prints one markdown table per profile (or one for all, with --merge): the N
// functions with the most self time (samples × their time deltas), then the N
// files. Paths are shown relative to the repository (dist/src/...), node:
// internals as they are; (garbage collector), (program) and (idle) are kept,
// since they are part of where the time goes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** { total: µs, byFn: Map(key -> µs), byFile: Map(file -> µs) } of one profile. */
export function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  for (let k = 0; k < samples.length; k++) {
    // timeDeltas[k] is the time before sample k; attribute the gap to the sample that ends it
    const dt = Math.max(0, timeDeltas[k] ?? 0);
    self.set(samples[k], (self.get(samples[k]) ?? 0) + dt);
  }
  const byFn = new Map();
  const byFile = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id)?.callFrame ?? {};
    const file = shortUrl(cf.url);
    const fn = `${cf.functionName || '(anonymous)'}${file ? ` ${file}:${(cf.lineNumber ?? 0) + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const f = file || cf.functionName || '(unknown)';
    byFile.set(f, (byFile.get(f) ?? 0) + us);
    total += us;
  }
  return { total, byFn, byFile };
}

function shortUrl(url) {
  if (!url) return '';
  let p = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (path.isAbsolute(p)) {
    const i = p.lastIndexOf('/dist/');
    p = i >= 0 ? p.slice(i + 1) : path.relative(ROOT, p);
  }
  return p;
}

function merge(into, from) {
  into.total += from.total;
  for (const k of ['byFn', 'byFile']) for (const [key, us] of from[k]) into[k].set(key, (into[k].get(key) ?? 0) + us);
  return into;
}

export function topTable(t, n, kind = 'byFn') {
  const rows = [...t[kind]].sort((a, b) => b[1] - a[1]).slice(0, n);
  const head = kind === 'byFn' ? 'function (file:line)' : 'file';
  return [
    `| ${head} | self ms | % |`,
    '|:--|--:|--:|',
    ...rows.map(([k, us]) => `| \`${k}\` | ${(us / 1000).toFixed(1)} | ${((100 * us) / (t.total || 1)).toFixed(1)} |`),
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let top = 20;
  let mergeAll = false;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--top') top = Number(args[++i]);
    else if (args[i] === '--merge') mergeAll = true;
    else files.push(args[i]);
  }
  if (files.length === 0) {
    process.stderr.write('usage: node bench/lib/profileTop.mjs [--top N] [--merge] FILE.cpuprofile...\n');
    process.exit(2);
  }
  const parts = files.map((f) => [f, selfTimes(JSON.parse(fs.readFileSync(f, 'utf8')))]);
  const groups = mergeAll ? [[`${files.length} profiles`, parts.reduce((a, [, t]) => merge(a, t), { total: 0, byFn: new Map(), byFile: new Map() })]] : parts;
  for (const [name, t] of groups) {
    process.stdout.write(`### ${path.basename(name)}: ${(t.total / 1000).toFixed(0)} ms sampled\n\n${topTable(t, top, 'byFn')}\n\n${topTable(t, Math.min(top, 10), 'byFile')}\n\n`);
  }
}
