import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pseudoRandom } from '../helpers/tmpRepo.js';
import { createTeam } from '../helpers/collab.js';
import { CAN_MOUNT, MOUNT_REASON, withTmpfs } from '../helpers/tmpfs.js';

const TWO_DAYS_AGO = (Date.now() - 2 * 86_400_000) / 1000;

/** Fill the file system with one temp upload, as a push killed mid-pack leaves it, then age it. */
function fillWithKilledUpload(remote: string): void {
  mkdirSync(join(remote, 'tmp'), { recursive: true });
  const file = join(remote, 'tmp', '4242-0123456789ab');
  const chunk = pseudoRandom(16 * 1024, 9);
  let size = 0;
  for (;;) {
    try {
      writeFileSync(file, chunk, { flag: 'a' });
      size += chunk.length;
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
      break;
    }
  }
  assert.ok(size > 0);
  utimesSync(file, TWO_DAYS_AGO, TWO_DAYS_AGO);
}

test('a push onto a remote that killed pushes filled up removes their stale temp upload and orphan pack, then succeeds', { skip: CAN_MOUNT ? false : MOUNT_REASON }, () => {
  withTmpfs('size=2m', (mnt) => {
    const team = createTeam();
    try {
      const remote = join(mnt, 'remote');
      const a = team.clone('a');
      assert.equal(a.trove('init').code, 0);
      assert.equal(a.trove('remote', 'add', '-d', 'store', remote).code, 0);
      a.write('one.bin', pseudoRandom(10_000, 1));
      assert.equal(a.trove('add', 'one.bin').code, 0);
      a.git('add', '-A');
      a.git('commit', '-q', '-m', 'one');
      assert.equal(a.trove('push').code, 0);
      // A push killed between its pack and its index, two days ago.
      const orphan = 'd'.repeat(64);
      writeFileSync(join(remote, 'packs', `${orphan}.pack`), pseudoRandom(50_000, 2));
      utimesSync(join(remote, 'packs', `${orphan}.pack`), TWO_DAYS_AGO, TWO_DAYS_AGO);
      fillWithKilledUpload(remote);

      a.write('two.bin', pseudoRandom(300_000, 3));
      assert.equal(a.trove('add', 'two.bin').code, 0);
      a.git('add', '-A');
      a.git('commit', '-q', '-m', 'two');
      const p = a.trove('push');
      assert.equal(p.code, 0, p.stderr);
      assert.equal(p.result.removedStale.tempFiles, 1);
      assert.equal(p.result.removedStale.orphanPacks, 1);
      assert.deepEqual(readdirSync(join(remote, 'tmp')), []);
      assert.ok(!readdirSync(join(remote, 'packs')).includes(`${orphan}.pack`));
      assert.equal(a.trove('fsck', '-r', 'store', '--thorough').code, 0);
    } finally {
      team.cleanup();
    }
  });
});

test('gc -r on a remote that a killed push filled up removes the stale temp upload and reports it', { skip: CAN_MOUNT ? false : MOUNT_REASON }, () => {
  withTmpfs('size=2m', (mnt) => {
    const team = createTeam();
    try {
      const remote = join(mnt, 'remote');
      const a = team.clone('a');
      assert.equal(a.trove('init').code, 0);
      assert.equal(a.trove('remote', 'add', '-d', 'store', remote).code, 0);
      a.write('one.bin', pseudoRandom(10_000, 1));
      assert.equal(a.trove('add', 'one.bin').code, 0);
      a.git('add', '-A');
      a.git('commit', '-q', '-m', 'one');
      assert.equal(a.trove('push').code, 0);
      fillWithKilledUpload(remote);
      const r = a.trove('gc', '-r', 'store');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.result.remote.tempFiles, ['tmp/4242-0123456789ab']);
      assert.ok(r.result.remote.freedBytes > 1_000_000, `freed ${r.result.remote.freedBytes}`);
      assert.deepEqual(readdirSync(join(remote, 'tmp')), []);
    } finally {
      team.cleanup();
    }
  });
});
