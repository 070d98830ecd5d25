import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTmpRepo, pseudoRandom, runCli, runJson } from '../helpers/tmpRepo.js';
import { createTeam } from '../helpers/collab.js';

const mode = (p: string): number => statSync(p).mode & 0o777;

test('an endpoint with a password or an api_key in it is refused for the committed config and never printed back', () => {
  const repo = createTmpRepo();
  try {
    const cfg = join(repo.dir, '.trove/config.yaml');
    assert.equal(runCli(repo.dir, ['remote', 'add', 's', 's3://bucket/p']).code, 0);
    for (const value of ['https://admin:hunter2@minio.example', 'https://minio.example/?api_key=SEKRET1', 'https://acct.blob.example/?sv=2024&sig=SEKRET2', 'https://TOKEN3SECRET@minio.example']) {
      const r = runJson(repo.dir, ['remote', 'modify', 's', 'endpoint', value]);
      assert.equal(r.code, 2, `${value}: ${r.stderr}`);
      assert.equal(r.error.code, 'USAGE');
      assert.match(r.error.hint, /--local/);
      assert.doesNotMatch(r.stderr, /hunter2|SEKRET|TOKEN3SECRET/);
    }
    assert.doesNotMatch(readFileSync(cfg, 'utf8'), /hunter2|SEKRET|TOKEN3SECRET/);
    // Remote URLs are refused the same way (a token as the user of an https URL included).
    const url = runJson(repo.dir, ['remote', 'add', 'h', 'https://TOKEN3SECRET@data.example/ml']);
    assert.equal(url.code, 2);
    assert.doesNotMatch(url.stderr, /TOKEN3SECRET/);
    // In the local file it is allowed, and still never printed.
    assert.equal(runCli(repo.dir, ['remote', 'modify', '--local', 's', 'endpoint', 'https://admin:hunter2@minio.example/?api_key=SEKRET1']).code, 0);
    assert.match(readFileSync(join(repo.dir, '.trove/config.local.yaml'), 'utf8'), /hunter2/);
    const text = runCli(repo.dir, ['remote', 'list']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /endpoint=https:\/\/admin:\*\*\*@minio\.example\/\?api_key=\*\*\*/);
    const json = runCli(repo.dir, ['--json', 'remote', 'list']);
    assert.doesNotMatch(json.stdout + json.stderr + text.stderr, /hunter2|SEKRET1/);
  } finally {
    repo.cleanup();
  }
});

test('a password written by hand into the committed config.yaml is warned about on every command and never printed', () => {
  const repo = createTmpRepo();
  try {
    const cfg = join(repo.dir, '.trove/config.yaml');
    writeFileSync(cfg, `${readFileSync(cfg, 'utf8')}remotes:\n  s:\n    url: s3://bucket/p\n    endpoint: http://admin:hunter2@127.0.0.1:1\n    secret_access_key: SEKRET4\n`);
    const r = runCli(repo.dir, ['status']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: .*config\.yaml.*remotes\.s\.endpoint, remotes\.s\.secret_access_key/);
    assert.doesNotMatch(r.stderr + r.stdout, /hunter2|SEKRET4/);
    const list = runCli(repo.dir, ['--json', 'remote', 'list']);
    assert.equal(list.code, 0);
    assert.doesNotMatch(list.stdout + list.stderr, /hunter2|SEKRET4/);
    // An error naming that endpoint (a push to a closed port) shows it redacted.
    repo.write('a.bin', pseudoRandom(1000, 1));
    assert.equal(runCli(repo.dir, ['add', 'a.bin']).code, 0);
    const push = runCli(repo.dir, ['push'], { TROVE_RETRIES: '0', AWS_EC2_METADATA_DISABLED: 'true' });
    assert.notEqual(push.code, 0);
    assert.doesNotMatch(push.stderr + push.stdout, /hunter2|SEKRET4/);
  } finally {
    repo.cleanup();
  }
});

test('config.local.yaml is written 0600, a stricter mode the user set survives remote modify, and a readable one is warned about', () => {
  const repo = createTmpRepo();
  try {
    const local = join(repo.dir, '.trove/config.local.yaml');
    assert.equal(runCli(repo.dir, ['remote', 'add', 's', 's3://bucket/p']).code, 0);
    assert.equal(runCli(repo.dir, ['remote', 'modify', 's', 'secret_access_key', 'SEKRET5']).code, 0);
    assert.equal(mode(local), 0o600);
    chmodSync(local, 0o400);
    assert.equal(runCli(repo.dir, ['remote', 'modify', 's', 'access_key_id', 'AKIA5']).code, 0);
    assert.equal(mode(local), 0o400, 'the user\'s stricter mode is kept');
    chmodSync(local, 0o644);
    const r = runCli(repo.dir, ['status']);
    assert.match(r.stderr, /warning: .*config\.local\.yaml holds credentials and is readable by other users \(mode 0644\); run chmod 600/);
    const j = runCli(repo.dir, ['--json', 'status']);
    assert.match(j.stderr, /readable by other users/, 'the warning reaches stderr with --json too');
    assert.equal(runCli(repo.dir, ['remote', 'modify', 's', 'session_token', 'T5']).code, 0);
    assert.equal(mode(local), 0o600, 'the next write takes group and other bits away');
    assert.doesNotMatch(runCli(repo.dir, ['status']).stderr, /readable by other users/);
    // A config.local.yaml without secrets (a cache path) is nobody's business.
    writeFileSync(local, 'core:\n  cache: cache\n');
    chmodSync(local, 0o644);
    assert.doesNotMatch(runCli(repo.dir, ['status']).stderr, /readable/);
  } finally {
    repo.cleanup();
  }
});

test('TROVE_RETRIES=abc is a usage error with a hint instead of retrying forever, and so are the other numeric settings', () => {
  const repo = createTmpRepo();
  try {
    repo.write('a.bin', pseudoRandom(1000, 2));
    assert.equal(runCli(repo.dir, ['add', 'a.bin']).code, 0);
    assert.equal(runCli(repo.dir, ['remote', 'add', '-d', 's', join(repo.dir, '.git', 'never-created')]).code, 0);
    for (const [name, value] of [['TROVE_RETRIES', 'abc'], ['TROVE_RETRIES', '-1'], ['TROVE_RETRIES', '1e9'], ['TROVE_RETRY_BASE_MS', 'fast'], ['TROVE_LOCK_TIMEOUT_MS', '10s']] as const) {
      const r = runJson(repo.dir, ['push'], { [name]: value });
      assert.equal(r.code, 2, `${name}=${value}: ${r.stderr}`);
      assert.equal(r.error.code, 'USAGE');
      assert.equal(r.error.data.variable, name);
      assert.match(r.error.hint, new RegExp(`unset ${name}`));
    }
    assert.equal(existsSync(join(repo.dir, '.git', 'never-created')), false, 'nothing was sent');
    assert.equal(runJson(repo.dir, ['push'], { TROVE_RETRIES: '2', TROVE_RETRY_BASE_MS: '' }).code, 0, 'good values still work');
    assert.equal(runCli(repo.dir, ['remote', 'modify', 's', 'jobs', 'many']).code, 0);
    const jobs = runJson(repo.dir, ['push']);
    assert.equal(jobs.code, 2);
    assert.equal(jobs.error.code, 'CONFIG');
    assert.match(jobs.error.message, /The setting jobs of the remote "s" must be a whole number from 1 to 256/);
    assert.deepEqual(jobs.error.data, { remote: 's', key: 'jobs' });
  } finally {
    repo.cleanup();
  }
});

test('a relative directory remote is stored relative to the repository root, so another clone pushes and pulls through it', () => {
  const team = createTeam();
  try {
    const a = team.clone('a');
    assert.equal(runCli(a.dir, ['init']).code, 0);
    a.write('sub/keep.txt', 'x');
    a.write('data/a.bin', pseudoRandom(50_000, 3));
    // Typed relative to where the user stands (a subdirectory), stored relative to the root.
    const add = runCli(join(a.dir, 'sub'), ['remote', 'add', '-d', 's', '../../shared']);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stderr, /warning: The directory .*shared of the remote "s" does not exist yet/);
    assert.equal(existsSync(join(team.base, 'shared')), false, 'adding a remote creates nothing');
    assert.match(readFileSync(join(a.dir, '.trove/config.yaml'), 'utf8'), /url: \.\.\/shared\n/);
    assert.doesNotMatch(readFileSync(join(a.dir, '.trove/config.yaml'), 'utf8'), new RegExp(team.base));
    assert.equal(runCli(a.dir, ['add', 'data/a.bin']).code, 0);
    a.git('add', '-A');
    a.git('commit', '-q', '-m', 'v1');
    a.git('push', '-q', 'origin', 'main');
    const push = runCli(a.dir, ['push']);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stderr, /does not exist: a push creates it/, 'the first push says it creates the directory');
    assert.ok(existsSync(join(team.base, 'shared')));
    const b = team.clone('b');
    const pull = runCli(b.dir, ['pull']);
    assert.equal(pull.code, 0, pull.stderr);
    assert.ok(b.read('data/a.bin').equals(pseudoRandom(50_000, 3)));
    // Absolute paths stay absolute, and modify stores a relative url the same way as add.
    assert.equal(runCli(a.dir, ['remote', 'add', 'abs', join(team.base, 'shared')]).code, 0);
    assert.equal(runCli(join(a.dir, 'sub'), ['remote', 'modify', 's', 'url', '../../shared']).code, 0);
    const text = readFileSync(join(a.dir, '.trove/config.yaml'), 'utf8');
    assert.match(text, new RegExp(`url: ${join(team.base, 'shared').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    assert.match(text, /url: \.\.\/shared\n/);
  } finally {
    team.cleanup();
  }
});

test('a key_file that other users can read is warned about by the commands that use the remote', () => {
  const repo = createTmpRepo();
  try {
    repo.write('a.bin', pseudoRandom(1000, 4));
    assert.equal(runCli(repo.dir, ['add', 'a.bin']).code, 0);
    assert.equal(runCli(repo.dir, ['remote', 'add', '-d', 's', join(repo.dir, '.git', 'r')]).code, 0);
    const key = join(repo.dir, '.git', 'id_test');
    writeFileSync(key, 'not a real key', { mode: 0o644 });
    chmodSync(key, 0o644);
    assert.equal(runCli(repo.dir, ['remote', 'modify', 's', 'key_file', key]).code, 0);
    const push = runCli(repo.dir, ['push']);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stderr, /warning: The key_file of the remote "s" .* is readable by other users \(mode 0644\); run chmod 600/);
    chmodSync(key, 0o600);
    assert.doesNotMatch(runCli(repo.dir, ['push']).stderr, /readable by other users/);
  } finally {
    repo.cleanup();
  }
});
