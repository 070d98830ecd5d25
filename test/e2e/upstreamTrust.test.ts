import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom, runCli } from '../helpers/tmpRepo.js';
import { createUpstream, type Upstream } from '../helpers/upstream.js';
import { runCliAsync, startRecordingServer, type RecordingServer } from '../helpers/recordingServer.js';

/**
 * A repository someone else wrote names, in its committed .trove/config.yaml,
 * the server its data is on and how to talk to it. trove get / import must
 * not let that choose the user's credentials, relax host checks, or send the
 * user's keys to a host the URL does not name.
 */
const USER_KEY_ID = 'AKIAUSERKEY000000001';
const USER_ENV = { AWS_ACCESS_KEY_ID: USER_KEY_ID, AWS_SECRET_ACCESS_KEY: 'user-secret-never-leaves', AWS_EC2_METADATA_DISABLED: 'true', TROVE_RETRIES: '0' };

let server: RecordingServer;
let scratch: string;
let keyFile: string;
before(async () => {
  server = await startRecordingServer();
  scratch = mkdtempSync(join(tmpdir(), 'trove-trust-'));
  // The user's own service-account key (a non-default universe, so google-auth signs its own JWT offline and sends it as a bearer token).
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  keyFile = join(scratch, 'user-key.json');
  writeFileSync(keyFile, JSON.stringify({ type: 'service_account', project_id: 'p', private_key_id: 'k1', private_key: privateKey, client_email: 'me@p.iam.gserviceaccount.com', client_id: '1', universe_domain: 'trove.test' }));
});
after(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** An upstream whose committed config aims its only remote at `remote` (url and settings). */
function hostileUpstream(remote: Record<string, unknown>): Upstream {
  const up = createUpstream({ remote: false });
  up.commit({ 'data/x.bin': pseudoRandom(5000, 3) }, 'data', { push: false });
  const lines = Object.entries(remote).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`);
  up.repo.write('.trove/config.yaml', `version: 1\ncore:\n  cache: cache\n  link: copy\n  autostage: true\n  jobs: 0\n  remote: store\nremotes:\n  store:\n${lines.join('\n')}\n`);
  up.repo.git('add', '.trove/config.yaml');
  up.repo.git('commit', '-q', '-m', 'remote');
  return up;
}

/** What the recorder saw that carries a credential of the user's. */
function leaked(since: number): string[] {
  return server.requests.slice(since).flatMap((r) => {
    const auth = String(r.headers.authorization ?? '');
    const amz = Object.keys(r.headers).filter((h) => h.startsWith('x-amz-') && /signature|credential|security-token/.test(h));
    return [...(auth ? [`${r.method} ${r.url}: authorization ${auth.slice(0, 60)}`] : []), ...amz.map((h) => `${r.method} ${r.url}: ${h}`), ...(r.url.includes(USER_KEY_ID) ? [`${r.method} ${r.url}: key id in URL`] : [])];
  });
}

test('get from a repository whose config names an S3 endpoint and credentials does not send the user\'s key to that endpoint', async () => {
  const up = hostileUpstream({ url: 's3://bucket/data', endpoint: server.url, path_style: true, profile: 'prod', credentials_file: keyFile, strict_host_key_checking: false });
  const here = createTmpRepo();
  try {
    const since = server.requests.length;
    const r = await runCliAsync(here.dir, ['--json', 'get', up.repo.dir, 'data/x.bin'], USER_ENV);
    assert.equal(r.code, 2, r.stderr);
    const err = JSON.parse(r.stderr.trim().split('\n').pop()!).error;
    assert.equal(err.code, 'CONFIG');
    assert.match(err.hint, /trove remote add --local/);
    assert.deepEqual(leaked(since), []);
    assert.equal(server.requests.length, since, 'not one request reached the endpoint the other repository chose');
    // Positive control: once the user names that endpoint in their own config, the recorder does see the user's signature.
    assert.equal(runCli(here.dir, ['remote', 'add', '--local', 'theirs', 's3://bucket/data']).code, 0);
    assert.equal(runCli(here.dir, ['remote', 'modify', '--local', 'theirs', 'endpoint', server.url]).code, 0);
    assert.equal(runCli(here.dir, ['remote', 'modify', '--local', 'theirs', 'path_style', 'true']).code, 0);
    const trusted = server.requests.length;
    const again = await runCliAsync(here.dir, ['--json', 'get', up.repo.dir, 'data/x.bin'], USER_ENV);
    assert.notEqual(again.code, 0, 'the recorder has no data');
    assert.ok(server.requests.length > trusted, 'the user-chosen endpoint is used');
    assert.ok(server.requests.slice(trusted).some((q) => String(q.headers.authorization ?? '').includes(USER_KEY_ID)), 'the recorder would have seen a signature');
    assert.ok(server.requests.slice(trusted).every((q) => !/prod/.test(JSON.stringify(q.headers))), 'the other repository\'s profile is not used');
  } finally {
    here.cleanup();
    up.cleanup();
  }
});

test('get from a repository whose config names a GCS endpoint and the user\'s key file sends no token to it', async () => {
  const up = hostileUpstream({ url: 'gs://bucket/data', endpoint: server.url, credentials_file: keyFile });
  const out = mkdtempSync(join(scratch, 'cwd-'));
  try {
    const since = server.requests.length;
    const r = await runCliAsync(out, ['--json', 'get', up.repo.dir, 'data/x.bin'], USER_ENV);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(JSON.parse(r.stderr.trim().split('\n').pop()!).error.code, 'CONFIG');
    assert.deepEqual(leaked(since), []);
    assert.equal(server.requests.length, since);
  } finally {
    up.cleanup();
  }
});

test('a credentials_file in the other repository\'s config is not used even when the user trusts its endpoint', async () => {
  const up = hostileUpstream({ url: 'gs://bucket/data', endpoint: server.url, credentials_file: keyFile });
  const here = createTmpRepo();
  try {
    assert.equal(runCli(here.dir, ['remote', 'add', '--local', 'theirs', 'gs://bucket/data']).code, 0);
    assert.equal(runCli(here.dir, ['remote', 'modify', '--local', 'theirs', 'endpoint', server.url]).code, 0);
    const since = server.requests.length;
    const r = await runCliAsync(here.dir, ['--json', 'get', up.repo.dir, 'data/x.bin'], USER_ENV);
    assert.notEqual(r.code, 0, 'the recorder has no data');
    assert.ok(server.requests.length > since, 'the endpoint the user named is used');
    assert.deepEqual(leaked(since), [], 'no bearer token made from the key file');
    assert.match(r.stderr, /credentials_file/, 'the ignored setting is named in a warning');
    // Positive control: the user's own credentials_file does produce a token the recorder sees.
    assert.equal(runCli(here.dir, ['remote', 'modify', '--local', 'theirs', 'credentials_file', keyFile]).code, 0);
    const mine = server.requests.length;
    await runCliAsync(here.dir, ['--json', 'get', up.repo.dir, 'data/x.bin'], USER_ENV);
    assert.ok(server.requests.slice(mine).some((q) => /^Bearer /.test(String(q.headers.authorization ?? ''))), 'the recorder would have seen a token');
  } finally {
    here.cleanup();
    up.cleanup();
  }
});

test('import from a repository whose ssh remote turns off host-key checking keeps checking host keys', async () => {
  const up = hostileUpstream({ url: `ssh://127.0.0.1:1/srv`, strict_host_key_checking: false, known_hosts: '/dev/null', key_file: keyFile });
  const here = createTmpRepo();
  try {
    const r = await runCliAsync(here.dir, ['--json', 'import', up.repo.dir, 'data/x.bin'], { ...USER_ENV, HOME: scratch });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /strict_host_key_checking/, 'the ignored settings are named');
    assert.match(r.stderr, /known_hosts/);
    assert.match(r.stderr, /key_file/);
  } finally {
    here.cleanup();
    up.cleanup();
  }
});
