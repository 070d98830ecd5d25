import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import ssh2 from 'ssh2';
import type { ConnectConfig, FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';
import { TroveError } from '../errors/index.js';
import { mapLimit } from '../util/mapLimit.js';
import type { Backend, BackendOptions, Body, ByteRange, RemoteEntry } from './Backend.js';
import { checkKey } from './checkKey.js';
import { parseRemoteUrl } from './remoteUrl.js';
import { call, closeQuietly, FX_CONNECTION_LOST, FX_FAILURE, FX_NO_CONNECTION, FX_NO_SUCH_FILE, FX_PERMISSION_DENIED, mkdirp, readRange, renameOver, sftpCode, unlinkQuietly, writeBody } from './sftpOps.js';
import { hostKeyAlgorithms, readKnownHosts, verifyHostKey } from './knownHosts.js';
import { readSshSettings, sshAuthMethods, type SshSettings } from './sshSettings.js';

const { Client } = ssh2;

/** SFTP handles per list walk, well below OpenSSH's per-session handle limit */
const LIST_CONCURRENCY = 8;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EPIPE', 'EAI_AGAIN']);

interface Session {
  readonly client: InstanceType<typeof Client>;
  readonly sftp: SFTPWrapper;
  alive: boolean;
}


/**
 * A directory on an SSH server, reached over one SFTP session (ssh2's Client,
 * pure JS). Same on-disk layout as DirectoryBackend: objects are written to
 * `<root>/tmp/` and renamed into place, so a reader never sees half an object.
 * The connection is opened on first use, so constructing a backend (e.g. for
 * `trove remote list`) never touches the network.
 */
export class SftpBackend implements Backend {
  readonly readOnly = false;
  readonly canList = true;
  readonly tempPrefix = 'tmp/';
  readonly display: string;
  /** the remote directory; relative paths are resolved by the server against the login directory */
  private readonly root: string;
  private readonly host: string;
  private readonly cfg: SshSettings;
  private session?: Promise<Session>;
  private current?: Session;

  private constructor(private readonly name: string, host: string, root: string, cfg: SshSettings) {
    this.host = host;
    this.root = root;
    this.cfg = cfg;
    const shownPath = root.startsWith('/') ? root : root === '.' ? '/~' : `/~/${root}`;
    this.display = `ssh://${cfg.user}@${host.includes(':') ? `[${host}]` : host}:${cfg.port}${shownPath}`;
  }

  static async open(options: BackendOptions): Promise<SftpBackend> {
    const url = parseRemoteUrl(options.url, options.baseDir);
    const cfg = readSshSettings(options, url);
    // ssh://host/~ names the login directory itself; '' cannot be sent as a path.
    const path = url.path === '/~' || url.path === '' ? '.' : url.path.length > 1 ? url.path.replace(/\/+$/, '') : url.path;
    // WHATWG URL keeps the brackets of an IPv6 literal; the socket wants it bare
    return new SftpBackend(options.name, url.host.replace(/^\[(.*)\]$/, '$1'), path, cfg);
  }

  private get where(): string {
    return `the remote "${this.name}" (${this.display})`;
  }

  private file(key: string): string {
    return this.root.endsWith('/') ? this.root + checkKey(key) : `${this.root}/${checkKey(key)}`;
  }

  async stat(key: string): Promise<number | undefined> {
    const path = this.file(key);
    const { sftp } = await this.connect();
    try {
      const st = await call<Stats>((cb) => sftp.stat(path, cb));
      return st.isFile() ? st.size ?? 0 : undefined;
    } catch (err) {
      if (sftpCode(err) === FX_NO_SUCH_FILE) return undefined;
      throw this.fail(err, 'reading', key);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    const path = this.file(key);
    const { sftp } = await this.connect();
    let handle: Buffer | undefined;
    try {
      handle = await call<Buffer>((cb) => sftp.open(path, 'r', cb));
      const h = handle;
      const start = range?.start ?? 0;
      const end = range ? range.end : (await call<Stats>((cb) => sftp.fstat(h, cb))).size ?? 0;
      return await readRange(sftp, h, start, Math.max(0, end - start));
    } catch (err) {
      if (sftpCode(err) === FX_NO_SUCH_FILE) throw new TroveError('NOT_FOUND', `${key} is not on ${this.where}.`, { hint: 'Push it from a clone that has it (trove push).', data: { key } });
      throw this.fail(err, 'reading', key);
    } finally {
      if (handle) closeQuietly(sftp, handle);
    }
  }

  async put(key: string, body: Body): Promise<void> {
    const target = this.file(key);
    const { sftp } = await this.connect();
    const tmpDir = posix.join(this.root, 'tmp');
    const tmp = `${tmpDir}/${process.pid}-${randomBytes(6).toString('hex')}`;
    let created = false;
    let writing = false;
    try {
      const handle = await this.retryMissingDir(sftp, tmpDir, () => call<Buffer>((cb) => sftp.open(tmp, 'w', { mode: 0o444 }, cb)));
      created = true;
      writing = true;
      let written: number;
      try {
        written = await writeBody(sftp, handle, body);
      } catch (err) {
        closeQuietly(sftp, handle);
        throw err;
      }
      // close reports deferred write errors (NFS-backed homes flush on close)
      await call((cb) => sftp.close(handle, cb));
      writing = false;
      if (written !== body.size) throw new TroveError('REMOTE', `Wrote ${written} bytes of ${key} to ${this.where}, expected ${body.size}.`, { retryable: true });
      await this.retryMissingDir(sftp, posix.dirname(target), () => renameOver(sftp, tmp, target));
    } catch (err) {
      if (created) unlinkQuietly(sftp, tmp);
      if (writing && sftpCode(err) === FX_FAILURE) throw await this.writeFailure(sftp, err, key, body.size);
      throw this.fail(err, 'writing', key);
    }
  }

  async list(prefix: string): Promise<RemoteEntry[]> {
    const { sftp } = await this.connect();
    const rel = prefix.replace(/\/+$/, '');
    const start = rel === '' ? this.root : this.file(rel);
    const out: RemoteEntry[] = [];
    const walk = async (dir: string, relDir: string): Promise<void> => {
      let entries;
      try {
        entries = await call<FileEntryWithStats[]>((cb) => sftp.readdir(dir, cb));
      } catch (err) {
        if (sftpCode(err) === FX_NO_SUCH_FILE) return;
        throw this.fail(err, 'listing', relDir || '.');
      }
      const subdirs: [string, string][] = [];
      for (const e of entries) {
        if (e.filename === '.' || e.filename === '..') continue;
        const keyPath = relDir === '' ? e.filename : `${relDir}/${e.filename}`;
        if (e.attrs.isDirectory()) {
          if (relDir === '' && e.filename === 'tmp') continue;
          subdirs.push([`${dir}/${e.filename}`, keyPath]);
        } else if (e.attrs.isFile()) {
          out.push({ key: keyPath, size: e.attrs.size ?? 0, ...(e.attrs.mtime ? { mtime: e.attrs.mtime * 1000 } : {}) });
        }
      }
      await mapLimit(subdirs, LIST_CONCURRENCY, ([d, r]) => walk(d, r));
    };
    await walk(start, rel);
    return out;
  }

  async delete(key: string): Promise<void> {
    const path = this.file(key);
    const { sftp } = await this.connect();
    try {
      await call((cb) => sftp.unlink(path, cb));
    } catch (err) {
      if (sftpCode(err) === FX_NO_SUCH_FILE) return;
      throw this.fail(err, 'deleting', key);
    }
  }

  async close(): Promise<void> {
    const pending = this.session;
    this.session = undefined;
    const s = this.current ?? (await pending?.catch(() => undefined)); // a session that failed to open has nothing to close; its error went to whoever awaited it
    this.current = undefined;
    if (!s) return;
    s.alive = false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      s.client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      s.client.end();
    });
  }

  /** One SSH connection and SFTP session, opened on first use and again after a drop. */
  private connect(): Promise<Session> {
    if (this.current && !this.current.alive) {
      this.current.client.end();
      this.current = undefined;
      this.session = undefined;
    }
    if (this.session) return this.session;
    const p = this.openSession();
    this.session = p;
    p.then(
      (s) => {
        if (this.session === p) this.current = s;
      },
      () => {
        // a failed connect is retried by the next call, not cached
        if (this.session === p) this.session = undefined;
      },
    );
    return p;
  }

  private async openSession(): Promise<Session> {
    const auth = sshAuthMethods(this.cfg, this.name, this.where);
    const known = readKnownHosts(this.cfg.knownHosts, this.host, this.cfg.port);
    let hostProblem: 'unknown' | 'changed' | 'revoked' | undefined;
    const config: ConnectConfig = {
      host: this.host,
      port: this.cfg.port,
      username: this.cfg.user,
      readyTimeout: this.cfg.timeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
      authHandler: auth,
      hostVerifier: (key: Buffer): boolean => {
        hostProblem = verifyHostKey(known, key, this.cfg.strict);
        return hostProblem === undefined;
      },
    };
    // Like OpenSSH, ask for a host key type we already know, so a server with
    // several keys is not reported as unknown because it offered another type.
    const algos = hostKeyAlgorithms(known);
    if (algos.length > 0) config.algorithms = { serverHostKey: algos };

    const client = new Client();
    return new Promise<Session>((resolve, reject) => {
      let settled = false;
      let lastError: unknown;
      const session: { value?: Session } = {};
      const finish = (err: unknown, s?: Session): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (s) return resolve(s);
        client.end();
        client.destroy();
        reject(this.connectFailure(err, hostProblem));
      };
      // readyTimeout covers TCP + handshake + auth; this also covers opening the SFTP channel
      const timer = setTimeout(() => finish(Object.assign(new Error('timed out'), { level: 'client-timeout' })), this.cfg.timeoutMs + 1000);
      client.on('error', (err: Error & { level?: string }) => {
        lastError = err;
        // ssh2 reports a failing agent or key and goes on to the next method
        if (err.level === 'agent' || (err.level === 'client-authentication' && !/All configured/.test(err.message))) return;
        if (session.value) session.value.alive = false;
        finish(err);
      });
      client.on('close', () => {
        if (session.value) session.value.alive = false;
        finish(lastError ?? Object.assign(new Error('connection closed'), { code: 'ECONNRESET' }));
      });
      client.on('ready', () => {
        client.sftp((err, sftp) => {
          if (err) return finish(err);
          const s: Session = { client, sftp, alive: true };
          session.value = s;
          sftp.on('error', () => undefined);
          sftp.on('close', () => {
            s.alive = false;
          });
          finish(undefined, s);
        });
      });
      try {
        client.connect(config);
      } catch (err) {
        finish(err);
      }
    });
  }

  /** Auth methods in the order OpenSSH tries them: the configured key, the agent, default keys, then a password. */
  /** Run `op`; if it failed because `dir` is missing, create it (mkdir -p) and run it again. */
  private async retryMissingDir<T>(sftp: SFTPWrapper, dir: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (sftpCode(err) !== FX_NO_SUCH_FILE) throw err;
      await mkdirp(sftp, dir);
      return op();
    }
  }

  /**
   * OpenSSH's sftp-server answers every errno it has no SFTP code for
   * (ENOSPC, EDQUOT, EIO, EFBIG…) with a bare FAILURE, so after a failed
   * write we ask statvfs whether the file system is the reason.
   */
  private async writeFailure(sftp: SFTPWrapper, err: unknown, key: string, size: number): Promise<TroveError> {
    const fullMsg = (): TroveError =>
      new TroveError('NO_SPACE', `${this.where} is full (while writing ${key}).`, { hint: 'Free space on the remote (trove gc -r NAME removes what nothing refers to), then run the command again; what was sent is kept.', cause: err });
    if (/no space|quota|disk full/i.test((err as Error).message)) return fullMsg();
    try {
      const fs = await call<{ f_bavail: number | bigint; f_frsize: number | bigint }>((cb) => sftp.ext_openssh_statvfs(this.root, cb));
      if (Number(fs.f_bavail) * Number(fs.f_frsize) < Math.max(size, 1 << 20)) return fullMsg();
    } catch {
      // statvfs@openssh.com missing or failing: we cannot tell, fall through
    }
    return new TroveError('REMOTE', `The server failed while writing ${key} to ${this.where} (${(err as Error).message}).`, {
      hint: 'The remote disk may be full or over quota (check df and quota on the server); then run the command again.',
      cause: err,
    });
  }

  private fail(err: unknown, doing: string, key: string): TroveError {
    if (err instanceof TroveError) return err;
    const code = sftpCode(err);
    const msg = (err as Error).message;
    if (code === FX_PERMISSION_DENIED) return new TroveError('PERMISSION', `Permission denied on ${this.where} while ${doing} ${key}.`, { hint: `Check that ${this.cfg.user} can write to the directory on the server (ls -ld), or use a remote you can write to.`, cause: err });
    if (code === FX_FAILURE && /no space|quota|disk full/i.test(msg)) return new TroveError('NO_SPACE', `${this.where} is full (while ${doing} ${key}).`, { hint: 'Free space on the remote (trove gc -r NAME removes what nothing refers to), then run the command again; what was sent is kept.', cause: err });
    const lost = code === FX_NO_CONNECTION || code === FX_CONNECTION_LOST || /No response from server|not open|closed/i.test(msg);
    if (lost) {
      if (this.current) this.current.alive = false;
      return new TroveError('REMOTE', `The connection to ${this.where} was lost while ${doing} ${key}.`, { retryable: true, cause: err });
    }
    return new TroveError('REMOTE', `SFTP error on ${this.where} while ${doing} ${key}: ${msg}.`, { cause: err });
  }

  private connectFailure(err: unknown, hostProblem: 'unknown' | 'changed' | 'revoked' | undefined): TroveError {
    if (err instanceof TroveError) return err;
    const e = err as Error & { level?: string; code?: string };
    const { port } = this.cfg;
    const hostArg = this.host.includes(':') ? `[${this.host}]` : this.host;
    const knownFile = this.cfg.knownHostsExplicit ? this.cfg.knownHosts[0]! : '~/.ssh/known_hosts';
    if (hostProblem === 'unknown') {
      return new TroveError('AUTH', `The host key of ${this.where} is not in ${this.cfg.knownHostsExplicit ? knownFile : 'your known_hosts'}, so trove cannot tell it is the right server.`, {
        hint: `Check the server's fingerprint, then add it: ssh-keyscan -p ${port} ${hostArg} >> ${knownFile} (or, on a trusted network, trove remote modify ${this.name} strict_host_key_checking false).`,
        cause: err,
        data: { host: this.host, port },
      });
    }
    if (hostProblem) {
      return new TroveError('AUTH', `The host key of ${this.where} ${hostProblem === 'revoked' ? 'is marked @revoked' : 'does not match the one in known_hosts'}: the server was reinstalled, or someone is intercepting the connection.`, {
        hint: `Confirm the new key with the server's admin, then replace the old entry: ssh-keygen -R '${port === 22 ? hostArg : `[${this.host}]:${port}`}'${this.cfg.knownHostsExplicit ? ` -f ${knownFile}` : ''} && ssh-keyscan -p ${port} ${hostArg} >> ${knownFile}.`,
        cause: err,
        data: { host: this.host, port },
      });
    }
    if (e.level === 'client-authentication') {
      return new TroveError('AUTH', `${this.cfg.user}@${this.host} refused our SSH credentials for ${this.where}.`, {
        hint: `Check that the public half of ${this.cfg.keyFile ?? 'your key'} is in ~/.ssh/authorized_keys of ${this.cfg.user} on ${this.host} (ssh-copy-id -p ${port} ${this.cfg.user}@${hostArg}), or set key_file / password for the remote (trove remote modify ${this.name} …).`,
        cause: err,
      });
    }
    if (e.level === 'client-timeout' || e.code === 'ETIMEDOUT') {
      return new TroveError('REMOTE', `Timed out after ${this.cfg.timeoutMs} ms connecting to ${this.where}.`, { hint: `Check that ${this.host} is up and reachable on port ${port}, then run the command again (timeout_ms raises the limit).`, retryable: true, cause: err });
    }
    if (e.code && NETWORK_CODES.has(e.code)) {
      return new TroveError('REMOTE', `Cannot connect to ${this.where}: ${e.code}.`, { hint: `Check that ${this.host} is up and sshd listens on port ${port}, then run the command again.`, retryable: true, cause: err });
    }
    if (e.code === 'ENOTFOUND' || e.level === 'client-dns') {
      return new TroveError('REMOTE', `The host ${this.host} of ${this.where} is not known to DNS.`, { hint: 'Check the host name in the remote URL (trove remote list).', cause: err });
    }
    if (/subsystem/i.test(e.message)) {
      return new TroveError('REMOTE', `${this.where} does not offer SFTP (${e.message}).`, { hint: 'Enable the sftp subsystem in the server\'s sshd_config (Subsystem sftp internal-sftp).', cause: err });
    }
    // a server that hangs up before its SSH banner is overloaded (MaxStartups) or restarting
    const dropped = e.level === 'client-socket' || /Connection lost|connection closed/i.test(e.message);
    return new TroveError('REMOTE', `SSH connection to ${this.where} failed: ${e.message}.`, { cause: err, retryable: dropped, hint: dropped ? 'Run the command again; if it keeps failing, check the server with ssh -v.' : undefined });
  }
}
