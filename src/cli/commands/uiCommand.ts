import { spawn } from 'node:child_process';
import { TroveError } from '../../errors/index.js';
import { defineCommand } from '../defineCommand.js';
import { JSON_SCHEMA_VERSION } from '../runCommand.js';
import { troveVersion } from './versionCommand.js';

export interface UiResult {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** the token requests must carry (null on 127.0.0.1) */
  readonly token: string | null;
  /** true once the server has stopped (Ctrl-C or SIGTERM) */
  readonly stopped: boolean;
}

export const uiCommand = defineCommand<UiResult>({
  name: 'ui',
  summary: 'a local web UI: runs and curves, the registry and lineage, data history (read-only, 127.0.0.1)',
  examples: [
    'trove ui                          # http://127.0.0.1:PORT/ on a free port; Ctrl-C stops it',
    'trove ui --port 8123 --open       # a fixed port, and open the browser',
    'trove ui --host 0.0.0.0           # reachable from other machines: prints a token the browser must carry',
    'trove ui --json                   # one JSON line with url and token when listening (for scripts)',
  ],
  configure: (cmd) =>
    cmd
      .option('--port <n>', 'port to listen on (default: any free port)')
      .option('--host <address>', 'address to listen on (default 127.0.0.1; any other requires the printed token)')
      .option('--open', 'open the UI in the default browser'),
  async run(ctx, _args, opts) {
    const port = opts.port === undefined ? 0 : Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TroveError('USAGE', `--port must be a number from 0 to 65535, not "${String(opts.port)}".`, { hint: 'trove ui --port 8123' });
    const { openRepo } = await import('../../workspace/Repo.js');
    const { startUi } = await import('../../server/startUi.js');
    const repo = await openRepo({ cwd: ctx.cwd, reporter: ctx.reporter });
    const ui = await startUi({ repo, version: troveVersion(), port, ...(opts.host ? { host: String(opts.host) } : {}) });
    // Listen for the stop signals BEFORE printing the address: a script that reads it and stops us at once must not kill us mid-start.
    const stopped = new Promise<void>((resolveStop) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void ui.close().then(resolveStop, resolveStop);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    const result = { url: ui.url, host: ui.host, port: ui.port, token: ui.token };
    // Printed as soon as it listens (the command then runs until stopped), so scripts and tests can read the address.
    if (ctx.out.json) ctx.out.line(JSON.stringify({ version: JSON_SCHEMA_VERSION, command: 'ui', ok: true, result: { ...result, stopped: false } }));
    else {
      ctx.out.line(`trove ui: ${ui.url}`);
      if (ui.token) ctx.out.info(`Listening on ${ui.host}:${ui.port}; the browser needs the token in that address (keep it private).`);
      ctx.out.info('Read-only. Press Ctrl-C to stop.');
    }
    if (opts.open) openBrowser(ui.url, (why) => ctx.out.warn(`Could not open a browser (${why}); open ${ui.url} yourself.`));
    await stopped;
    return { ...result, stopped: true };
  },
  render(out) {
    out.info('trove ui stopped.');
  },
});

/** The platform's opener (xdg-open, open, start); a failure is a warning, the server keeps running. */
function openBrowser(url: string, warn: (why: string) => void): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true });
    child.once('error', (err) => warn(err.message));
    child.unref();
  } catch (err) {
    warn(err instanceof Error ? err.message : String(err));
  }
}
