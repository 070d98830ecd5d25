import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isTroveError, type TroveError } from '../../src/errors/index.js';
import { bufferBody } from '../../src/remote/Backend.js';
import { GcsBackend } from '../../src/remote/GcsBackend.js';
import { openBackend } from '../../src/remote/openBackend.js';
import { CONTENT_NAMED } from '../../src/remote/remoteLayout.js';
import { startGcsFake } from '../helpers/gcsFake.js';
import { backendContract } from './backendContract.js';

const BUCKET = 'trove-test';
const fake = await startGcsFake();
fake.createBucket(BUCKET);
// A second fake that demands a token, so the main one stays open for every other test.
const guarded = await startGcsFake();
guarded.createBucket(BUCKET);
guarded.requireToken = 'the-right-token';
const dir = mkdtempSync(join(tmpdir(), 'trove-gcs-'));
after(async () => {
  await Promise.all([fake.close(), guarded.close()]);
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function open(options: { bucket?: string; endpoint?: string; settings?: Record<string, unknown>; prefix?: string } = {}): Promise<GcsBackend> {
  const url = `gs://${options.bucket ?? BUCKET}/${options.prefix ?? `run${n++}`}`;
  return GcsBackend.open({ name: 'test', url, settings: { endpoint: options.endpoint ?? fake.endpoint, ...options.settings }, env: {} });
}

/**
 * A service-account key in a non-default universe: google-auth-library then
 * signs its own JWT as the bearer token instead of calling Google's token
 * endpoint, so the real credentials_file path runs offline and sends a token
 * the guarded fake does not accept.
 */
function serviceAccountKey(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const path = join(dir, 'key.json');
  writeFileSync(path, JSON.stringify({ type: 'service_account', project_id: 'trove-test', private_key_id: 'k1', private_key: privateKey, client_email: 'trove@trove-test.iam.gserviceaccount.com', client_id: '1', universe_domain: 'trove.test' }));
  return path;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return port;
}

backendContract({
  name: 'gcs',
  open: () => open(),
  openBadAuth: async () => open({ endpoint: guarded.endpoint, settings: { credentials_file: serviceAccountKey() } }),
  openMissing: () => open({ bucket: 'no-such-bucket' }),
  openUnreachable: async () => open({ endpoint: `http://127.0.0.1:${await closedPort()}` }),
});

test('gcs: messages name the remote and its gs:// URL; a missing bucket is NOT_FOUND for every call, with a hint to create it', async () => {
  const b = await open({ bucket: 'absent-bucket', prefix: 'ml/data' });
  assert.equal(b.display, 'gs://absent-bucket/ml/data');
  for (const call of [() => b.stat('k'), () => b.get('k'), () => b.put('k', bufferBody(Buffer.from('x')))]) {
    await assert.rejects(call(), (e: TroveError) => {
      assert.ok(isTroveError(e, 'NOT_FOUND'), e.message);
      assert.match(e.message, /the remote "test" \(gs:\/\/absent-bucket\/ml\/data\)/);
      assert.match(e.hint ?? '', /gcloud storage buckets create gs:\/\/absent-bucket/);
      return true;
    });
  }
});

test('gcs: a missing object names the key and the remote', async () => {
  const b = await open();
  await assert.rejects(b.get('packs/none.idx', { start: 0, end: 4 }), (e: TroveError) => isTroveError(e, 'NOT_FOUND') && /packs\/none\.idx is not on the remote "test" \(gs:\/\/trove-test\/run/.test(e.message));
});

test('gcs: 503 with Retry-After is retryable with retryAfterMs, and the SDK does not retry on its own', async () => {
  const b = await open();
  await b.put('k', bufferBody(Buffer.from('v')));
  const before = fake.requests;
  fake.failNext(503, { retryAfter: '7' });
  await assert.rejects(b.stat('k'), (e: TroveError) => {
    assert.ok(isTroveError(e, 'REMOTE') && e.retryable, e.message);
    assert.equal(e.data?.retryAfterMs, 7000);
    return true;
  });
  assert.equal(fake.requests - before, 1, 'exactly one request: trove owns the retries');
  fake.failNext(429);
  await assert.rejects(b.put('k2', bufferBody(Buffer.from('v'))), (e: TroveError) => isTroveError(e, 'REMOTE') && e.retryable);
  fake.failNext(500);
  await assert.rejects(b.get('k'), (e: TroveError) => isTroveError(e, 'REMOTE') && e.retryable);
  fake.failNext(503);
  await assert.rejects(b.list(''), (e: TroveError) => isTroveError(e, 'REMOTE') && e.retryable);
  assert.equal((await b.get('k')).toString(), 'v', 'the next attempt succeeds');
});

test('gcs: a large put goes through a resumable session in 256 KiB-aligned chunks; a failure mid-session is retryable', async () => {
  const b = await open();
  const data = randomBytes(9 * 1024 * 1024);
  const before = fake.requests;
  await b.put('packs/big.pack', bufferBody(data));
  assert.ok(fake.requests - before >= 3, 'session start plus at least two chunk PUTs');
  assert.ok(fake.objects(BUCKET).get(`${b.display.slice(`gs://${BUCKET}/`.length)}/packs/big.pack`)?.equals(data));
  fake.failNext(503, { times: 1 });
  await assert.rejects(b.put('packs/big2.pack', bufferBody(data)), (e: TroveError) => isTroveError(e, 'REMOTE') && e.retryable);
  assert.equal(await b.stat('packs/big2.pack'), undefined, 'nothing visible after a failed upload');
});

test('gcs: prefixes isolate remotes in one bucket; listing strips the prefix', async () => {
  const a = await open({ prefix: 'iso/a' });
  const c = await open({ prefix: 'iso/ab' });
  await a.put('packs/1.idx', bufferBody(Buffer.from('one')));
  await c.put('packs/2.idx', bufferBody(Buffer.from('two')));
  assert.deepEqual((await a.list('')).map((e) => [e.key, e.size]), [['packs/1.idx', 3]]);
  assert.deepEqual((await a.list('packs')).map((e) => [e.key, e.size]), [['packs/1.idx', 3]]);
  const root = await open({ prefix: '' });
  assert.equal(root.display, `gs://${BUCKET}`);
  assert.ok((await root.list('iso')).some((e) => e.key === 'iso/ab/packs/2.idx'));
});

test('gcs: wrong credentials are AUTH on reads too, with a hint naming credentials_file; the token is never in the message', async () => {
  const b = await open({ endpoint: guarded.endpoint, settings: { credentials_file: serviceAccountKey() } });
  await assert.rejects(b.stat('k'), (e: TroveError) => {
    assert.ok(isTroveError(e, 'AUTH'), e.message);
    assert.match(e.hint ?? '', /credentials_file/);
    assert.match(e.hint ?? '', /GOOGLE_APPLICATION_CREDENTIALS/);
    assert.doesNotMatch(`${e.message} ${e.hint} ${String((e.cause as Error)?.message)}`, /Bearer|eyJ/);
    return true;
  });
  await assert.rejects(b.get('k'), (e: TroveError) => isTroveError(e, 'AUTH'));
  await assert.rejects(b.list(''), (e: TroveError) => isTroveError(e, 'AUTH'));
});

test('gcs: an unreadable credentials_file is CONFIG at open', async () => {
  await assert.rejects(open({ settings: { credentials_file: join(dir, 'missing.json') } }), (e: TroveError) => isTroveError(e, 'CONFIG') && /credentials_file/.test(e.message));
  // A number is text here (`trove remote modify` stores digits as one); a switch is not.
  await assert.rejects(open({ settings: { project: true } }), (e: TroveError) => isTroveError(e, 'CONFIG') && /project/.test(e.message));
});

test('gcs: openBackend loads the GCS backend for gs:// URLs', async () => {
  const b = await openBackend({ name: 'test', url: `gs://${BUCKET}/via-open`, settings: { endpoint: fake.endpoint }, env: {} });
  try {
    assert.ok(b instanceof GcsBackend);
    await b.put('x', bufferBody(Buffer.from('y')));
    assert.equal(await b.stat('x'), 1);
  } finally {
    await b.close();
  }
});

test('gcs: caching follows what the caller says of an object, not its key: only an immutable put may be cached', async () => {
  const b = await open({ prefix: 'cache' });
  await b.put('packs/content.pack', bufferBody(Buffer.from('a')), CONTENT_NAMED);
  await b.put('packs/rewritten.pack', bufferBody(Buffer.from('b')));
  await b.put('packs.list', bufferBody(Buffer.from('c')));
  const cacheControl = async (key: string): Promise<unknown> =>
    ((await (await fetch(`${fake.endpoint}/storage/v1/b/${BUCKET}/o/${encodeURIComponent(`cache/${key}`)}`)).json()) as { cacheControl?: unknown }).cacheControl;
  assert.equal(await cacheControl('packs/content.pack'), undefined);
  assert.equal(await cacheControl('packs/rewritten.pack'), 'no-cache');
  assert.equal(await cacheControl('packs.list'), 'no-cache');
});
