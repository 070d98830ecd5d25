import { timingSafeEqual } from 'node:crypto';

/** Who the server is, as the browser must name it. */
export interface GuardSettings {
  /** `host:port` values the Host header may carry (e.g. 127.0.0.1:8123, localhost:8123); empty: any (bound to a wildcard address, the token guards it) */
  readonly hosts: readonly string[];
  /** the token a request must carry (cookie, bearer header or ?token=), or null on 127.0.0.1 */
  readonly token: string | null;
}

export interface GuardRequest {
  readonly method: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly secFetchSite: string | undefined;
  readonly cookie: string | undefined;
  readonly authorization: string | undefined;
  /** the ?token= query parameter */
  readonly queryToken: string | undefined;
}

export type GuardVerdict =
  | { readonly ok: true; /** the token came in the query: set the cookie and drop it from the address */ readonly setCookie: boolean }
  | { readonly ok: false; readonly status: 401 | 403 | 405; readonly code: string; readonly message: string };

export const TOKEN_COOKIE = 'trove_ui_token';

/**
 * Decide whether a request may be served, before any route runs.
 *
 * - Host must be the server's own name: a DNS-rebinding page (evil.example
 *   resolving to 127.0.0.1) sends `Host: evil.example` and is refused.
 * - Origin, when sent, must be the server's own origin, and a browser's
 *   `Sec-Fetch-Site: cross-site` is refused: no other site can read or drive
 *   the UI from a user's browser.
 * - Only GET and HEAD: the UI is read-only (no write action is exposed yet),
 *   so there is nothing a forged POST could do; refusing them says so.
 * - With a token (any --host), every request carries it: a cookie the first
 *   visit sets from `?token=`, or `Authorization: Bearer`.
 */
export function checkRequest(req: GuardRequest, settings: GuardSettings): GuardVerdict {
  const host = (req.host ?? '').toLowerCase();
  if (settings.hosts.length > 0 && !settings.hosts.includes(host)) {
    return { ok: false, status: 403, code: 'HOST_REFUSED', message: `The Host header "${printable(req.host)}" is not this server's; requests must name ${settings.hosts[0]}.` };
  }
  if (req.origin !== undefined && req.origin !== 'null') {
    let originHost: string | null = null;
    try {
      const u = new URL(req.origin);
      originHost = u.protocol === 'http:' ? u.host.toLowerCase() : null;
    } catch {
      // an unparsable Origin matches no allowed host, so the request is refused below
      originHost = null;
    }
    const own = settings.hosts.length > 0 ? settings.hosts : [host];
    if (originHost === null || !own.includes(originHost)) {
      return { ok: false, status: 403, code: 'ORIGIN_REFUSED', message: `Requests from ${printable(req.origin)} are refused: only pages of this server may call it.` };
    }
  } else if (req.origin === 'null') {
    return { ok: false, status: 403, code: 'ORIGIN_REFUSED', message: 'Requests from an opaque origin (a sandboxed frame or a file) are refused.' };
  }
  if (req.secFetchSite === 'cross-site') {
    return { ok: false, status: 403, code: 'ORIGIN_REFUSED', message: 'Cross-site requests are refused.' };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { ok: false, status: 405, code: 'READ_ONLY', message: `${printable(req.method)} is not allowed: trove ui is read-only.` };
  }
  if (settings.token === null) return { ok: true, setCookie: false };
  if (req.queryToken !== undefined && same(req.queryToken, settings.token)) return { ok: true, setCookie: true };
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.authorization ?? '')?.[1];
  if (bearer !== undefined && same(bearer, settings.token)) return { ok: true, setCookie: false };
  const cookie = cookieValue(req.cookie, TOKEN_COOKIE);
  if (cookie !== undefined && same(cookie, settings.token)) return { ok: true, setCookie: false };
  return { ok: false, status: 401, code: 'TOKEN_REQUIRED', message: 'This trove ui needs the token it printed at start-up: open the address it printed (with ?token=…).' };
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Constant-time comparison, so the token cannot be guessed a byte at a time from response times. */
function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function printable(s: string | undefined): string {
  return (s ?? '(none)').replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
}
