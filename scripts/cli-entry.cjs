#!/usr/bin/env node
'use strict';
// The `trove` command (package.json "bin"; scripts/build-cli.mjs copies this
// file to dist/cli/trove.cjs beside the bundle it runs, dist/cli/cli.cjs).
// It compiles the bundle with the V8 code cache that the build wrote
// (dist/cli/cli.cjs.cache): V8 then skips parsing and compiling the functions
// a start-up runs, which is most of what start-up costs (docs/decisions.md,
// "Start-up"). A cache V8 cannot use (another Node version, a rebuilt bundle)
// is rejected by V8 itself and the bundle compiles as usual. Node 22's
// module.enableCompileCache() would do this for us, but trove runs on Node 20.
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const BUNDLE = join(__dirname, 'cli.cjs');
const CACHE = `${BUNDLE}.cache`;

/** Run the bundle as Node would run it as a CommonJS module, from the code cache when there is one; `writeCache` (the build) saves the cache on exit. */
function start(writeCache) {
  // The bundle keeps bin.ts's #! line, which is a syntax error inside the module wrapper; blanking it keeps line numbers.
  const source = readFileSync(BUNDLE, 'utf8').replace(/^#!.*/, '');
  let cachedData;
  try {
    cachedData = writeCache ? undefined : readFileSync(CACHE);
  } catch {
    // no cache beside the bundle (not built, or removed): V8 compiles from source, only slower
  }
  // The bundle holds no import() (the build turns them into require()), so the script needs no dynamic-import callback.
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  const mod = new Module(BUNDLE, module);
  mod.filename = BUNDLE;
  const require = Module.createRequire(BUNDLE);
  script.runInThisContext().call(mod.exports, mod.exports, require, mod, BUNDLE, dirname(BUNDLE));
  if (writeCache) process.on('exit', () => writeFileSync(CACHE, script.createCachedData()));
}

if (require.main === module) start(false);
else module.exports = { start };
