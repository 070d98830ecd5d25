#!/usr/bin/env node
// Keeps the layer arrows one-way (see docs/architecture.md): a file may import
// from its own folder or from a folder of a lower rank, never up or sideways.
// core/ is pure: of Node's built-in modules it may use only those that compute
// (CORE_BUILTINS), never one that reaches the file system, processes, the
// network, threads or the machine.
//
// What counts as an import: `import … from`, `export … from`, side-effect
// `import '…'`, `import(…)`, `require(…)` and `createRequire(…)(…)`, and
// `new URL('…', import.meta.url)` (how worker scripts and assets are named),
// which is resolved like a relative import.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceFiles } from './lib/sourceFiles.mjs';

// sync/ (4.5) is what needs both workspace/ and transfer/ (a repository's remotes: their
// configuration, opening one, fetching during a merge or an import); hooks/ (5.2) are git's
// hooks and their installation, built on the public api/ like server/ and cli/.
export const RANKS = {
  errors: 0, util: 1, core: 1, platform: 2, store: 3, remote: 3,
  transfer: 4, workspace: 4, experiments: 4, registry: 4, sync: 4.5, api: 5, hooks: 5.2, server: 5.5, cli: 6,
};

// The built-ins core/ may import: hashing, bytes and text decoding. Each is a
// function of its input (globalThis.crypto's random values are the one source
// of randomness core uses, for new ids). Everything else Node ships (fs,
// fs/promises, os, net, http, https, http2, dgram, dns, tls, child_process,
// cluster, worker_threads, process, readline, v8, vm, inspector, …) is
// forbidden, with or without the node: prefix.
export const CORE_BUILTINS = ['crypto', 'buffer', 'string_decoder'];

const BUILTINS = new Set(builtinModules.map((m) => m.replace(/^node:/, '')));
/** The bare name of a Node built-in (`node:fs/promises` → `fs/promises`), or undefined. */
const builtinName = (spec) => {
  const bare = spec.replace(/^node:/, '');
  return spec.startsWith('node:') || BUILTINS.has(bare) || BUILTINS.has(bare.split('/')[0]) ? bare : undefined;
};

const IMPORT_PATTERNS = [
  /(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/g, // import x from '…', export { x } from '…'
  /(?:^|[;\s])import\s*['"]([^'"]+)['"]/g, // import '…' (side effects only)
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, // import('…')
  /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g, // require('…')
  /\bcreateRequire\([^)]*\)\(\s*['"]([^'"]+)['"]\s*\)/g, // createRequire(import.meta.url)('…')
];
const URL_PATTERN = /\bnew\s+URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g;

/** Every module a file names: { spec, viaUrl }. */
export function importsOf(text) {
  const out = new Map();
  for (const re of IMPORT_PATTERNS) for (const m of text.matchAll(re)) out.set(`i ${m[1]}`, { spec: m[1], viaUrl: false });
  for (const m of text.matchAll(URL_PATTERN)) out.set(`u ${m[1]}`, { spec: m[1], viaUrl: true });
  return [...out.values()];
}

// The local store owns its layout (docs/architecture.md, "The store"): above
// store/, nothing imports store/layout.ts or joins a path onto the store's
// directory; it asks ContentStore (store/ContentStore.ts) instead.
const STORE_LAYOUT = 'store/layout';
const STORE_PATH_PATTERNS = [
  /\b(?:join|resolve)\(\s*[\w.]*\bstore\.dir\s*,/, // join(repo.store.dir, 'objects')
  /\b(?:join|resolve)\(\s*storeDir\s*,/, // join(storeDir, 'remotes')
  /`\$\{[\w.]*\bstore\.dir\}\//, // `${store.dir}/tmp`
];

export function checkLayers(srcDir) {
  const problems = [];
  const files = sourceFiles(srcDir, /\.(m|c)?tsx?$/);
  for (const file of files) {
    const rel = relative(srcDir, file).split(sep).join('/');
    const layer = rel.split('/')[0];
    if (!rel.includes('/')) continue; // src/index.ts may re-export anything
    if (!(layer in RANKS)) {
      problems.push(`${rel}: folder "${layer}" has no layer rank; add it to scripts/check-layers.mjs`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    if (layer !== 'store') {
      for (const re of STORE_PATH_PATTERNS) {
        const m = re.exec(text);
        if (m) problems.push(`${rel}: builds a path inside the local store (${m[0]}…); ask the store (store/ContentStore.ts) instead`);
      }
    }
    for (const { spec, viaUrl } of importsOf(text)) {
      const builtin = viaUrl ? undefined : builtinName(spec);
      if (builtin !== undefined) {
        if (layer === 'core' && !CORE_BUILTINS.includes(builtin)) problems.push(`${rel}: core must stay pure but imports ${spec}`);
        continue;
      }
      // A module URL resolves against the file whatever its first character; an import only when it starts with '.'.
      const relativeSpec = viaUrl ? !/^[a-z][a-z0-9+.-]*:/i.test(spec) && !spec.startsWith('/') : spec.startsWith('.');
      if (!relativeSpec) continue;
      const target = relative(srcDir, resolve(dirname(file), spec)).split(sep).join('/');
      if (target.startsWith('../') || target === '..') continue; // outside src/ (package.json, ui/)
      const how = viaUrl ? `new URL('${spec}', import.meta.url)` : spec;
      if (!target.includes('/')) {
        problems.push(`${rel}: ${layer} must not import the package entry src/${target} via ${how}`);
        continue;
      }
      if (layer !== 'store' && target.replace(/\.(m|c)?(js|ts)$/, '') === STORE_LAYOUT) {
        problems.push(`${rel}: the store's on-disk layout is its own: import store/ContentStore.ts (or ObjectStore) instead of ${how}`);
        continue;
      }
      const tlayer = target.split('/')[0];
      if (tlayer === layer) continue;
      if (!(tlayer in RANKS)) {
        problems.push(`${rel}: imports ${target}, in folder "${tlayer}" that has no layer rank, via ${how}`);
        continue;
      }
      if (RANKS[tlayer] >= RANKS[layer]) problems.push(`${rel}: ${layer} (rank ${RANKS[layer]}) must not import ${tlayer} (rank ${RANKS[tlayer]}) via ${how}`);
    }
  }
  return problems;
}

/** Folders of src/ the browser front end (ui/) may import: pure core/ modules and the server's response types. */
export const UI_MAY_IMPORT = ['core/', 'server/types/'];

/** ui/ runs in the browser: it imports no Node built-in, and from src/ only UI_MAY_IMPORT. */
export function checkUi(uiDir, srcDir) {
  const problems = [];
  const files = sourceFiles(uiDir, /\.tsx?$/);
  for (const file of files) {
    const rel = `ui/${relative(uiDir, file).split(sep).join('/')}`;
    for (const { spec, viaUrl } of importsOf(readFileSync(file, 'utf8'))) {
      if (!viaUrl && builtinName(spec) !== undefined) {
        problems.push(`${rel}: the browser front end must not import the Node built-in ${spec}`);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const target = relative(srcDir, resolve(dirname(file), spec)).split(sep).join('/');
      if (target.startsWith('../') || target === '..') continue; // not in src/
      if (!UI_MAY_IMPORT.some((d) => target.startsWith(d))) problems.push(`${rel}: ui/ may import only ${UI_MAY_IMPORT.map((d) => `src/${d}`).join(' and ')} from src/, not src/${target}`);
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = [
    ...checkLayers(fileURLToPath(new URL('../src', import.meta.url))),
    ...checkUi(fileURLToPath(new URL('../ui', import.meta.url)), fileURLToPath(new URL('../src', import.meta.url))),
  ];
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log('layers ok');
}
