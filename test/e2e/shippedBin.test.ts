import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, createTmpRepo } from '../helpers/tmpRepo.js';

// scripts/build-cli.mjs: dist/cli/trove.cjs runs the bundle dist/cli/cli.cjs from V8's code cache dist/cli/cli.cjs.cache.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: { trove: string } };

test('the tests run the command package.json ships (its "bin"), so they test the bundle', () => {
  assert.equal(BIN, resolve(ROOT, pkg.bin.trove));
  assert.ok(existsSync(join(CLI, 'cli.cjs.cache')), 'npm run build writes the code cache');
});

test('every worker script the bundle names is bundled beside it', () => {
  const named = [...readFileSync(join(CLI, 'cli.cjs'), 'utf8').matchAll(/new URL\("\.\/([\w-]+\.js)", require\("node:url"\)\.pathToFileURL\(__filename\)\)/g)].map((m) => m[1]!);
  assert.deepEqual([...new Set(named)].sort(), ['ingestWorker.js', 'materializeWorker.js', 'scanWorker.js', 'storeSpanWorker.js', 'verifiedReadWorker.js']);
  for (const file of named) assert.ok(existsSync(join(CLI, file)), `${file} is missing from dist/cli`);
});

test('the bundle holds no import(): code compiled from the code cache cannot run one (progress bars failed so on a terminal)', () => {
  assert.doesNotMatch(readFileSync(join(CLI, 'cli.cjs'), 'utf8'), /\bimport\(/);
});

/** A copy of the shipped command in a fresh prefix (package.json, node_modules and dist/ui linked), with its code cache replaced by `cache` (undefined: none). */
function installedCopy(cache: Buffer | undefined): { bin: string; cleanup(): void } {
  const prefix = mkdtempSync(join(tmpdir(), 'trove-bin-'));
  cpSync(CLI, join(prefix, 'dist', 'cli'), { recursive: true });
  symlinkSync(join(ROOT, 'package.json'), join(prefix, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(prefix, 'node_modules'));
  symlinkSync(join(ROOT, 'dist', 'ui'), join(prefix, 'dist', 'ui'));
  const cacheFile = join(prefix, 'dist', 'cli', 'cli.cjs.cache');
  if (cache) writeFileSync(cacheFile, cache);
  else rmSync(cacheFile);
  return { bin: join(prefix, 'dist', 'cli', 'trove.cjs'), cleanup: () => rmSync(prefix, { recursive: true, force: true }) };
}

for (const [name, cache] of [
  ['a code cache V8 rejects (another Node version, another build) is ignored: trove runs and reads its version from package.json', Buffer.from('not a V8 code cache')],
  ['a missing code cache is not an error: trove compiles the bundle and runs', undefined],
] as const) {
  test(name, () => {
    const copy = installedCopy(cache);
    const repo = createTmpRepo();
    try {
      const version = spawnSync(process.execPath, [copy.bin, '--version'], { cwd: repo.dir, encoding: 'utf8' });
      assert.equal(version.status, 0, version.stderr);
      assert.match(version.stdout, new RegExp(`^trove ${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
      const status = spawnSync(process.execPath, [copy.bin, '--json', 'status'], { cwd: repo.dir, encoding: 'utf8' });
      assert.equal(status.status, 0, status.stderr);
      assert.equal(JSON.parse(status.stdout).result.clean, true);
    } finally {
      repo.cleanup();
      copy.cleanup();
    }
  });
}

test('the shipped command runs through its #! line, as npm links it onto PATH', () => {
  const repo = createTmpRepo();
  try {
    const r = spawnSync(BIN, ['--version'], { cwd: repo.dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^trove \d/m);
  } finally {
    repo.cleanup();
  }
});

