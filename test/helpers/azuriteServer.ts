import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Azurite's one built-in account; the key is published in Azurite's README, not a secret. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteServer {
  /** a full connection string for devstoreaccount1 on this server */
  readonly connectionString: string;
  /** the blob service URL, account included: http://127.0.0.1:PORT/devstoreaccount1 */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** The repository root, found from this file so that neither cwd nor src-vs-dist matters. */
function repoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'test', 'servers', 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('Cannot find the trove repository root (test/servers/package.json) above ' + fileURLToPath(import.meta.url));
  }
}

/**
 * Start Azurite's blob service on 127.0.0.1, in memory. Azurite lives in
 * test/servers (its own package: it is ~175 MB and only tests need it).
 * Port 0 lets the OS pick a free port, which Azurite then reports: no race
 * between finding a port and binding it.
 */
export async function startAzurite(): Promise<AzuriteServer> {
  const root = repoRoot();
  const main = join(root, 'test', 'servers', 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
  if (!existsSync(main)) {
    throw new Error(`Azurite is not installed (no ${main}). Install the test servers once: npm --prefix test/servers ci (npm test does it when missing)`);
  }
  // Azurite may write its workspace files to cwd even in memory mode: give it a scratch directory.
  const cwd = mkdtempSync(join(tmpdir(), 'trove-azurite-'));
  const child = spawn(process.execPath, [main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave an emulator behind when the test process ends without calling stop().
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let output = '';
  let listening = false;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Azurite did not start listening within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      if (listening) return; // keep draining the pipe, stop collecting
      output += chunk.toString();
      const m = /listens on https?:\/\/[^\s/]+:(\d+)/.exec(output);
      if (m) {
        listening = true;
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolve(Number(m[1]));
      }
    };
    const onExit = (code: number | null, signal: string | null): void => fail(new Error(`Azurite exited (${signal ?? code}) before listening:\n${output}`));
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      rmSync(cwd, { recursive: true, force: true });
      reject(err);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => {
      if (!listening) output += c.toString();
    });
    child.once('exit', onExit);
    child.once('error', fail);
  });

  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    endpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
