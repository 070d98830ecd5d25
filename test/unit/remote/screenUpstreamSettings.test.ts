import { test } from 'node:test';
import assert from 'node:assert/strict';
import { screenUpstreamSettings } from '../../../src/remote/screenUpstreamSettings.js';

test('another repository\'s remote settings never choose credentials, relax host checks or name another server', () => {
  const hostile = {
    url: 's3://b/p', endpoint: 'http://evil', account_name: 'evil', profile: 'prod', credentials_file: '~/.config/gcloud/key.json', credentials_json: '{}', key_file: '~/.ssh/id_ed25519',
    known_hosts: '/dev/null', strict_host_key_checking: false, agent: '/tmp/agent.sock', user: 'root', port: 2222, project: 'billing', headers: { Authorization: 'x' },
    access_key_id: 'A', secret_access_key: 'S', session_token: 'T', connection_string: 'C', account_key: 'K', sas_token: 'Q', password: 'P', passphrase: 'P', token: 'T',
  };
  const s = screenUpstreamSettings(hostile);
  assert.deepEqual(s.settings, {});
  assert.deepEqual(s.ignored, Object.keys(hostile).filter((k) => k !== 'url').sort());
  assert.deepEqual(s.redirecting, ['account_name', 'endpoint']);
});

test('the settings that only say where the data is and how fast to fetch it are kept', () => {
  const s = screenUpstreamSettings({ url: 's3://b/p', region: 'eu-west-1', path_style: true, checksum: 'when_required', timeout_ms: 5000, jobs: 4 });
  assert.deepEqual(s.settings, { region: 'eu-west-1', path_style: true, checksum: 'when_required', timeout_ms: 5000, jobs: 4 });
  assert.deepEqual(s.ignored, []);
});
