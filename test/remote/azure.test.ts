import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { BlobServiceClient, ContainerSASPermissions } from '@azure/storage-blob';
import { isTroveError } from '../../src/errors/index.js';
import { bufferBody, type Body } from '../../src/remote/Backend.js';
import { AzureBackend, type AzureTuning } from '../../src/remote/AzureBackend.js';
import { openBackend } from '../../src/remote/openBackend.js';
import { AZURITE_ACCOUNT, startAzurite } from '../helpers/azuriteServer.js';
import { backendContract } from './backendContract.js';

const server = await startAzurite();
after(() => server.stop());
const admin = BlobServiceClient.fromConnectionString(server.connectionString);
const WRONG_KEY = randomBytes(64).toString('base64');

let n = 0;
/** A fresh container; every other one is used with a blob prefix, so both key layouts run the contract. */
async function freshUrl(): Promise<string> {
  const container = `trove-${n}-${randomBytes(3).toString('hex')}`;
  await admin.getContainerClient(container).create();
  return n++ % 2 === 0 ? `azure://${container}/data/set` : `azure://${container}`;
}

const open = (url: string, settings: Record<string, unknown>, tuning?: AzureTuning, env: NodeJS.ProcessEnv = {}) =>
  AzureBackend.open({ name: 'cloud', url, settings, env }, tuning);

/** A port nothing listens on: bind one, then free it. */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

backendContract({
  name: 'azure',
  streams: true,
  // A small page size so the 1100-key listing really spans pages.
  open: async () => open(await freshUrl(), { connection_string: server.connectionString }, { listPageSize: 400 }),
  openBadAuth: async () => open(await freshUrl(), { account_name: AZURITE_ACCOUNT, account_key: WRONG_KEY, endpoint: server.endpoint }),
  openMissing: async () => open('azure://no-such-container/p', { connection_string: server.connectionString }),
  openUnreachable: async () => open('azure://anything/p', { account_name: AZURITE_ACCOUNT, account_key: WRONG_KEY, endpoint: `http://127.0.0.1:${await deadPort()}/${AZURITE_ACCOUNT}` }),
});

test('azure: credentials from the environment, a SAS token, and az:// through openBackend', async () => {
  const url = await freshUrl();
  const fromEnv = await openBackend({ name: 'cloud', url: url.replace('azure://', 'az://'), settings: {}, env: { AZURE_STORAGE_CONNECTION_STRING: server.connectionString } });
  await fromEnv.put('k', bufferBody(Buffer.from('hello')));

  const container = new URL(url).hostname;
  const sasUrl = await admin.getContainerClient(container).generateSasUrl({ permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 3600_000) });
  const sas = new URL(sasUrl).search;
  const viaSas = await open(url, { sas_token: sas, account_name: AZURITE_ACCOUNT, endpoint: server.endpoint });
  assert.equal((await viaSas.get('k')).toString(), 'hello');
  const forged = await open(url, { sas_token: sas.replace(/sig=[^&]+/, `sig=${encodeURIComponent(WRONG_KEY)}`), account_name: AZURITE_ACCOUNT, endpoint: server.endpoint });
  await assert.rejects(forged.get('k'), (e) => isTroveError(e, 'AUTH'));
  // Settings that name their own account win over a connection string in the environment.
  const viaEnvKey = await open(url, { account_name: AZURITE_ACCOUNT, endpoint: server.endpoint }, {}, { AZURE_STORAGE_KEY: WRONG_KEY, AZURE_STORAGE_CONNECTION_STRING: server.connectionString });
  await assert.rejects(viaEnvKey.stat('k'), (e) => isTroveError(e, 'AUTH'));
});

test('azure: no credentials is AUTH at open, and errors never show the key', async () => {
  await assert.rejects(open('azure://box/p', {}), (e) => isTroveError(e, 'AUTH') && /config\.local\.yaml/.test((e as { hint: string }).hint));
  const b = await open(await freshUrl(), { account_name: AZURITE_ACCOUNT, account_key: WRONG_KEY, endpoint: server.endpoint });
  const err = await b.get('k').catch((e: unknown) => e);
  assert.ok(isTroveError(err, 'AUTH'));
  const shown = JSON.stringify(err.toJSON()) + err.message + (err.hint ?? '');
  assert.ok(!shown.includes(WRONG_KEY) && !shown.includes(WRONG_KEY.slice(0, 20)), 'no key in the message, hint or data');
  assert.match(err.message, /the remote "cloud" \(azure:\/\/trove-/i);
  await assert.rejects(open('azure://ab/p', { connection_string: server.connectionString }), (e) => isTroveError(e, 'USAGE'));
});

test('azure: a blocked upload stages blocks in parallel and the blob appears only at commit', async () => {
  const b = await open(await freshUrl(), { connection_string: server.connectionString }, { blockSize: 1 << 20 });
  const data = randomBytes(7 * (1 << 20) + 99);
  let seenMidway: number | undefined | 'unchecked' = 'unchecked';
  const body: Body = {
    size: data.length,
    async *open() {
      for (let i = 0; i < data.length; i += 300_000) {
        if (i > 5 * (1 << 20) && seenMidway === 'unchecked') seenMidway = await b.stat('blocked');
        yield data.subarray(i, i + 300_000);
      }
    },
  };
  await b.put('blocked', body);
  assert.equal(seenMidway, undefined, 'no blob while blocks are only staged');
  assert.ok((await b.get('blocked')).equals(data));

  // A body that breaks halfway leaves nothing behind, and says it was the body.
  const broken: Body = {
    size: data.length,
    async *open() {
      yield data.subarray(0, 3 << 20);
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', syscall: 'read', path: '/data/file.bin' });
    },
  };
  await assert.rejects(b.put('broken', broken), (e) => isTroveError(e, 'IO'));
  assert.equal(await b.stat('broken'), undefined);
});

test('azure: 503 ServerBusy is retryable with Retry-After; 404 ContainerNotFound on stat is NOT_FOUND', async () => {
  const fake: Server = createServer((_req, res) => {
    res.writeHead(503, { 'x-ms-error-code': 'ServerBusy', 'retry-after': '3', 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>busy</Message></Error>');
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  try {
    const { port } = fake.address() as AddressInfo;
    const b = await open('azure://busy/p', { account_name: AZURITE_ACCOUNT, account_key: WRONG_KEY, endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}` });
    await assert.rejects(b.get('k'), (e) => isTroveError(e, 'REMOTE') && e.retryable && e.data?.retryAfterMs === 3000);
  } finally {
    fake.closeAllConnections();
    await new Promise((r) => fake.close(r));
  }
  const missing = await open('azure://no-such-container', { connection_string: server.connectionString });
  await assert.rejects(missing.stat('k'), (e) => isTroveError(e, 'NOT_FOUND') && /az storage container create/.test((e as { hint: string }).hint));
});

test('azure does not retry an error that has no HTTP status and is not a network error', async () => {
  const b = await open(await freshUrl(), { connection_string: server.connectionString });
  // A bug below the client (here a RangeError from the body) never reached the server: another attempt fails the same way.
  const buggy: Body = {
    size: 10,
    async *open() {
      throw new RangeError('Invalid array length');
    },
  };
  await assert.rejects(b.put('bug', buggy), (e) => isTroveError(e, 'REMOTE') && e.retryable === false && !/Cannot reach/.test(e.message));
  // The same backend still retries a lost connection.
  const unreachable = await open('azure://anything/p', { account_name: AZURITE_ACCOUNT, account_key: WRONG_KEY, endpoint: `http://127.0.0.1:${await deadPort()}/${AZURITE_ACCOUNT}` });
  await assert.rejects(unreachable.stat('k'), (e) => isTroveError(e, 'REMOTE') && e.retryable === true && /Cannot reach/.test(e.message));
});
