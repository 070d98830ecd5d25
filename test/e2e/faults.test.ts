import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { CAN_MOUNT, MOUNT_REASON, withTmpfs } from '../helpers/tmpfs.js';
import { BIN, createTmpRepo, pseudoRandom, runCli, runJson } from '../helpers/tmpRepo.js';

test('disk full during add: a clear NO_SPACE error, nothing half-stored, and the next add succeeds once there is room', { skip: CAN_MOUNT ? false : MOUNT_REASON }, () => {
  const repo = createTmpRepo();
  try {
    withTmpfs('size=4m', (cache) => {
      repo.write('.trove/config.local.yaml', `core:\n  cache: ${cache}\n`);
      repo.write('big.bin', pseudoRandom(8 * 1024 * 1024, 2));
      const r = runJson(repo.dir, ['add', 'big.bin']);
      assert.equal(r.code, 1);
      assert.equal(r.error.code, 'NO_SPACE');
      assert.match(r.error.hint, /Free some disk space/);
      assert.equal(existsSync(join(repo.dir, 'big.bin.trove')), false, 'no pointer to content that is not stored');
      assert.equal(runCli(repo.dir, ['fsck']).code, 0, 'what did get stored is intact');
      execFileSync('mount', ['-o', 'remount,size=32m', cache]);
      const again = runJson(repo.dir, ['add', 'big.bin']);
      assert.equal(again.code, 0, again.stderr);
      rmSync(join(repo.dir, 'big.bin'));
      assert.equal(runCli(repo.dir, ['checkout']).code, 0);
      assert.deepEqual(readFileSync(join(repo.dir, 'big.bin')), pseudoRandom(8 * 1024 * 1024, 2));
    });
  } finally {
    repo.cleanup();
  }
});

test('disk full during checkout: the work tree keeps no partial file and the next checkout completes', { skip: CAN_MOUNT ? false : MOUNT_REASON }, () => {
  withTmpfs('size=16m', (work) => {
    execFileSync('git', ['init', '-q', work]);
    execFileSync('git', ['-C', work, 'config', 'user.email', 't@e.x']);
    execFileSync('git', ['-C', work, 'config', 'user.name', 't']);
    const cache = mkdtempSync(join(tmpdir(), 'trove-cache-'));
    try {
      assert.equal(runCli(work, ['init']).code, 0);
      writeFileSync(join(work, '.trove/config.local.yaml'), `core:\n  cache: ${cache}\n`);
      writeFileSync(join(work, 'big.bin'), pseudoRandom(6 * 1024 * 1024, 4));
      assert.equal(runCli(work, ['add', 'big.bin']).code, 0);
      rmSync(join(work, 'big.bin'));
      writeFileSync(join(work, 'filler'), Buffer.alloc(12 * 1024 * 1024));
      const r = runJson(work, ['checkout']);
      assert.equal(r.error?.code, 'NO_SPACE', r.stderr);
      assert.equal(existsSync(join(work, 'big.bin')), false);
      rmSync(join(work, 'filler'));
      assert.equal(runCli(work, ['checkout']).code, 0);
      assert.deepEqual(readFileSync(join(work, 'big.bin')), pseudoRandom(6 * 1024 * 1024, 4));
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

test('a read-only store gives a PERMISSION error with a hint, and the data is untouched', { skip: CAN_MOUNT ? false : MOUNT_REASON }, () => {
  const repo = createTmpRepo();
  try {
    withTmpfs('ro,size=1m', (cache) => {
      repo.write('.trove/config.local.yaml', `core:\n  cache: ${cache}\n`);
      repo.write('m.bin', 'weights');
      const r = runJson(repo.dir, ['add', 'm.bin']);
      assert.equal(r.code, 1);
      assert.equal(r.error.code, 'PERMISSION');
      assert.ok(r.error.hint);
      assert.equal(readFileSync(join(repo.dir, 'm.bin'), 'utf8'), 'weights');
    });
  } finally {
    repo.cleanup();
  }
});

test('a lock left by a killed process does not block the next command', () => {
  const repo = createTmpRepo();
  try {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const lock = join(repo.dir, '.trove/tmp/lock');
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), token: 'x', command: 'add', since: 'then' }));
    repo.write('m.bin', 'x');
    assert.equal(runCli(repo.dir, ['add', 'm.bin'], { TROVE_LOCK_TIMEOUT_MS: '2000' }).code, 0);
    assert.equal(existsSync(lock), false);
  } finally {
    repo.cleanup();
  }
});

test('a lock held by a live process makes writers wait, then fail with LOCKED (exit 11) naming the holder', () => {
  const repo = createTmpRepo();
  try {
    const lock = join(repo.dir, '.trove/tmp/lock');
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: process.pid, host: hostname(), token: 'y', command: 'gc', since: 'now' }));
    repo.write('m.bin', 'x');
    const r = runCli(repo.dir, ['add', 'm.bin'], { TROVE_LOCK_TIMEOUT_MS: '300' });
    assert.equal(r.code, 11);
    assert.match(r.stderr, new RegExp(`pid ${process.pid}`));
    assert.match(r.stderr, /hint:/);
    assert.equal(runCli(repo.dir, ['status']).code, 0, 'readers do not need the lock');
  } finally {
    repo.cleanup();
  }
});

test('kill -9 in the middle of an add leaves a repository that the next add completes', async () => {
  const repo = createTmpRepo();
  try {
    for (let i = 0; i < 300; i++) repo.write(`data/f${i}.bin`, pseudoRandom(64 * 1024, i + 1));
    repo.write('big.bin', pseudoRandom(64 * 1024 * 1024, 9));
    const child = spawn(process.execPath, [BIN, 'add', 'data', 'big.bin'], { cwd: repo.dir, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 250));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const r = runJson(repo.dir, ['add', 'data', 'big.bin'], { TROVE_LOCK_TIMEOUT_MS: '5000' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(runJson(repo.dir, ['status']).result.clean, true);
    assert.equal(runCli(repo.dir, ['fsck']).code, 0);
  } finally {
    repo.cleanup();
  }
});
