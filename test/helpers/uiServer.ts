import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './tmpRepo.js';

export interface RunningUi {
  /** the address trove printed (ends with `/`, with `?token=` when one is required) */
  readonly url: string;
  /** the origin, `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly port: number;
  readonly token: string | null;
  readonly child: ChildProcess;
  /** everything the server wrote on stderr so far */
  stderr(): string;
  stop(): Promise<number | null>;
}

/**
 * Start the REAL CLI, `trove ui --port 0 --json [...extra]`, in `cwd`, and
 * wait for its "listening" JSON line (the browser tests drive exactly what a
 * user runs). stop() sends SIGTERM and waits for the exit code.
 */
export async function startUiServer(cwd: string, extra: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<RunningUi> {
  const child = spawn(process.execPath, [BIN, 'ui', '--port', '0', '--json', ...extra], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`trove ui did not start in 20 s; stderr: ${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`trove ui exited with ${code} before listening; stderr: ${err}`));
    });
  });
  const result = (JSON.parse(line) as { result: { url: string; port: number; token: string | null } }).result;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url: result.url,
    origin: new URL(result.url).origin,
    port: result.port,
    token: result.token,
    child,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** GET `origin + path` and parse the answer as JSON (errors too: `{error:{code,message,hint}}`); `text` is the raw body. */
export async function getJson<T = any>(origin: string, path: string): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`${origin}${path}`);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as T, text };
}
