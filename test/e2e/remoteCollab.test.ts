import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createTeam, runCollaboration } from '../helpers/collab.js';
import { startMoto, TEST_CREDENTIALS } from '../helpers/motoServer.js';
import { startSshServer } from '../helpers/sshServer.js';

// The collaboration workflow against real protocol servers on 127.0.0.1 (the directory remote runs in remoteDirectory.test.ts).

test('collaboration through an S3 remote (moto): A pushes, B pulls identical bytes, B changes data, A gets it', async () => {
  const moto = await startMoto();
  const team = createTeam();
  try {
    await moto.createBucket('team-data');
    runCollaboration(
      team,
      (a) => {
        assert.equal(a.trove('remote', 'add', '-d', 's3', 's3://team-data/project').code, 0);
        for (const [k, v] of [['endpoint', moto.endpoint], ['path_style', 'true'], ['region', 'us-east-1']]) assert.equal(a.trove('remote', 'modify', 's3', k!, v!).code, 0);
      },
      (c) => {
        assert.equal(c.trove('remote', 'modify', 's3', 'access_key_id', TEST_CREDENTIALS.accessKeyId).result.local, true);
        assert.equal(c.trove('remote', 'modify', 's3', 'secret_access_key', TEST_CREDENTIALS.secretAccessKey).result.local, true);
      },
    );
  } finally {
    team.cleanup();
    await moto.stop();
  }
});

test('collaboration through an SSH remote (OpenSSH sshd): A pushes, B pulls identical bytes, B changes data, A gets it', async () => {
  const ssh = await startSshServer();
  const team = createTeam();
  try {
    const dir = join(team.base, 'ssh-remote');
    runCollaboration(
      team,
      (a) => assert.equal(a.trove('remote', 'add', '-d', 'nas', `ssh://${ssh.user}@${ssh.host}:${ssh.port}${dir}`).code, 0),
      (c) => {
        assert.equal(c.trove('remote', 'modify', '--local', 'nas', 'key_file', ssh.keyFile).code, 0);
        assert.equal(c.trove('remote', 'modify', '--local', 'nas', 'known_hosts', ssh.knownHostsFile).code, 0);
      },
    );
  } finally {
    team.cleanup();
    await ssh.stop();
  }
});
