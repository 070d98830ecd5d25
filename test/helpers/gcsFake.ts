import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-memory fake of the Google Cloud Storage JSON API on 127.0.0.1, just
 * enough for the real @google-cloud/storage SDK to run trove's GcsBackend
 * against it (point the SDK's apiEndpoint at `endpoint`).
 *
 * It emulates:
 *   - objects.insert: uploadType=media, uploadType=multipart (JSON metadata +
 *     data, multipart/related), and the resumable flow: POST
 *     ?uploadType=resumable answers with a session URI in Location; PUTs with
 *     Content-Range append chunks and get 308 + Range until the last byte,
 *     then 200 + the object resource. Non-final chunks must be multiples of
 *     256 KiB, a re-sent overlap is skipped, a gap is 400, the total must match
 *     X-Upload-Content-Length, and an X-Goog-Hash the client sends is checked.
 *     An object becomes visible only when its upload completes (readers never
 *     see a part); the last upload to finish wins.
 *   - objects.get (metadata) and ?alt=media with a single Range (206 /
 *     416), with x-goog-hash (crc32c, md5) so the SDK validates whole reads.
 *   - objects.list with prefix and pageToken pagination, at most 1000 items
 *     (or maxResults) per page, in name order.
 *   - objects.delete; 404 bodies worded as GCS words them ("No such object",
 *     "The specified bucket does not exist."), for unknown buckets too.
 *   - an optional bearer token: with `requireToken` set, a request without
 *     exactly that token gets 401 (resumable session PUTs are exempt, as the
 *     session URI is the credential on the real service).
 *   - injected failures (failNext) with an optional Retry-After.
 *
 * It does not emulate: real OAuth (any token string is compared verbatim),
 * IAM / ACLs / predefinedAcl, preconditions (ifGenerationMatch…), generations
 * and versioning beyond a counter, list delimiter / prefixes / startOffset
 * (delimiter answers 501), the `fields` projection (always full resources),
 * gzip transcoding, customer-supplied or KMS encryption, compose / copy /
 * rewrite, bucket and HMAC APIs (buckets are made with createBucket), signed
 * URLs, XML API, rate limits, consistency delays, or session expiry.
 */
export interface GcsFake {
  /** for the SDK's apiEndpoint */
  readonly endpoint: string;
  /** requests received since start (tests check the SDK did not retry on its own) */
  readonly requests: number;
  /** when set, requests must carry `Authorization: Bearer <requireToken>` */
  requireToken: string | undefined;
  createBucket(name: string): void;
  /** the stored bytes of a bucket's objects, for assertions */
  objects(bucket: string): ReadonlyMap<string, Buffer>;
  /** answer the next `times` requests (default 1) with `status` instead of serving them */
  failNext(status: number, options?: { times?: number; retryAfter?: string }): void;
  close(): Promise<void>;
}

interface StoredObject {
  readonly data: Buffer;
  readonly generation: number;
  readonly contentType: string;
  readonly cacheControl?: string;
  readonly crc32c: string;
  readonly md5: string;
  readonly updated: string;
}

interface Session {
  readonly bucket: string;
  readonly name: string;
  readonly meta: Record<string, unknown>;
  readonly declaredSize?: number;
  readonly parts: Buffer[];
  received: number;
  done?: Record<string, unknown>;
}

const PAGE = 1000;
const QUANTUM = 256 * 1024;

export async function startGcsFake(): Promise<GcsFake> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  const sessions = new Map<string, Session>();
  let generation = 1;
  let requests = 0;
  const failures: { status: number; retryAfter?: string }[] = [];
  let endpoint = '';

  const resource = (bucket: string, name: string, o: StoredObject): Record<string, unknown> => ({
    kind: 'storage#object',
    id: `${bucket}/${name}/${o.generation}`,
    selfLink: `${endpoint}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}`,
    name,
    bucket,
    generation: String(o.generation),
    metageneration: '1',
    contentType: o.contentType,
    ...(o.cacheControl ? { cacheControl: o.cacheControl } : {}),
    storageClass: 'STANDARD',
    size: String(o.data.length),
    md5Hash: o.md5,
    crc32c: o.crc32c,
    etag: `CI${o.generation}`,
    timeCreated: o.updated,
    updated: o.updated,
  });

  const store = (bucket: string, name: string, data: Buffer, meta: Record<string, unknown>): Record<string, unknown> => {
    const o: StoredObject = {
      data,
      generation: generation++,
      contentType: typeof meta.contentType === 'string' ? meta.contentType : 'application/octet-stream',
      cacheControl: typeof meta.cacheControl === 'string' ? meta.cacheControl : undefined,
      crc32c: crc32cBase64(data),
      md5: createHash('md5').update(data).digest('base64'),
      updated: new Date().toISOString(),
    };
    buckets.get(bucket)!.set(name, o);
    return resource(bucket, name, o);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://fake');
    const q = url.searchParams;
    const seg = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const body = await readAll(req);
    const injected = failures.shift();
    if (injected) {
      return sendError(res, injected.status, injected.status === 429 ? 'rateLimitExceeded' : 'backendError', `Injected failure ${injected.status}.`, injected.retryAfter ? { 'Retry-After': injected.retryAfter } : {});
    }
    const isSessionPut = req.method === 'PUT' && seg[0] === 'upload' && q.has('upload_id');
    if (fake.requireToken !== undefined && !isSessionPut && req.headers.authorization !== `Bearer ${fake.requireToken}`) {
      return sendError(res, 401, 'authError', 'Invalid Credentials', { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' });
    }

    // /storage/v1/b/{bucket}/o[/{object}]  and  /upload/storage/v1/b/{bucket}/o
    const upload = seg[0] === 'upload';
    const s = upload ? seg.slice(1) : seg;
    if (s[0] !== 'storage' || s[1] !== 'v1' || s[2] !== 'b' || !s[3]) return sendError(res, 404, 'notFound', `Not Found: ${url.pathname}`);
    const bucketName = s[3];
    const bucket = buckets.get(bucketName);
    if (!bucket) return sendError(res, 404, 'notFound', 'The specified bucket does not exist.');
    if (s.length === 4 && req.method === 'GET' && !upload) return sendJson(res, 200, { kind: 'storage#bucket', id: bucketName, name: bucketName });
    if (s[4] !== 'o' || s.length > 6) return sendError(res, 404, 'notFound', `Not Found: ${url.pathname}`);
    const objectName = s[5];

    if (upload) {
      if (req.method === 'PUT' && q.has('upload_id')) return resumePut(req, res, q.get('upload_id')!, body);
      if (req.method !== 'POST') return sendError(res, 405, 'methodNotAllowed', 'Method not allowed.');
      const type = q.get('uploadType');
      if (type === 'media') {
        const name = q.get('name');
        if (!name) return sendError(res, 400, 'required', 'Required parameter: name');
        return sendJson(res, 200, store(bucketName, name, body, { contentType: req.headers['content-type'] }));
      }
      if (type === 'multipart') {
        const parts = parseMultipart(req.headers['content-type'] ?? '', body);
        if (!parts || parts.length !== 2) return sendError(res, 400, 'invalid', 'Malformed multipart body.');
        const meta = JSON.parse(parts[0]!.toString('utf8') || '{}') as Record<string, unknown>;
        const name = q.get('name') ?? (typeof meta.name === 'string' ? meta.name : undefined);
        if (!name) return sendError(res, 400, 'required', 'Required parameter: name');
        const mismatch = checkHashes(parts[1]!, { crc32c: meta.crc32c, md5: meta.md5Hash });
        if (mismatch) return sendError(res, 400, 'invalid', mismatch);
        return sendJson(res, 200, store(bucketName, name, parts[1]!, meta));
      }
      if (type === 'resumable') {
        const name = q.get('name');
        if (!name) return sendError(res, 400, 'required', 'Required parameter: name');
        const id = randomBytes(12).toString('hex');
        const declared = req.headers['x-upload-content-length'];
        const meta = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        const contentType = req.headers['x-upload-content-type'];
        sessions.set(id, { bucket: bucketName, name, meta: { ...meta, ...(contentType ? { contentType } : {}) }, declaredSize: declared === undefined ? undefined : Number(declared), parts: [], received: 0 });
        res.writeHead(200, { Location: `${endpoint}/upload/storage/v1/b/${encodeURIComponent(bucketName)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`, 'Content-Length': '0' });
        return void res.end();
      }
      return sendError(res, 400, 'invalid', `Unsupported uploadType ${type}.`);
    }

    if (objectName === undefined) {
      if (req.method !== 'GET') return sendError(res, 405, 'methodNotAllowed', 'Method not allowed.');
      if (q.has('delimiter') || q.has('startOffset') || q.has('endOffset') || q.has('matchGlob')) return sendError(res, 501, 'notImplemented', 'The GCS fake does not emulate this list parameter.');
      const prefix = q.get('prefix') ?? '';
      const after = q.get('pageToken') ? Buffer.from(q.get('pageToken')!, 'base64url').toString('utf8') : undefined;
      const max = Math.min(PAGE, Number(q.get('maxResults') ?? PAGE) || PAGE);
      const names = [...bucket.keys()].filter((n) => n.startsWith(prefix) && (after === undefined || n > after)).sort();
      const page = names.slice(0, max);
      const out: Record<string, unknown> = { kind: 'storage#objects', items: page.map((n) => resource(bucketName, n, bucket.get(n)!)) };
      if (names.length > max) out.nextPageToken = Buffer.from(page[page.length - 1]!).toString('base64url');
      return sendJson(res, 200, out);
    }

    const obj = bucket.get(objectName);
    if (req.method === 'DELETE') {
      if (!obj) return sendError(res, 404, 'notFound', `No such object: ${bucketName}/${objectName}`);
      bucket.delete(objectName);
      res.writeHead(204);
      return void res.end();
    }
    if (req.method !== 'GET') return sendError(res, 405, 'methodNotAllowed', 'Method not allowed.');
    if (!obj) return sendError(res, 404, 'notFound', `No such object: ${bucketName}/${objectName}`);
    if (q.get('alt') !== 'media') return sendJson(res, 200, resource(bucketName, objectName, obj));
    return sendMedia(req, res, obj);
  };

  const resumePut = (req: IncomingMessage, res: ServerResponse, id: string, body: Buffer): void => {
    const sess = sessions.get(id);
    if (!sess) return sendError(res, 404, 'notFound', 'No such upload session.');
    if (sess.done) return sendJson(res, 200, sess.done);
    // bytes a-b/T, bytes a-*/T (the rest of the object in this request), bytes */T (status query); T may be *
    const m = /^bytes (?:(\*)|([0-9]+)-([0-9]+|\*))\/([0-9]+|\*)$/.exec(String(req.headers['content-range'] ?? ''));
    if (!m) return sendError(res, 400, 'invalid', 'Bad Content-Range.');
    const total = m[4] === '*' ? sess.declaredSize : Number(m[4]);
    if (sess.declaredSize !== undefined && total !== sess.declaredSize) return sendError(res, 400, 'invalid', 'Content-Range total differs from X-Upload-Content-Length.');
    if (!m[1]) {
      const start = Number(m[2]);
      const streamed = m[3] === '*';
      if (!streamed && body.length !== Number(m[3]) - start + 1) return sendError(res, 400, 'invalid', 'Content-Range does not match the body length.');
      if (start > sess.received) return sendError(res, 400, 'invalid', `Gap in upload: have ${sess.received} bytes, chunk starts at ${start}.`);
      const fresh = body.subarray(sess.received - start);
      const last = streamed || (total !== undefined && start + body.length >= total);
      if (!last && body.length % QUANTUM !== 0) return sendError(res, 400, 'invalid', 'Non-final chunks must be a multiple of 256 KiB.');
      sess.parts.push(fresh);
      sess.received += fresh.length;
      if (streamed && total === undefined) return finish(req, res, sess);
    }
    if (total !== undefined && sess.received > total) return sendError(res, 400, 'invalid', 'More bytes than the declared size.');
    if (total !== undefined && sess.received === total) return finish(req, res, sess);
    res.writeHead(308, sess.received > 0 ? { Range: `bytes=0-${sess.received - 1}`, 'Content-Length': '0' } : { 'Content-Length': '0' });
    res.end();
  };

  const finish = (req: IncomingMessage, res: ServerResponse, sess: Session): void => {
    const data = Buffer.concat(sess.parts);
    const mismatch = checkHashes(data, parseGoogHash(req.headers['x-goog-hash']));
    if (mismatch) return sendError(res, 400, 'invalid', mismatch);
    if (!buckets.has(sess.bucket)) return sendError(res, 404, 'notFound', 'The specified bucket does not exist.');
    sess.done = store(sess.bucket, sess.name, data, sess.meta);
    sendJson(res, 200, sess.done);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'internalError', `GCS fake: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: GcsFake = {
    endpoint,
    get requests() {
      return requests;
    },
    requireToken: undefined,
    createBucket(name) {
      if (!buckets.has(name)) buckets.set(name, new Map());
    },
    objects(bucket) {
      return new Map([...(buckets.get(bucket) ?? new Map<string, StoredObject>())].map(([k, o]) => [k, o.data]));
    },
    failNext(status, options = {}) {
      for (let i = 0; i < (options.times ?? 1); i++) failures.push({ status, retryAfter: options.retryAfter });
    },
    close() {
      server.closeAllConnections();
      return new Promise((ok) => server.close(() => ok()));
    },
  };
  return fake;
}

function sendMedia(req: IncomingMessage, res: ServerResponse, o: StoredObject): void {
  const headers: Record<string, string> = {
    'Content-Type': o.contentType,
    'x-goog-hash': `crc32c=${o.crc32c},md5=${o.md5}`,
    'x-goog-generation': String(o.generation),
    'x-goog-stored-content-encoding': 'identity',
    'x-goog-stored-content-length': String(o.data.length),
    'Accept-Ranges': 'bytes',
  };
  const range = req.headers.range;
  if (!range) {
    res.writeHead(200, { ...headers, 'Content-Length': String(o.data.length) });
    return void res.end(o.data);
  }
  const size = o.data.length;
  const m = /^bytes=([0-9]*)-([0-9]*)$/.exec(range);
  if (!m || (m[1] === '' && m[2] === '')) return sendError(res, 400, 'invalid', 'Bad Range header.');
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) {
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Type': 'application/json; charset=utf-8' });
    return void res.end(JSON.stringify({ error: { code: 416, message: 'The requested range cannot be satisfied.', errors: [{ domain: 'global', reason: 'requestedRangeNotSatisfiable', message: 'The requested range cannot be satisfied.' }] } }));
  }
  res.writeHead(206, { ...headers, 'Content-Length': String(end - start + 1), 'Content-Range': `bytes ${start}-${end}/${size}` });
  res.end(o.data.subarray(start, end + 1));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, reason: string, message: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify({ error: { code: status, message, errors: [{ domain: 'global', reason, message }] } });
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

/** The bodies of a multipart/related request, in order. */
function parseMultipart(contentType: string, body: Buffer): Buffer[] | undefined {
  const b = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!/^multipart\/related/i.test(contentType) || !b) return undefined;
  const delim = Buffer.from(`--${b}`);
  const out: Buffer[] = [];
  let at = body.indexOf(delim);
  while (at !== -1) {
    const from = at + delim.length;
    if (body.subarray(from, from + 2).toString() === '--') break;
    const next = body.indexOf(Buffer.from(`\r\n--${b}`), from);
    if (next === -1) return undefined;
    const part = body.subarray(from + 2, next); // skip the CRLF after the delimiter
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) return undefined;
    out.push(part.subarray(split + 4));
    at = next + 2;
  }
  return out;
}

function parseGoogHash(header: string | string[] | undefined): { crc32c?: unknown; md5?: unknown } {
  const out: Record<string, string> = {};
  for (const pair of String(header ?? '').split(',')) {
    const i = pair.indexOf('=');
    if (i > 0) out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return { crc32c: out.crc32c, md5: out.md5 };
}

function checkHashes(data: Buffer, want: { crc32c?: unknown; md5?: unknown }): string | undefined {
  if (typeof want.crc32c === 'string' && want.crc32c !== crc32cBase64(data)) return 'Provided CRC32C "' + want.crc32c + '" doesn\'t match calculated CRC32C.';
  if (typeof want.md5 === 'string' && want.md5 !== createHash('md5').update(data).digest('base64')) return 'Provided MD5 hash doesn\'t match calculated MD5 hash.';
  return undefined;
}

/** CRC32C (Castagnoli), big-endian and base64 as GCS reports it; written out so the fake does not trust the SDK's own. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32cBase64(data: Uint8Array): string {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}
