#!/usr/bin/env node
// Builds the `trove` command into dist/cli/ from tsc's output (dist/src):
//   trove.cjs     the command (package.json "bin", so every Git hook runs it): scripts/cli-entry.cjs
//   cli.cjs       dist/src/cli/bin.js and everything it imports, in one CommonJS file
//   cli.cjs.cache V8's code cache for cli.cjs, written by running `trove status` once
//   xWorker.js    each worker script, bundled as ES modules (+ shared chunk-*.js)
// The library (dist/src, `import 'trove'`) stays tsc's output. Why one CommonJS
// file and a code cache: Node's ES module loader pays per file (resolve, read,
// link) and V8 pays to compile what start-up runs; measured in docs/decisions.md
// ("Start-up"). CommonJS because a bundle of ES modules must either load every
// package up front (one file) or split into dozens of chunks, while esbuild's
// CommonJS output requires each package only when the module using it first runs.
//
// Paths the code builds from import.meta.url must mean what they mean in dist/src:
//  - `new URL('./xWorker.js', import.meta.url)` names a worker script beside the
//    module: each such target is bundled to dist/cli/ under the same name, and
//    the URL is taken relative to the bundle;
//  - any other import.meta.url (dist/ui, package.json, createRequire) becomes the
//    module's own dist/src URL, computed from the bundle's location.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceFiles } from './lib/sourceFiles.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'dist', 'src');
const out = join(root, 'dist', 'cli');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const WORKER_URL = /new URL\((['"])\.\/([\w-]+\.js)\1, import\.meta\.url\)/g;
// Packages every command loads are bundled (a package's files cost a load each); the rest stay in node_modules.
const BUNDLED = new Set(['commander']);

/** The worker scripts: every `new URL('./x.js', import.meta.url)` target under dist/src, by file name (they share dist/cli/). */
function workerScripts() {
  const found = new Map();
  for (const file of sourceFiles(src, /\.js$/)) {
    for (const m of readFileSync(file, 'utf8').matchAll(WORKER_URL)) {
      const target = join(dirname(file), m[2]);
      if (!existsSync(target)) throw new Error(`${relative(root, file)} names ${m[2]}, which tsc did not emit`);
      const other = found.get(m[2]);
      if (other && other !== target) throw new Error(`two worker scripts are named ${m[2]} (${other}, ${target}): they would overwrite each other in dist/cli`);
      found.set(m[2], target);
    }
  }
  return found;
}

/** Rewrites import.meta.url as described above; `bundleUrl` is the bundle's own URL in the output format. */
const importMetaUrl = (bundleUrl) => ({
  name: 'import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(src + sep)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const own = relative(out, args.path).split(sep).join('/');
      const workers = [];
      const contents = text
        .replace(WORKER_URL, (_whole, _q, file) => `new URL(${JSON.stringify(`./${file}`)}, \0WORKER${workers.push(file) - 1}\0)`)
        .replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, ${bundleUrl}).href`)
        .replace(/\0WORKER\d+\0/g, bundleUrl);
      return { contents, loader: 'js' };
    });
  },
});

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)).flatMap((name) => [name, `${name}/*`]),
  outdir: out,
  // Identifiers and lines stay readable: a crash log's stack names real functions.
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
};

rmSync(out, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { cli: join(src, 'cli', 'bin.js') },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  // import() of a package (cli-progress) becomes require(): code that vm.Script compiled from a code cache has no
  // dynamic-import callback in Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING, first seen drawing progress bars).
  supported: { 'dynamic-import': false },
  // ES modules are strict; the CommonJS they become must be too.
  banner: { js: "'use strict';" },
  plugins: [importMetaUrl("require('node:url').pathToFileURL(__filename)")],
});
const workers = workerScripts();
await build({
  ...common,
  entryPoints: Object.fromEntries([...workers].map(([file, path]) => [basename(file, '.js'), path])),
  format: 'esm',
  splitting: true,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  // A bundled CommonJS package (commander) calls require() for Node's built-ins.
  banner: { js: "import { createRequire as __troveCreateRequire } from 'node:module'; const require = __troveCreateRequire(import.meta.url);" },
  plugins: [importMetaUrl('import.meta.url')],
});
const entry = join(out, 'trove.cjs');
copyFileSync(join(root, 'scripts', 'cli-entry.cjs'), entry);
chmodSync(entry, 0o755);

// The code cache: `trove status` in an empty repository (the path every status and hook starts with) compiles what start-up runs.
const repo = mkdtempSync(join(tmpdir(), 'trove-build-cli-'));
try {
  const run = (args, opts = {}) => {
    const r = spawnSync(args[0], args.slice(1), { cwd: repo, encoding: 'utf8', ...opts });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed while writing the code cache: ${r.stderr}`);
  };
  run(['git', 'init', '-q']);
  run([process.execPath, entry, '-q', 'init']);
  run([process.execPath, '-e', `process.argv.splice(1, 1, ${JSON.stringify(entry)}, 'status'); require(${JSON.stringify(entry)}).start(true);`]);
} finally {
  rmSync(repo, { recursive: true, force: true });
}
if (!existsSync(join(out, 'cli.cjs.cache'))) throw new Error('the code cache was not written');
