import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasUrlCredentials, redactText, redactUrl } from '../../../src/util/redactUrl.js';

test('redactUrl hides passwords, https tokens, API keys and SAS signatures but keeps an ssh login name', () => {
  assert.equal(redactUrl('https://admin:hunter2@minio.example/b'), 'https://admin:***@minio.example/b');
  assert.equal(redactUrl('https://ghp_TOKEN@host/x'), 'https://***@host/x');
  assert.equal(redactUrl('ssh://me@nas:2222/srv'), 'ssh://me@nas:2222/srv');
  assert.equal(redactUrl('https://h/p?api_key=K1&region=eu'), 'https://h/p?api_key=***&region=eu');
  assert.equal(redactUrl('https://a.blob.example/c?sv=2024-01-01&se=2030&sp=r&sig=abc%2Bdef'), 'https://a.blob.example/c?sv=***&se=***&sp=***&sig=***');
  assert.equal(redactUrl('https://h/?token=T&key=K'), 'https://h/?token=***&key=***');
  assert.equal(redactUrl('s3://bucket/prefix'), 's3://bucket/prefix');
});

test('hasUrlCredentials is false for plain settings and plain URLs', () => {
  for (const v of ['us-east-1', 'http://127.0.0.1:9000', 'when_required', '/home/me/.ssh/id_ed25519', 'ssh://me@nas/srv']) assert.equal(hasUrlCredentials(v), false, v);
  for (const v of ['http://u:p@127.0.0.1:9000', 'https://h/?api_key=x', 'https://TOKEN@h']) assert.equal(hasUrlCredentials(v), true, v);
});

test('redactText redacts every URL inside a message or a JSON line and leaves the rest alone', () => {
  const msg = 'Create it (aws s3 mb s3://b --endpoint-url http://u:pw@h:9000), or see https://h/?sig=S.';
  assert.equal(redactText(msg), 'Create it (aws s3 mb s3://b --endpoint-url http://u:***@h:9000), or see https://h/?sig=***.');
  const json = JSON.stringify({ error: { message: 'at https://x:secret@h/p', data: { url: 'https://h/?token=T' } } });
  assert.doesNotMatch(redactText(json), /secret|token=T/);
  assert.doesNotThrow(() => JSON.parse(redactText(json)));
});
