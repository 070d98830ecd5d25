import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isTroveError } from '../../src/errors/index.js';
import { randomBytes } from 'node:crypto';
import { bufferBody } from '../../src/remote/Backend.js';
import { openBackend } from '../../src/remote/openBackend.js';
import { SftpBackend } from '../../src/remote/SftpBackend.js';
import { freePort, generateKey, startSshServer } from '../helpers/sshServer.js';
import { backendContract } from './backendContract.js';

// Top-level await: if sshd cannot start, this file fails with the reason
// instead of its tests being skipped.
const server = await startSshServer();
const base = mkdtempSync(join(tmpdir(), 'trove-sftpremote-'));
// an empty HOME, so neither the developer's ~/.ssh keys nor known_hosts leak in
const home = mkdtempSync(join(tmpdir(), 'trove-sftphome-'));
const otherKey = generateKey(join(home, 'unauthorised_ed25519'));
after(async () => {
  await server.stop();
  rmSync(base, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const env = { USER: server.user, HOME: home };
let n = 0;
const url = (path = join(base, `r${n++}`), port = server.port) => `ssh://${server.user}@${server.host}:${port}${path}`;
const open = (settings: Record<string, unknown> = {}, u = url()) =>
  SftpBackend.open({ name: 'origin', url: u, env, settings: { key_file: server.keyFile, known_hosts: server.knownHostsFile, ...settings } });

backendContract({
  name: 'sftp',
  open: () => open(),
  openBadAuth: () => open({ key_file: otherKey }),
  openUnreachable: async () => open({ timeout_ms: 3000 }, url(join(base, 'unreachable'), await freePort())),
});

test('sftp backend: an unknown host key is refused with a hint when strict checking is on', async () => {
  const empty = join(home, 'known_hosts_empty');
  writeFileSync(empty, '');
  const b = await open({ known_hosts: empty });
  try {
    await assert.rejects(b.stat('k'), (e) => {
      assert.ok(isTroveError(e, 'AUTH'), `expected AUTH, got ${(e as Error).message}`);
      assert.match(e.message, /host key/);
      assert.match(e.message, new RegExp(`the remote "origin" \\(ssh://${server.user}@127\\.0\\.0\\.1:${server.port}/`));
      assert.match(e.hint ?? '', new RegExp(`ssh-keyscan -p ${server.port} 127\\.0\\.0\\.1 >> ${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.match(e.hint ?? '', /strict_host_key_checking false/);
      return true;
    });
  } finally {
    await b.close();
  }
});

test('sftp backend: strict_host_key_checking false accepts an unknown host, but never a changed key', async () => {
  const empty = join(home, 'known_hosts_none');
  writeFileSync(empty, '');
  const lax = await open({ known_hosts: empty, strict_host_key_checking: false });
  try {
    assert.equal(await lax.stat('k'), undefined);
  } finally {
    await lax.close();
  }
  // a different ed25519 key recorded for this host:port looks like a man in the middle
  const impostor = generateKey(join(home, 'impostor_host'));
  const changed = join(home, 'known_hosts_changed');
  writeFileSync(changed, `[127.0.0.1]:${server.port} ${readFileSync(`${impostor}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
  const b = await open({ known_hosts: changed, strict_host_key_checking: false });
  try {
    await assert.rejects(b.stat('k'), (e) => isTroveError(e, 'AUTH') && /does not match/.test(e.message) && /ssh-keygen -R/.test(e.hint ?? ''));
  } finally {
    await b.close();
  }
});

test('sftp backend: hashed known_hosts entries (ssh-keygen -H) are understood', async () => {
  const hashed = join(home, 'known_hosts_hashed');
  writeFileSync(hashed, readFileSync(server.knownHostsFile));
  execFileSync('ssh-keygen', ['-q', '-H', '-f', hashed], { stdio: 'ignore' });
  assert.match(readFileSync(hashed, 'utf8'), /^\|1\|/);
  const b = await open({ known_hosts: hashed });
  try {
    assert.equal(await b.stat('k'), undefined);
  } finally {
    await b.close();
  }
});

test('sftp backend: openBackend routes ssh:// URLs here; the display has user, host, port and path but no password', async () => {
  const path = join(base, 'routed');
  const b = await openBackend({ name: 'origin', url: `ssh://${server.user}:hunter2@${server.host}:${server.port}${path}`, env, settings: { key_file: server.keyFile, known_hosts: server.knownHostsFile } });
  try {
    assert.ok(b instanceof SftpBackend);
    assert.equal(b.display, `ssh://${server.user}@127.0.0.1:${server.port}${path}`);
    await b.put('k', bufferBody(Buffer.from('v')));
    assert.equal(readFileSync(join(path, 'k'), 'utf8'), 'v', 'the object lands in the URL path on the server');
  } finally {
    await b.close();
  }
});

test('sftp backend: a missing key_file is AUTH with a hint, before any connection', async () => {
  const b = await open({ key_file: '~/no/such/key' });
  try {
    await assert.rejects(b.stat('k'), (e) => isTroveError(e, 'AUTH') && e.message.includes(join(home, 'no/such/key')) && /key_file/.test(e.hint ?? ''));
  } finally {
    await b.close();
  }
});

test('sftp backend: a directory we cannot write to is PERMISSION', async () => {
  // root ignores mode bits, so as root use a file system that refuses mkdir (sysfs)
  let path = '/sys/trove-sftp-test';
  if (process.getuid?.() !== 0) {
    path = join(base, 'readonly');
    mkdirSync(path);
    chmodSync(path, 0o555);
  }
  const b = await open({}, url(path));
  try {
    await assert.rejects(b.put('a/k', bufferBody(Buffer.from('x'))), (e) => {
      assert.ok(isTroveError(e, 'PERMISSION'), `expected PERMISSION, got ${(e as Error).message}`);
      assert.match(e.message, /the remote "origin"/);
      return true;
    });
  } finally {
    await b.close();
  }
});

test('sftp backend: the connection is reopened after the server drops it', async () => {
  const b = await open();
  try {
    await b.put('k', bufferBody(Buffer.from('v')));
    // simulate a dropped connection: end the client under the backend
    (b as unknown as { current: { client: { end(): void } } }).current.client.end();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await b.get('k')).toString(), 'v');
  } finally {
    await b.close();
  }
});

test('sftp backend: a server that accepts but never speaks SSH is a retryable timeout', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const { port } = silent.address() as { port: number };
  const b = await open({ timeout_ms: 300 }, url(join(base, 'silent'), port));
  try {
    await assert.rejects(b.stat('k'), (e) => isTroveError(e, 'REMOTE') && e.retryable && /Timed out after 300 ms/.test(e.message));
  } finally {
    await b.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  }
});

// The cases below need server behaviour OpenSSH will not produce on demand
// (no posix-rename, short reads, a full disk), so they patch the live SFTP
// session of a backend connected to the real server.
interface SftpLike {
  ext_openssh_rename: unknown;
  read: (h: Buffer, buf: Buffer, off: number, len: number, pos: number, cb: unknown) => void;
  write: (h: Buffer, buf: Buffer, off: number, len: number, pos: number, cb: (err?: Error) => void) => void;
  ext_openssh_statvfs: (path: string, cb: (err: Error | undefined, info: unknown) => void) => void;
}
async function sessionOf(b: SftpBackend): Promise<SftpLike> {
  return ((await (b as unknown as { connect(): Promise<{ sftp: SftpLike }> }).connect()).sftp);
}

test('sftp backend: without posix-rename, put still replaces objects (unlink + rename), also concurrently', async () => {
  const dir = join(base, `fallback${n++}`);
  const b = await open({}, url(dir));
  try {
    const sftp = await sessionOf(b);
    sftp.ext_openssh_rename = () => {
      throw new Error('Server does not support this extended request');
    };
    await b.put('x', bufferBody(Buffer.from('one')));
    await b.put('x', bufferBody(Buffer.from('two')));
    assert.equal((await b.get('x')).toString(), 'two');
    const versions = Array.from({ length: 5 }, () => randomBytes(50_000));
    await Promise.all(versions.map((v) => b.put('race', bufferBody(v))));
    const got = await b.get('race');
    assert.ok(versions.some((v) => v.equals(got)), 'one whole version wins');
    assert.deepEqual(readdirSync(join(dir, 'tmp')), [], 'no temp files are left behind');
  } finally {
    await b.close();
  }
});

test('sftp backend: short READ answers are asked again until the range is complete', async () => {
  const b = await open();
  try {
    const data = randomBytes(100_000);
    await b.put('short', bufferBody(data));
    const sftp = await sessionOf(b);
    const read = sftp.read.bind(sftp);
    sftp.read = (h, buf, off, len, pos, cb) => read(h, buf, off, Math.min(len, 1000), pos, cb);
    assert.ok((await b.get('short')).equals(data));
    assert.ok((await b.get('short', { start: 5, end: 70_005 })).equals(data.subarray(5, 70_005)));
    assert.ok((await b.get('short', { start: 99_000, end: 200_000 })).equals(data.subarray(99_000)), 'a range past the end stops at the end');
  } finally {
    await b.close();
  }
});

test('sftp backend: a write FAILURE on a full file system is NO_SPACE, otherwise REMOTE with a hint', async () => {
  const dir = join(base, `full${n++}`);
  const b = await open({}, url(dir));
  try {
    const sftp = await sessionOf(b);
    sftp.write = (_h, _b, _o, _l, _p, cb) => setImmediate(() => cb(Object.assign(new Error('Failure'), { code: 4 })));
    let free = 0;
    sftp.ext_openssh_statvfs = (_p, cb) => setImmediate(() => cb(undefined, { f_bavail: free, f_frsize: 4096 }));
    await assert.rejects(b.put('k', bufferBody(randomBytes(10_000))), (e) => isTroveError(e, 'NO_SPACE') && /the remote "origin"/.test(e.message) && Boolean(e.hint));
    free = 1 << 20;
    await assert.rejects(b.put('k', bufferBody(randomBytes(10_000))), (e) => isTroveError(e, 'REMOTE') && /full or over quota/.test(e.hint ?? ''));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(readdirSync(join(dir, 'tmp')), [], 'the partial temp file is removed');
  } finally {
    await b.close();
  }
});
