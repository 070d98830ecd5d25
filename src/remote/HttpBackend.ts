import { TroveError } from '../errors/index.js';
import type { Backend, BackendOptions, Body, ByteRange, RemoteEntry } from './Backend.js';
import { checkKey } from './checkKey.js';
import { classifyHttpFailure } from './classifyHttpFailure.js';
import { RemoteSettings } from './remoteSettings.js';
import { parseRemoteUrl, redactUrl } from './remoteUrl.js';

/** Idle time allowed before the first byte and between two chunks of a body; a stalled link is then a retryable error. */
const DEFAULT_TIMEOUT_MS = 60_000;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const TLS_CODE = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/**
 * A read-only remote served over HTTP(S): any static file server, CDN or
 * public bucket URL in front of a remote that trove pushes to by another
 * route. It cannot list, so readers use the published packs.list instead.
 * Extra request headers (a bearer token, basic auth) come from the remote's
 * settings and are never put into a message.
 */
export class HttpBackend implements Backend {
  readonly readOnly = true;
  readonly canList = false;
  readonly display: string;

  private constructor(
    private readonly base: string,
    private readonly query: string,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly timeoutMs: number,
    private readonly name: string,
    display: string,
  ) {
    this.display = display;
  }

  static async open(options: BackendOptions): Promise<HttpBackend> {
    const parsed = parseRemoteUrl(options.url, options.baseDir);
    const u = new URL(options.url);
    const settings = new RemoteSettings(options.name, options.settings);
    const headers = headerSetting(settings);
    // fetch refuses URLs with credentials in them; user:password@ means basic auth.
    if ((u.username || u.password) && headers.authorization === undefined) {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
    }
    const timeoutMs = settings.durationMs('timeout_ms') ?? DEFAULT_TIMEOUT_MS;
    // A query string on the base URL (an access token some servers accept there) goes on every request.
    return new HttpBackend(parsed.base!, u.search, headers, timeoutMs, options.name, redactUrl(options.url));
  }

  private url(key: string): string {
    return `${this.base}${checkKey(key).split('/').map(encodeURIComponent).join('/')}${this.query}`;
  }

  async stat(key: string): Promise<number | undefined> {
    const head = await this.send('HEAD', key);
    if (head.status === 404 || head.status === 410) return undefined;
    if (!isOk(head.status)) throw this.statusError(head, 'reading', key);
    const length = head.headers.get('content-length');
    if (length !== null && /^[0-9]+$/.test(length)) return Number(length);
    // Some dynamic servers omit the length on HEAD: one byte's Content-Range carries the total.
    const probe = await this.send('GET', key, { start: 0, end: 1 });
    if (probe.status === 416) return 0;
    const total = /\/([0-9]+)$/.exec(probe.headers.get('content-range') ?? '');
    if (probe.status === 206 && total) return Number(total[1]);
    if (!isOk(probe.status)) throw this.statusError(probe, 'reading', key);
    throw new TroveError('REMOTE', `${this.where} does not say how large ${key} is (no Content-Length or Content-Range).`, { hint: 'Serve the remote with a static file server that sends Content-Length.' });
  }

  async get(key: string, range?: ByteRange): Promise<Buffer> {
    if (range && range.end <= range.start) {
      // An HTTP range cannot be empty; still report a missing key as missing.
      if ((await this.stat(key)) === undefined) throw this.statusError({ status: 404 }, 'reading', key);
      return Buffer.alloc(0);
    }
    const reply = await this.send('GET', key, range);
    if (reply.status === 416 && range) return Buffer.alloc(0); // past the end, as a short file read would be
    if (!isOk(reply.status)) throw this.statusError(reply, 'reading', key);
    if (range && reply.status === 206) {
      const m = /^bytes ([0-9]+)-/.exec(reply.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== range.start) {
        throw new TroveError('REMOTE', `${this.where} answered a request for bytes ${range.start}-${range.end - 1} of ${key} with other bytes (${reply.headers.get('content-range') ?? 'no Content-Range'}).`);
      }
    }
    return reply.body;
  }

  async put(key: string, _body: Body): Promise<void> {
    checkKey(key);
    throw this.readOnlyError('write', key);
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    throw this.readOnlyError('delete', key);
  }

  async list(_prefix: string): Promise<RemoteEntry[]> {
    throw new TroveError('USAGE', `${this.where} cannot be listed over HTTP.`, { hint: 'Read the published packs.list instead (the transfer code does this when canList is false).' });
  }

  /** Connections belong to Node's shared fetch pool. */
  async close(): Promise<void> {}

  private get where(): string {
    return `the remote "${this.name}" (${this.display})`;
  }

  private readOnlyError(doing: string, key: string): TroveError {
    return new TroveError('PERMISSION', `Cannot ${doing} ${key}: HTTP remotes are read-only; push to the storage behind it (${this.where}).`, {
      hint: 'Add the bucket or directory that this URL serves as another remote and push there.',
    });
  }

  /**
   * One request. The timer bounds the wait for headers and every pause inside
   * the body; for a range answered with 200 (a server without Range support)
   * only the wanted slice is kept and the rest of the stream is dropped.
   */
  private async send(method: 'GET' | 'HEAD', key: string, range?: ByteRange): Promise<Reply> {
    const url = this.url(key);
    const headers = new Headers(this.headers);
    // Ranges count stored bytes; a compressed answer would shift them.
    headers.set('accept-encoding', 'identity');
    if (range) headers.set('range', `bytes=${range.start}-${range.end - 1}`);
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.timeoutMs);
    };
    arm();
    try {
      const res = await fetch(url, { method, headers, signal: controller.signal, redirect: 'follow' });
      if (method === 'HEAD' || !isOk(res.status) || !res.body) {
        await res.body?.cancel().catch(() => undefined); // only releases the connection; the status is returned below
        return { status: res.status, headers: res.headers, body: Buffer.alloc(0) };
      }
      const skip = range && res.status === 200 ? range.start : 0;
      const limit = range ? range.end - range.start : Infinity;
      const parts: Buffer[] = [];
      let seen = 0;
      let kept = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        arm();
        const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        const from = Math.max(0, skip - seen);
        seen += buf.length;
        if (from >= buf.length) continue;
        const piece = buf.subarray(from, from + (limit - kept));
        parts.push(piece);
        kept += piece.length;
        if (kept >= limit) break; // leaving the loop cancels the rest of the body
      }
      return { status: res.status, headers: res.headers, body: Buffer.concat(parts, kept) };
    } catch (err) {
      throw this.networkError(err, timedOut, key);
    } finally {
      clearTimeout(timer);
    }
  }

  private statusError(reply: { status: number; headers?: Headers }, doing: string, key: string): TroveError {
    const { status } = reply;
    const verdict = classifyHttpFailure({ status, retryAfter: reply.headers?.get('retry-after') });
    if (verdict.code === 'AUTH') {
      return new TroveError('AUTH', `${this.where} refused ${doing} ${key} (HTTP ${status}).`, {
        hint: `If the server wants a token or password, add it under remotes.${this.name}.headers in .trove/config.local.yaml (for example Authorization: Bearer TOKEN).`,
        data: { status },
      });
    }
    if (verdict.code === 'NOT_FOUND') {
      return new TroveError('NOT_FOUND', `${key} is not on ${this.where}.`, { hint: 'Push it to the storage behind this URL from a clone that has it.', data: { key } });
    }
    const { retryable, retryAfterMs } = verdict;
    return new TroveError('REMOTE', `${this.where} answered HTTP ${status} while ${doing} ${key}.`, { retryable, data: retryAfterMs === undefined ? { status } : { status, retryAfterMs } });
  }

  private networkError(err: unknown, timedOut: boolean, key: string): TroveError {
    if (err instanceof TroveError) return err;
    if (timedOut) return new TroveError('REMOTE', `No answer from ${this.where} for ${this.timeoutMs} ms while reading ${key}.`, { retryable: true, cause: err, hint: `Raise remotes.${this.name}.timeout_ms if the server is just slow.` });
    const code = causeCode(err);
    if (code && TLS_CODE.test(code)) {
      return new TroveError('REMOTE', `TLS failed for ${this.where} (${code}) while reading ${key}.`, { cause: err, hint: 'For a private certificate authority, point NODE_EXTRA_CA_CERTS at its certificate.' });
    }
    // fetch reports every transport failure as "fetch failed" / "terminated"; all of them are worth another try.
    const { retryable } = classifyHttpFailure({ code, transport: /fetch failed|terminated|other side closed/i.test(String((err as Error)?.message)) });
    return new TroveError('REMOTE', `Cannot reach ${this.where}${code ? ` (${code})` : ''} while reading ${key}.`, { retryable, cause: err });
  }
}

function isOk(status: number): boolean {
  return status >= 200 && status < 300;
}

function causeCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string') return e.code;
    // A host with several addresses fails with an AggregateError of per-address errors.
    const first = Array.isArray(e.errors) ? (e.errors[0] as { code?: unknown } | undefined) : undefined;
    if (typeof first?.code === 'string') return first.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** headers: a mapping from config.local.yaml. Messages name the setting, never a value. */
function headerSetting(settings: RemoteSettings): Record<string, string> {
  const value = settings.raw('headers');
  if (value === undefined || value === null) return {};
  const bad = (want: string): never => {
    throw settings.invalid('headers', want, undefined, 'Write it as a mapping in .trove/config.local.yaml, e.g. headers: { Authorization: "Bearer TOKEN" }.');
  };
  if (typeof value !== 'object' || Array.isArray(value)) bad('a mapping of header names to values');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!HEADER_NAME.test(k)) bad('a mapping whose keys are header names');
    if (typeof v !== 'string' && typeof v !== 'number') bad(`a mapping of header names to text (${k} is not)`);
    if (/[\r\n\0]/.test(String(v))) bad(`a mapping of header names to one-line values (${k} has a line break)`);
    out[k.toLowerCase()] = String(v);
  }
  return out;
}
