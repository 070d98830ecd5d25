import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type CheckLayers = (srcDir: string) => string[];
type CheckUi = (uiDir: string, srcDir: string) => string[];
const script = async (): Promise<{ checkLayers: CheckLayers; checkUi: CheckUi }> =>
  (await import(fileURLToPath(new URL('../../../scripts/check-layers.mjs', import.meta.url)))) as { checkLayers: CheckLayers; checkUi: CheckUi };
const checker = async (): Promise<CheckLayers> => (await script()).checkLayers;

/** A throw-away src/ tree: path under src → file text. Returns what the checker reports on it. */
async function checkTree(files: Record<string, string>): Promise<string[]> {
  const root = mkdtempSync(join(tmpdir(), 'trove-layers-'));
  try {
    const src = join(root, 'src');
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(src, path)), { recursive: true });
      writeFileSync(join(src, path), text);
    }
    return (await checker())(src);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A tree that follows every rule, using each kind of import the checker reads. */
const CLEAN: Record<string, string> = {
  'index.ts': "export * from './api/add.js';\nexport * from './cli/main.js';\n",
  'errors/TroveError.ts': 'export class TroveError extends Error {}\n',
  'core/oid.ts': "import { createHash } from 'node:crypto';\nimport { Buffer } from 'buffer';\nimport { TroveError } from '../errors/TroveError.js';\nexport const oid = (b: Buffer): string => createHash('sha256').update(b).digest('hex');\nexport { TroveError };\n",
  'core/more.ts': "import './oid.js';\nexport type { TroveError } from '../errors/TroveError.js';\n",
  'platform/git.ts': "import { spawn } from 'node:child_process';\nimport { cpus } from 'node:os';\nimport { oid } from '../core/oid.js';\nexport { spawn, cpus, oid };\n",
  'store/pool.ts':
    "import { Worker } from 'node:worker_threads';\nimport { readFile } from 'node:fs/promises';\nimport '../platform/git.js';\n" +
    "export const w = () => new Worker(new URL('./worker.js', import.meta.url));\nexport const other = new URL('../platform/helper.js', import.meta.url);\nexport { readFile };\n",
  'store/worker.ts': "import { parentPort } from 'node:worker_threads';\nparentPort?.postMessage(1);\n",
  'api/add.ts': "import { w } from '../store/pool.js';\nexport const add = async () => (await import('../store/worker.js'), w);\n",
  'server/assets.ts': "export const UI = new URL('../../ui/', import.meta.url);\nimport { add } from '../api/add.js';\nexport { add };\n",
  'cli/main.ts': "import { add } from '../api/add.js';\nimport { UI } from '../server/assets.js';\nexport const PKG = new URL('../../package.json', import.meta.url);\nexport { add, UI };\n",
};

test('imports between layers go one way only (scripts/check-layers.mjs)', async () => {
  const problems = (await checker())(fileURLToPath(new URL('../../../src', import.meta.url)));
  assert.deepEqual(problems, []);
});

test('ui/ imports only pure core/ modules and server/types/ from src/, and no Node built-in', async () => {
  const { checkUi } = await script();
  assert.deepEqual(checkUi(fileURLToPath(new URL('../../../ui', import.meta.url)), fileURLToPath(new URL('../../../src', import.meta.url))), []);
});

test('layer checker: ui/ importing api/, a server module or a Node built-in is reported', async () => {
  const root = mkdtempSync(join(tmpdir(), 'trove-layers-ui-'));
  try {
    mkdirSync(join(root, 'ui', 'pages'), { recursive: true });
    writeFileSync(
      join(root, 'ui', 'pages', 'Runs.tsx'),
      "import type { RunsResponse } from '../../src/server/types/runsTypes.js';\nimport { parseQuery } from '../../src/core/expQuery.js';\n" +
        "import { listRuns } from '../../src/api/expList.js';\nimport { guard } from '../../src/server/requestGuard.js';\nimport { readFileSync } from 'node:fs';\nimport { api } from '../api.js';\n",
    );
    const { checkUi } = await script();
    assert.deepEqual(checkUi(join(root, 'ui'), join(root, 'src')), [
      'ui/pages/Runs.tsx: ui/ may import only src/core/ and src/server/types/ from src/, not src/api/expList.js',
      'ui/pages/Runs.tsx: ui/ may import only src/core/ and src/server/types/ from src/, not src/server/requestGuard.js',
      'ui/pages/Runs.tsx: the browser front end must not import the Node built-in node:fs',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('layer checker: a clean tree reports nothing', async () => {
  assert.deepEqual(await checkTree(CLEAN), []);
});

test('layer checker: core importing an impure built-in is reported, with or without node:', async () => {
  const problems = await checkTree({
    ...CLEAN,
    'core/a.ts': "import { cpus } from 'node:os';\nexport const n = cpus().length;\n",
    'core/b.ts': "import { readFile } from 'fs/promises';\nexport { readFile };\n",
    'core/c.ts': "import * as net from 'net';\nimport { Worker } from 'node:worker_threads';\nexport { net, Worker };\n",
    'core/d.ts': "export const load = () => import('node:http');\nexport const env = async () => (await import('node:process')).env;\n",
    'core/e.ts': "import 'node:dgram';\n",
  });
  assert.deepEqual(problems.sort(), [
    'core/a.ts: core must stay pure but imports node:os',
    'core/b.ts: core must stay pure but imports fs/promises',
    'core/c.ts: core must stay pure but imports net',
    'core/c.ts: core must stay pure but imports node:worker_threads',
    'core/d.ts: core must stay pure but imports node:http',
    'core/d.ts: core must stay pure but imports node:process',
    'core/e.ts: core must stay pure but imports node:dgram',
  ]);
});

test('layer checker: an import upwards is reported (store importing api/)', async () => {
  const problems = await checkTree({
    ...CLEAN,
    'store/up.ts': "import { add } from '../api/add.js';\nexport { add };\n",
    'store/upType.ts': "import type { add } from '../api/add.js';\nexport type Add = typeof add;\n",
    'store/reexport.ts': "export { add } from '../api/add.js';\n",
  });
  assert.deepEqual(problems.sort(), [
    'store/reexport.ts: store (rank 3) must not import api (rank 5) via ../api/add.js',
    'store/up.ts: store (rank 3) must not import api (rank 5) via ../api/add.js',
    'store/upType.ts: store (rank 3) must not import api (rank 5) via ../api/add.js',
  ]);
});

test('layer checker: a worker or module URL pointing upwards is reported like an import', async () => {
  const problems = await checkTree({
    ...CLEAN,
    'store/pool.ts': "import { Worker } from 'node:worker_threads';\nexport const w = () => new Worker(new URL('../api/addWorker.js', import.meta.url));\n",
    'core/asset.ts': "export const u = new URL('../platform/git.js', import.meta.url);\n",
  });
  assert.deepEqual(problems.sort(), [
    "core/asset.ts: core (rank 1) must not import platform (rank 2) via new URL('../platform/git.js', import.meta.url)",
    "store/pool.ts: store (rank 3) must not import api (rank 5) via new URL('../api/addWorker.js', import.meta.url)",
  ]);
});

test('layer checker: a sideways import (same rank, other folder) is reported', async () => {
  const problems = await checkTree({
    ...CLEAN,
    'util/hex.ts': "import { oid } from '../core/oid.js';\nexport { oid };\n",
    'workspace/status.ts': "export const status = () => import('../transfer/fetch.js');\n",
    'transfer/fetch.ts': 'export {};\n',
  });
  assert.deepEqual(problems.sort(), [
    'util/hex.ts: util (rank 1) must not import core (rank 1) via ../core/oid.js',
    'workspace/status.ts: workspace (rank 4) must not import transfer (rank 4) via ../transfer/fetch.js',
  ]);
});

test('layer checker: a folder without a rank and an import of the package entry are reported', async () => {
  const problems = await checkTree({
    ...CLEAN,
    'misc/x.ts': 'export {};\n',
    'store/entry.ts': "import { add } from '../index.js';\nexport { add };\n",
  });
  assert.deepEqual(problems.sort(), [
    'misc/x.ts: folder "misc" has no layer rank; add it to scripts/check-layers.mjs',
    'store/entry.ts: store must not import the package entry src/index.js via ../index.js',
  ]);
});

test('layer checker: importing store/layout.js from outside src/store is reported (the store owns its layout)', async () => {
  const problems = await checkTree({
    ...CLEAN,
    'store/layout.ts': "export const objectFile = (dir: string, hex: string): string => `${dir}/objects/${hex}`;\n",
    'store/ObjectStore.ts': "import { objectFile } from './layout.js';\nexport { objectFile };\n",
    'transfer/fetch.ts': "import { objectFile } from '../store/layout.js';\nexport { objectFile };\n",
    'workspace/gc.ts': "export type { objectFile } from '../store/layout';\n",
  });
  assert.deepEqual(problems.sort(), [
    "transfer/fetch.ts: the store's on-disk layout is its own: import store/ContentStore.ts (or ObjectStore) instead of ../store/layout.js",
    "workspace/gc.ts: the store's on-disk layout is its own: import store/ContentStore.ts (or ObjectStore) instead of ../store/layout",
  ]);
});

test('layer checker: a path joined onto the store directory outside src/store is reported', async () => {
  const problems = await checkTree({
    ...CLEAN,
    'store/ObjectStore.ts': "import { join } from 'node:path';\nexport const tmp = (store: { dir: string }): string => join(store.dir, 'tmp');\n",
    'workspace/checkout/linkStrategy.ts': "import { join } from 'node:path';\nexport const tmp = (repo: { store: { dir: string } }): string => join(repo.store.dir, 'tmp');\n",
    'api/session.ts': "import { join } from 'node:path';\nexport const cache = (storeDir: string): string => join(storeDir, 'remotes');\n",
    'transfer/x.ts': 'export const t = (store: { dir: string }): string => `${store.dir}/objects`;\n',
    'workspace/Repo.ts': "import { resolve } from 'node:path';\nexport const same = (storeDir: string, other: string): boolean => resolve(storeDir) === resolve(other);\n",
  });
  assert.deepEqual(problems.sort(), [
    'api/session.ts: builds a path inside the local store (join(storeDir,…); ask the store (store/ContentStore.ts) instead',
    'transfer/x.ts: builds a path inside the local store (`${store.dir}/…); ask the store (store/ContentStore.ts) instead',
    'workspace/checkout/linkStrategy.ts: builds a path inside the local store (join(repo.store.dir,…); ask the store (store/ContentStore.ts) instead',
  ]);
});
