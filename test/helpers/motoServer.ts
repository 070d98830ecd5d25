import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * moto (https://github.com/getmoto/moto) as a throwaway S3 server on loopback
 * for the backend contract tests. Each server is its own process group, killed
 * by stop(), by an `after` hook in the test file, and as a last resort when
 * the test process exits, so a failing test never leaves one running.
 */
export interface MotoServer {
  readonly endpoint: string;
  /** create a bucket (moto keeps everything in memory; a new server starts empty) */
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface MotoOptions {
  /**
   * Check signatures against moto's IAM: moto accepts any keys unless
   * INITIAL_NO_AUTH_ACTION_COUNT is set, after which unknown keys get
   * InvalidAccessKeyId (403), as from real S3. Such a server cannot create
   * buckets with the test keys, which is fine for the wrong-credentials test.
   */
  readonly auth?: boolean;
  readonly startTimeoutMs?: number;
}

/** Keys moto accepts when auth is off (any will do; these make the intent obvious). */
export const TEST_CREDENTIALS = { accessKeyId: 'trove-test-key', secretAccessKey: 'trove-test-secret' };

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) killGroup(p, 'SIGKILL');
});

export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1' };
  if (options.auth) env.INITIAL_NO_AUTH_ACTION_COUNT = '0';
  else delete env.INITIAL_NO_AUTH_ACTION_COUNT;
  const child = await spawnMoto(['-H', '127.0.0.1', '-p', String(port)], env);
  running.add(child);
  // moto logs every request; keep only the tail, for a start-up failure message.
  let log = '';
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  const server: MotoServer = {
    endpoint,
    async createBucket(name) {
      const client = testClient(endpoint);
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
    async stop() {
      if (!running.delete(child)) return;
      const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitUntilUp(endpoint, child, options.startTimeoutMs ?? 30_000, () => log);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** An S3 client for test set-up against a moto endpoint. */
export function testClient(endpoint: string): S3Client {
  // The SDK warns on Node < 22 at construction; it is noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
}

/**
 * `python3 -m moto.server` with two additions.
 *
 * A watchdog: stdin is a pipe from this process, and EOF there means we are
 * gone, even by SIGKILL or SIGPIPE (which skip every exit hook), so moto exits
 * too instead of lingering on its port.
 *
 * A fix for a race in moto 5.x's threaded server: a PUT that replaces a key
 * closes the old object's buffer while the PUT that wrote it may still be
 * reading that buffer for its response's ETag ("I/O operation on closed file",
 * HTTP 500 on 5-15% of the contract's concurrent same-key puts). The patch
 * takes the key's own lock around both and computes the ETag before closing;
 * real S3 has no such window. Guarded: a moto without these names runs as is.
 */
const WRAPPER = String.raw`
import os, sys, threading
threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
try:
    from moto.s3.models import FakeKey
    _etag = FakeKey.etag.fget
    _dispose = FakeKey.dispose
    def etag(self):
        with self.lock:
            return _etag(self)
    def dispose(self, *args, **kwargs):
        with self.lock:
            try:
                _etag(self)
            except Exception:
                pass
            _dispose(self, *args, **kwargs)
    FakeKey.etag = property(etag)
    FakeKey.dispose = dispose
except (ImportError, AttributeError):
    print('motoServer.ts: FakeKey patch not applied', file=sys.stderr)
from moto.server import main
main(sys.argv[1:])
`;

/** python3 with WRAPPER, else pip's `moto_server` entry point (neither watchdog nor fix). */
async function spawnMoto(args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const attempt = (cmd: string, argv: string[]) =>
    new Promise<ChildProcess>((resolve, reject) => {
      // detached: its own process group, so stop() also reaches the python behind a pyenv shim.
      const child = spawn(cmd, argv, { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      child.once('spawn', () => resolve(child));
      child.once('error', reject);
    });
  try {
    return await attempt('python3', ['-c', WRAPPER, ...args]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return attempt('moto_server', args);
  }
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`moto exited (${child.exitCode ?? child.signalCode}) before answering:\n${log()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms:\n${log()}`);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** A port nothing listens on right now (the OS picks it; closed again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
