import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface SshServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** private key whose public half is in authorized_keys */
  readonly keyFile: string;
  /** a known_hosts file listing this server's host key for [host]:port */
  readonly knownHostsFile: string;
  /** scratch directory of the server (keys, config); removed by stop() */
  readonly dir: string;
  stop(): Promise<void>;
}

/** ssh-keygen -t ed25519 without a passphrase; returns the private key path. */
export function generateKey(path: string, comment = 'trove-test'): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  return path;
}

/** A port that was free a moment ago (the kernel picks it; we close and reuse it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * OpenSSH's sshd, unprivileged, on 127.0.0.1 at a free port, with its own host
 * key, one authorised client key and internal-sftp, so the SFTP backend is
 * tested against the server real users have. Fails loudly when sshd is not
 * installed: a skipped backend test would look like a passing one.
 */
export async function startSshServer(): Promise<SshServer> {
  if (!existsSync(SSHD)) {
    throw new Error(`OpenSSH server not found at ${SSHD}; the SFTP backend tests need it. Install it with: apt-get install -y openssh-server`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'trove-sshd-'));
  try {
    const hostKey = generateKey(join(dir, 'host_ed25519'), 'trove-test-host');
    const keyFile = generateKey(join(dir, 'client_ed25519'), 'trove-test-client');
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${keyFile}.pub`));
    // sshd running as root insists on its privilege-separation directory.
    if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true });
    const user = userInfo().username;
    const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');

    // The port is free when we pick it but another process may take it before
    // sshd binds; try a few.
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const config = join(dir, 'sshd_config');
      writeFileSync(config, sshdConfig(dir, port, hostKey));
      const knownHostsFile = join(dir, 'known_hosts');
      writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostPub}\n`);
      const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const up = await waitForPort(child, port, 10_000);
      if (up !== true) {
        child.kill('SIGTERM');
        if (/Address already in use/i.test(stderr) && attempt < 3) continue;
        throw new Error(`sshd did not start (${up}): ${stderr.trim() || '(no output)'}`);
      }
      const exitHook = (): void => void child.kill('SIGTERM');
      process.once('exit', exitHook);
      return {
        host: '127.0.0.1',
        port,
        user,
        keyFile,
        knownHostsFile,
        dir,
        async stop() {
          process.removeListener('exit', exitHook);
          await stopChild(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function sshdConfig(dir: string, port: number, hostKey: string): string {
  const lines = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'Subsystem sftp internal-sftp',
    'UsePAM no',
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'LogLevel ERROR',
    // tests open a connection per case, some failing on purpose
    'MaxStartups 100',
    'MaxAuthTries 10',
  ];
  // OpenSSH 9.8+ refuses a client address for a while after failed logins,
  // which would fail every test after the wrong-key one. Older sshd rejects
  // the unknown keyword, so only add it when supported.
  if (sshdVersion() >= 908) lines.push('PerSourcePenalties no');
  return `${lines.join('\n')}\n`;
}

/** major * 100 + minor, e.g. 902 for OpenSSH 9.2 */
function sshdVersion(): number {
  // `sshd -V` prints "OpenSSH_9.2p1 …" to stderr (and exits non-zero on some releases)
  const r = spawnSync(SSHD, ['-V'], { encoding: 'utf8' });
  const m = /OpenSSH_(\d+)\.(\d+)/.exec(`${r.stdout}${r.stderr}`);
  return m ? Number(m[1]) * 100 + Number(m[2]) : 0;
}

/** Resolves true once the port accepts a connection, or a reason when sshd exited or the time ran out. */
async function waitForPort(child: ChildProcess, port: number, ms: number): Promise<true | string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return `exited with ${child.exitCode ?? child.signalCode}`;
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return `port ${port} not open after ${ms} ms`;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
