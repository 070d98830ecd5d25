import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { TroveError } from '../errors/index.js';
import type { Repo } from '../workspace/Repo.js';
import { browserPath } from './browserPath.js';
import { checkRequest, TOKEN_COOKIE, type GuardSettings } from './requestGuard.js';
import { registerRoutes } from './routes/index.js';
import { loadStaticAssets } from './staticAssets.js';
import { httpStatusOf, type UiContext } from './UiContext.js';

export interface StartUiOptions {
  readonly repo: Repo;
  /** trove's version, shown in the page footer */
  readonly version: string;
  /** address to listen on (default 127.0.0.1); any other needs the token */
  readonly host?: string;
  /** port (default 0: any free port) */
  readonly port?: number;
  /** the token to require (default: a random one when host is not loopback; none on 127.0.0.1) */
  readonly token?: string | null;
}

export interface UiServer {
  /** the address to open (with ?token=… when a token is required) */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly token: string | null;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Security headers on every response: no framing, no sniffing, scripts only from this server. */
const HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/**
 * Serve the web UI of `repo`: the built front end and the read-only /api
 * routes, on 127.0.0.1 by default. Every request passes checkRequest (Host,
 * Origin, token) before any route sees it.
 *
 * @example
 *   const ui = await startUi({ repo: await openRepo(), version: troveVersion() }); // the CLI passes cli/commands/versionCommand.ts's
 *   console.log(ui.url); // http://127.0.0.1:41234/
 *   await ui.close();
 */
export async function startUi(options: StartUiOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = LOOPBACK.has(host);
  const token = options.token !== undefined ? options.token : loopback ? null : randomBytes(24).toString('base64url');
  if (!loopback && !token) throw new TroveError('USAGE', `Serving on ${host} needs a token.`, { hint: 'Leave the token to trove (it prints one), or serve on 127.0.0.1.' });
  const assets = loadStaticAssets();
  const ctx: UiContext = {
    repo: options.repo,
    version: options.version,
    repoPath: (p) => browserPath(options.repo.root, p),
    fail: (c, err) => {
      const status = httpStatusOf(err);
      const e = err instanceof TroveError ? { code: err.code, message: err.message, hint: err.hint ?? null } : { code: 'INTERNAL', message: 'trove ui failed to answer this request.', hint: 'The server log (its stderr) has the details.' };
      if (status >= 500) process.emitWarning(err instanceof Error ? err : new Error(String(err)));
      return c.json({ error: e }, status as 400);
    },
  };

  // The guard's host list is known only once the port is: filled in after listen().
  const guard: { settings: GuardSettings } = { settings: { hosts: [], token } };
  const app = new Hono();
  app.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    const verdict = checkRequest(
      {
        method: c.req.method,
        host: c.req.header('host'),
        origin: c.req.header('origin'),
        secFetchSite: c.req.header('sec-fetch-site'),
        cookie: c.req.header('cookie'),
        authorization: c.req.header('authorization'),
        queryToken: url.searchParams.get('token') ?? undefined,
      },
      guard.settings,
    );
    if (!verdict.ok) {
      const res = c.json({ error: { code: verdict.code, message: verdict.message, hint: null } }, verdict.status);
      for (const [k, v] of Object.entries(HEADERS)) res.headers.set(k, v);
      return res;
    }
    if (verdict.setCookie && token) {
      // Move the token from the address (history, screenshots) into a cookie only this origin sends.
      url.searchParams.delete('token');
      const res = c.redirect(url.pathname + (url.search || '') + (url.hash || ''), 303);
      res.headers.append('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      return res;
    }
    await next();
    for (const [k, v] of Object.entries(HEADERS)) c.res.headers.set(k, v);
    if (url.pathname.startsWith('/api/')) c.res.headers.set('Cache-Control', 'no-store');
  });
  registerRoutes(app, ctx);
  app.all('/api/*', (c) => c.json({ error: { code: 'NOT_FOUND', message: `No API route ${new URL(c.req.url).pathname}.`, hint: null } }, 404));
  app.get('*', (c) => {
    const name = new URL(c.req.url).pathname.slice(1);
    // The app's own files by their fixed names; every other address is a page of the app (hash routes).
    const asset = assets.get(name) ?? assets.get('index.html')!;
    return c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.type });
  });

  const server: ServerType = await new Promise((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, () => resolveServer(s));
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new TroveError('USAGE', err.code === 'EADDRINUSE' ? `Port ${options.port} on ${host} is in use.` : `Cannot listen on ${host}:${options.port ?? 0} (${err.message}).`, {
          hint: err.code === 'EADDRINUSE' ? 'Pick another with --port N, or --port 0 for any free port.' : 'Check --host and --port.',
          cause: err,
        }),
      ),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const named = host.includes(':') ? `[${host}]` : host;
  guard.settings = {
    hosts: host === '0.0.0.0' || host === '::' ? [] : loopback ? [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`] : [`${named}:${port}`.toLowerCase()],
    token,
  };
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : named;
  return {
    url: `http://${shown}:${port}/${token ? `?token=${token}` : ''}`,
    host,
    port,
    token,
    close: () =>
      new Promise<void>((resolveClose) => {
        // Live-update streams (SSE) keep connections open: close them too.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolveClose());
      }),
  };
}
