import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { deleteRetired, retirePacks } from '../../src/store/pack/retire.js';
import { READERS_DIR } from '../../src/store/pack/readerLease.js';

const LEASE_MODULE = new URL('../../src/store/pack/readerLease.js', import.meta.url).href;
const A = 'c'.repeat(64);

/** A child process that takes a reader lease on `store`, says "ready", and lives until its stdin closes. */
async function leaseHolder(store: string): Promise<ChildProcess> {
  const script = `import { takeReaderLease } from ${JSON.stringify(LEASE_MODULE)};
if (!takeReaderLease(process.argv[1])) process.exit(3);
process.stdout.write('ready\\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, store], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.equal(chunk.toString(), 'ready\n');
  return child;
}

function storeWithPack(): string {
  const store = mkdtempSync(join(tmpdir(), 'trove-packretire-'));
  mkdirSync(join(store, 'packs'));
  writeFileSync(join(store, 'packs', A + '.pack'), 'pack bytes');
  writeFileSync(join(store, 'packs', A + '.tidx'), 'index');
  return store;
}

const retired = (store: string): string[] => readdirSync(join(store, 'packs', 'retired')).sort();

test('a child process holding a reader lease keeps retired packs alive until it exits', async () => {
  const store = storeWithPack();
  try {
    const child = await leaseHolder(store);
    retirePacks(store, [A]);
    assert.deepEqual(deleteRetired(store).waiting, [A]);
    assert.deepEqual(retired(store), [A + '.pack', A + '.tidx']);
    child.stdin!.end();
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    assert.deepEqual(readdirSync(join(store, READERS_DIR)), [], 'the lease was released at exit');
    assert.deepEqual(deleteRetired(store).deleted, [A]);
    assert.deepEqual(retired(store), []);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('the lease of a child killed with -9 is ignored by the next delete', async () => {
  const store = storeWithPack();
  try {
    const child = await leaseHolder(store);
    retirePacks(store, [A]);
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(readdirSync(join(store, READERS_DIR)).length, 1, 'kill -9 left the lease behind');
    assert.deepEqual(deleteRetired(store).deleted, [A]);
    assert.ok(!existsSync(join(store, 'packs', 'retired', A + '.pack')));
    assert.deepEqual(readdirSync(join(store, READERS_DIR)), [], 'and it was swept');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});
