import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isTroveError } from '../../src/errors/index.js';
import { bufferBody } from '../../src/remote/Backend.js';
import { S3Backend } from '../../src/remote/S3Backend.js';
import { RemoteLock } from '../../src/transfer/RemoteLock.js';
import { readClaims, writeClaim } from '../../src/transfer/pushClaims.js';
import { createOid } from '../../src/core/oid.js';
import { startMoto, TEST_CREDENTIALS, type MotoServer } from '../helpers/motoServer.js';

const BUCKET = 'trove-locks';
const policy = { retries: 2, baseDelayMs: 5, maxDelayMs: 20 };
let moto: MotoServer;
let n = 0;

before(async () => {
  moto = await startMoto();
  await moto.createBucket(BUCKET);
});
after(async () => {
  await moto?.stop();
});

function open(): Promise<S3Backend> {
  const settings = { endpoint: moto.endpoint, region: 'us-east-1', path_style: true, access_key_id: TEST_CREDENTIALS.accessKeyId, secret_access_key: TEST_CREDENTIALS.secretAccessKey };
  return S3Backend.open({ name: 'test', url: `s3://${BUCKET}/run${process.pid}/p${n++}`, settings, env: {} });
}

const quick = { policy, waitMs: 0, sleep: async () => undefined };

test('on S3, gc -r\'s exclusive lock and pushes\' shared locks exclude each other, and two gc -r that race never both hold the remote', async () => {
  const backend = await open();
  try {
    const push = await RemoteLock.acquire(backend, { ...quick, kind: 'shared', command: 'push' });
    await assert.rejects(RemoteLock.acquire(backend, { ...quick, kind: 'exclusive', command: 'gc -r' }), (err) => isTroveError(err, 'LOCKED'));
    await push.release();
    for (let round = 0; round < 10; round++) {
      const got = await Promise.allSettled([0, 1, 2].map(() => RemoteLock.acquire(backend, { ...quick, kind: 'exclusive', command: 'gc -r' })));
      const held = got.filter((g) => g.status === 'fulfilled');
      assert.ok(held.length <= 1, `round ${round}: ${held.length} processes held the exclusive lock at once`);
      for (const g of got) if (g.status === 'rejected') assert.ok(isTroveError(g.reason, 'LOCKED'), String(g.reason));
      for (const g of held) await (g as PromiseFulfilledResult<RemoteLock>).value.release();
    }
    assert.deepEqual(await backend.list('locks/'), [], 'every lock released');
  } finally {
    await backend.close();
  }
});

test('on S3, a push claim is read back by gc -r within the grace period and expires after it', async () => {
  const backend = await open();
  try {
    const oid = createOid('sha256', 'e'.repeat(64));
    await writeClaim(backend, [{ kind: 'dir', oid }], policy);
    const now = Date.now();
    const fresh = await readClaims(backend, { now, windowMs: 3_600_000, policy });
    assert.deepEqual(fresh.roots.map((r) => [r.kind, r.oid.hex]), [['dir', oid.hex]]);
    const late = await readClaims(backend, { now: now + 7_200_000, windowMs: 3_600_000, policy });
    assert.equal(late.roots.length, 0);
    assert.equal(late.expired.length, 1);
    await backend.put('claims/garbage', bufferBody(Buffer.from('not a claim\n')));
    await assert.rejects(readClaims(backend, { now, windowMs: 3_600_000, policy }), (err) => isTroveError(err, 'BAD_MANIFEST'), 'a claim gc cannot read stops it');
  } finally {
    await backend.close();
  }
});
