import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTroveError, type TroveError } from '../../../src/errors/index.js';
import type { BackendOptions } from '../../../src/remote/Backend.js';
import { openBackendSession } from '../../../src/sync/remoteSession.js';
import { ObjectStore } from '../../../src/store/ObjectStore.js';
import { openBackend } from '../../../src/remote/openBackend.js';
import { parseRemoteUrl } from '../../../src/remote/remoteUrl.js';
import { readSshSettings } from '../../../src/remote/sshSettings.js';

/**
 * Every backend reads its settings through RemoteSettings, so one bad value is
 * one error wherever it is written. Nothing here connects: settings are read
 * (and refused) at open, before any request. SSH settings are read on their own,
 * since opening an SFTP remote connects.
 */
const URLS = {
  s3: 's3://bucket/p',
  azure: 'azure://container/p',
  gcs: 'gs://bucket/p',
  http: 'http://127.0.0.1:9/p/',
  ssh: 'ssh://user@127.0.0.1:9/p',
} as const;
type Kind = keyof typeof URLS;
/** credentials each needs to get as far as reading the rest (none used: nothing is sent) */
const BASE: Record<Kind, Record<string, unknown>> = {
  s3: { access_key_id: 'A', secret_access_key: 'S', endpoint: 'http://127.0.0.1:9' },
  azure: { connection_string: 'UseDevelopmentStorage=true' },
  gcs: { endpoint: 'http://127.0.0.1:9' },
  http: {},
  ssh: {},
};

async function openWith(kind: Kind, settings: Record<string, unknown>): Promise<void> {
  const options: BackendOptions = { name: 'origin', url: URLS[kind], settings: { ...BASE[kind], ...settings }, env: {} };
  if (kind === 'ssh') {
    readSshSettings(options, parseRemoteUrl(options.url));
    return;
  }
  await (await openBackend(options)).close();
}

/** [setting, a bad value, the backends that read that setting] */
const refused: [string, unknown, Kind[]][] = [
  ['timeout_ms', true, ['s3', 'http', 'ssh']], // SSH read true as 1 ms
  ['timeout_ms', '30s', ['s3', 'http', 'ssh']],
  ['timeout_ms', -5, ['s3', 'http', 'ssh']],
  ['timeout_ms', 0, ['s3', 'http', 'ssh']],
  ['timeout_ms', '1e3', ['s3', 'http', 'ssh']], // both old parsers read it as 1000
  ['endpoint', true, ['s3', 'azure', 'gcs']],
  ['region', ['eu-west-1'], ['s3']],
  ['path_style', 'sometimes', ['s3']],
  ['project', true, ['gcs']],
  ['account_name', false, ['azure']],
  ['user', true, ['ssh']], // SSH ignored it and fell back to $USER
  ['port', 70000, ['ssh']],
  ['strict_host_key_checking', 'maybe', ['ssh']],
];

for (const [key, value, kinds] of refused) {
  for (const kind of kinds) {
    test(`${kind}: ${key} ${JSON.stringify(value)} is the one CONFIG error naming the remote and the setting`, async () => {
      await assert.rejects(openWith(kind, { [key]: value }), (e: TroveError) =>
        isTroveError(e, 'CONFIG') && e.message.startsWith(`The setting ${key} of the remote "origin" must be`) && e.hint === `Fix it: trove remote modify origin ${key} VALUE (or trove remote modify --unset origin ${key}).`);
    });
  }
}

/** [setting, a value as `trove remote modify` or a hand edit writes it, the backends that read it] */
const accepted: [string, unknown, Kind[]][] = [
  ['timeout_ms', '5000', ['s3', 'http', 'ssh']],
  ['timeout_ms', 5000, ['s3', 'http', 'ssh']],
  ['path_style', 'yes', ['s3']],
  ['region', '  eu-west-1  ', ['s3']],
  ['password', 123456, ['ssh']],
  ['port', '2222', ['ssh']],
];

for (const [key, value, kinds] of accepted) {
  for (const kind of kinds) {
    test(`${kind}: ${key} ${JSON.stringify(value)} is accepted`, async () => {
      await openWith(kind, { [key]: value });
    });
  }
}

test('ssh: settings are trimmed and numbers are text where text is wanted', () => {
  const options: BackendOptions = { name: 'origin', url: URLS.ssh, settings: { user: ' deploy ', password: 123456, port: '2222', timeout_ms: '5000' }, env: {} };
  const s = readSshSettings(options, parseRemoteUrl(options.url));
  assert.deepEqual([s.user, s.password, s.port, s.timeoutMs], ['deploy', '123456', 2222, 5000]);
});

/** jobs is read above the backends (sync/remoteSession.ts), by the same reader */
const badJobs: unknown[] = [0, 257, 'eight', 2.5, true];
for (const jobs of badJobs) {
  test(`every remote: jobs ${JSON.stringify(jobs)} is the one CONFIG error, before any connection`, async () => {
    await assert.rejects(openBackendSession({ name: 'origin', url: 'ssh://user@127.0.0.1:9/p', settings: { jobs } }, new ObjectStore('/nonexistent/store')), (e: TroveError) =>
      isTroveError(e, 'CONFIG') && e.message === `The setting jobs of the remote "origin" must be a whole number from 1 to 256, not ${JSON.stringify(jobs)}.`);
  });
}

test('http: a bad headers setting is the same CONFIG error shape, with its own hint, and never echoes a value', async () => {
  for (const headers of ['Authorization: Bearer hunter2', { 'Bad Name': 'hunter2' }, { Authorization: 'Bearer hunter2\r\nX: 1' }, { Authorization: ['hunter2'] }]) {
    await assert.rejects(openWith('http', { headers }), (e: TroveError) =>
      isTroveError(e, 'CONFIG') && e.message.startsWith('The setting headers of the remote "origin" must be') && !/hunter2/.test(e.message) && /config\.local\.yaml/.test(e.hint ?? ''));
  }
});
