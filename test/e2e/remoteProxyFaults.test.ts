import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, pseudoRandom } from '../helpers/tmpRepo.js';
import { createTeam, type Clone } from '../helpers/collab.js';
import { startMoto, TEST_CREDENTIALS, type MotoServer } from '../helpers/motoServer.js';
import { startFaultProxy, type ProxyFault } from '../helpers/faultProxy.js';

// Network faults between trove and a real S3 server (moto): a TCP proxy breaks
// connections the way networks and overloaded servers do, under the real AWS
// SDK. The CLI runs asynchronously because the proxy lives in this process.

const env = { ...process.env, NO_COLOR: '1', TROVE_RETRY_BASE_MS: '20' };

function trove(cwd: string, ...args: string[]): Promise<{ code: number; result: any; error: any; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--json', ...args], { cwd, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('close', (code) => {
      let doc: any = {};
      try {
        doc = JSON.parse(code === 0 ? out : err.trim().split('\n').pop() ?? '{}');
      } catch {
        /* reported through stderr below */
      }
      resolve({ code: code ?? -1, result: doc.result, error: doc.error, stderr: err });
    });
  });
}

/** Push or pull until it completes; a partial transfer (exit 3) is allowed to happen and must be resumable. */
async function untilDone(c: Clone, verb: string): Promise<number> {
  for (let attempt = 1; attempt <= 4; attempt++) {
    const r = await trove(c.dir, verb);
    if (r.code === 0) return attempt;
    assert.equal(r.code, 3, `${verb} either completes or stops as a partial transfer: ${r.stderr}`);
    assert.equal(r.error.code, 'PARTIAL_TRANSFER');
  }
  throw new Error(`${verb} did not complete in 4 runs`);
}

function useEndpoint(c: Clone, endpoint: string, timeoutMs: number): void {
  for (const [k, v] of [['endpoint', endpoint], ['timeout_ms', String(timeoutMs)], ['access_key_id', TEST_CREDENTIALS.accessKeyId], ['secret_access_key', TEST_CREDENTIALS.secretAccessKey]]) {
    assert.equal(c.trove('remote', 'modify', '--local', 's3', k!, v!).code, 0);
  }
}

/** The first connections: refused with 503 + Retry-After, or never answered. */
const CONNECT: ProxyFault[] = ['503', 'stall'];
const BODIES: ProxyFault[] = ['reset', 'flip', 'truncate', 'reset', 'flip', 'truncate'];

test('push and pull through dropped, stalled, 503, truncated and bit-flipped S3 connections: every object arrives intact', async () => {
  const moto: MotoServer = await startMoto();
  const team = createTeam();
  // The first connections fail, three uploads are cut mid-body, six long answers are broken; then the network heals.
  const pushProxy = await startFaultProxy(moto.endpoint, (n) => (n < 6 ? CONNECT[n % 2] : undefined), { uploadDrops: 3 });
  const pullProxy = await startFaultProxy(moto.endpoint, (n) => (n < 6 ? CONNECT[n % 2] : undefined), { bodyFaults: BODIES });
  try {
    await moto.createBucket('faults');
    const a = team.clone('a');
    assert.equal(a.trove('init').code, 0);
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 120; i++) files[`data/d${i % 6}/f${i}.bin`] = pseudoRandom(20_000 + i * 300, i + 1);
    files['models/model.bin'] = pseudoRandom(24 * 1024 * 1024 + 5, 77);
    for (const [p, d] of Object.entries(files)) a.write(p, d);
    assert.equal(a.trove('add', 'data', 'models/model.bin').code, 0);
    assert.equal(a.trove('remote', 'add', '-d', 's3', 's3://faults/p').code, 0);
    assert.equal(a.trove('remote', 'modify', 's3', 'path_style', 'true').code, 0);
    assert.equal(a.trove('remote', 'modify', 's3', 'region', 'us-east-1').code, 0);
    a.git('add', '-A');
    a.git('commit', '-q', '-m', 'v1');
    a.git('push', '-q', 'origin', 'main');
    // Packs small enough that the push makes many requests (the faults need connections to hit).
    useEndpoint(a, pushProxy.endpoint, 1500);
    await untilDone(a, 'push');
    assert.ok(pushProxy.injected['503'] > 0 && pushProxy.injected.stall > 0 && pushProxy.injected['upload-drop'] > 0, `push met the faults: ${JSON.stringify(pushProxy.injected)}`);

    // Checked without the proxy: what the remote holds re-hashes to its digests.
    useEndpoint(a, moto.endpoint, 120_000);
    const fsck = await trove(a.dir, 'fsck', '-r', 's3', '--thorough');
    assert.equal(fsck.code, 0, fsck.stderr);
    assert.equal(fsck.result.remote.corruptPacks.length + fsck.result.remote.missingPacks.length, 0);

    const b = team.clone('b');
    useEndpoint(b, pullProxy.endpoint, 1500);
    await untilDone(b, 'pull');
    const hit = pullProxy.injected;
    assert.ok(hit.flip + hit.truncate + hit.reset > 0, `pull met body faults: ${JSON.stringify(hit)}`);
    for (const [p, d] of Object.entries(files)) assert.ok(b.read(p).equals(d), `${p} identical after a faulty pull`);
    const local = await trove(b.dir, 'fsck');
    assert.equal(local.code, 0, 'nothing corrupt entered the store');
    assert.equal(local.result.corrupt.length, 0);
  } finally {
    await pushProxy.close();
    await pullProxy.close();
    team.cleanup();
    await moto.stop();
  }
});

test('a server that never answers: push stops with one sentence naming the remote, instead of hanging', async () => {
  const moto: MotoServer = await startMoto();
  const team = createTeam();
  const proxy = await startFaultProxy(moto.endpoint, () => 'stall');
  try {
    await moto.createBucket('silent');
    const a = team.clone('a');
    assert.equal(a.trove('init').code, 0);
    a.write('models/m.bin', pseudoRandom(10_000, 3));
    assert.equal(a.trove('add', 'models/m.bin').code, 0);
    assert.equal(a.trove('remote', 'add', '-d', 's3', 's3://silent/p').code, 0);
    assert.equal(a.trove('remote', 'modify', 's3', 'path_style', 'true').code, 0);
    useEndpoint(a, proxy.endpoint, 500);
    const r = await trove(a.dir, 'push');
    assert.notEqual(r.code, 0);
    assert.match(r.error.message, /s3|127\.0\.0\.1/);
    assert.ok(!/trove-test-secret/.test(r.stderr), 'no secret in the output');
    assert.ok(r.error.hint, 'with a hint');
  } finally {
    await proxy.close();
    team.cleanup();
    await moto.stop();
  }
});
