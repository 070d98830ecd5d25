#!/usr/bin/env node
// Keeps the layer arrows one-way (see ../shared/GUIDE.md and docs/architecture.md):
// a file may import from its own folder or from a folder of a lower rank, never up
// or sideways. core/ is pure: no file system, process or network modules.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

export const RANKS = {
  errors: 0, util: 1, core: 1, platform: 2, store: 3, remote: 3,
  transfer: 4, workspace: 4, experiments: 4, registry: 4, api: 5, server: 5.5, cli: 6,
};
const CORE_FORBIDDEN = ['node:fs', 'node:child_process', 'node:net', 'node:http', 'node:https', 'node:worker_threads', 'fs', 'child_process'];

export function checkLayers(srcDir) {
  const problems = [];
  const files = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts')) files.push(p);
    }
  };
  walk(srcDir);
  for (const file of files) {
    const rel = relative(srcDir, file);
    const layer = rel.split('/')[0];
    if (!rel.includes('/')) continue; // src/index.ts may re-export anything
    if (!(layer in RANKS)) {
      problems.push(`${rel}: folder "${layer}" has no layer rank; add it to scripts/check-layers.mjs`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (layer === 'core' && CORE_FORBIDDEN.includes(spec)) problems.push(`${rel}: core must stay pure but imports ${spec}`);
      if (!spec.startsWith('.')) continue;
      const target = relative(srcDir, resolve(dirname(file), spec));
      const tlayer = target.split('/')[0];
      if (tlayer === layer || !(tlayer in RANKS)) continue;
      if (RANKS[tlayer] >= RANKS[layer]) problems.push(`${rel}: ${layer} (rank ${RANKS[layer]}) must not import ${tlayer} (rank ${RANKS[tlayer]}) via ${spec}`);
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = checkLayers(new URL('../src', import.meta.url).pathname);
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log('layers ok');
}
