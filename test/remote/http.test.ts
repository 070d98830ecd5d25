import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, promises as fsp, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isTroveError, type TroveError } from '../../src/errors/index.js';
import { bufferBody } from '../../src/remote/Backend.js';
import { HttpBackend } from '../../src/remote/HttpBackend.js';
import { openBackend } from '../../src/remote/openBackend.js';

/**
 * A static file server for one directory on 127.0.0.1. The first path segment
 * picks a behaviour, so one server covers every case:
 *   /files/…     GET/HEAD with single-range support (206 / 416)
 *   /norange/…   ignores Range and always sends the whole file (200)
 *   /nolength/…  HEAD without Content-Length (some dynamic servers)
 *   /secure/…    like /files but 401 unless Authorization is "Bearer s3cret" or basic me:pw
 *   /busy/…      503 with Retry-After: 3;  /busydate/… the same as an HTTP date
 *   /stall/…     accepts the request and never answers
 */
const root = mkdtempSync(join(tmpdir(), 'trove-http-'));
const data = randomBytes(200_000);
mkdirSync(join(root, 'packs'), { recursive: true });
writeFileSync(join(root, 'packs', 'a.pack'), data);
writeFileSync(join(root, 'packs.list'), 'a\n');
writeFileSync(join(root, 'with space.bin'), 'spaced');
writeFileSync(join(root, 'empty'), '');

const stalled: ServerResponse[] = [];
const server = createServer((req, res) => {
  serve(req, res).catch(() => res.destroy());
});

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const [mode, ...rest] = url.pathname.split('/').slice(1);
  if (mode === 'stall') return void stalled.push(res);
  if (mode === 'busy' || mode === 'busydate') {
    res.writeHead(503, { 'Retry-After': mode === 'busy' ? '3' : new Date(Date.now() + 10_000).toUTCString() });
    return void res.end('busy');
  }
  if (mode === 'secure' && req.headers.authorization !== 'Bearer s3cret' && req.headers.authorization !== `Basic ${Buffer.from('me:pw').toString('base64')}`) {
    res.writeHead(401, { 'WWW-Authenticate': 'Bearer' });
    return void res.end('no');
  }
  let body: Buffer;
  try {
    body = await fsp.readFile(join(root, ...rest.map(decodeURIComponent)));
  } catch {
    res.writeHead(404);
    return void res.end('not found');
  }
  if (req.method === 'HEAD') {
    res.writeHead(200, mode === 'nolength' ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(body.length) });
    return void res.end();
  }
  const range = /^bytes=([0-9]+)-([0-9]*)$/.exec(req.headers.range ?? '');
  if (range && mode !== 'norange') {
    const start = Number(range[1]);
    const end = range[2] === '' ? body.length - 1 : Math.min(Number(range[2]), body.length - 1);
    if (start >= body.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` });
      return void res.end();
    }
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${body.length}`, 'Content-Length': String(end - start + 1) });
    return void res.end(body.subarray(start, end + 1));
  }
  res.writeHead(200, { 'Content-Length': String(body.length) });
  res.end(body);
}

await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(async () => {
  for (const r of stalled) r.destroy();
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
  rmSync(root, { recursive: true, force: true });
});

function open(path: string, settings: Record<string, unknown> = {}, base = origin): Promise<HttpBackend> {
  return HttpBackend.open({ name: 'cdn', url: `${base}/${path}`, settings, env: {} });
}

test('http: stat, whole gets and ranges return the served bytes', async () => {
  const b = await open('files/');
  assert.equal(b.readOnly, true);
  assert.equal(b.canList, false);
  assert.equal(await b.stat('packs/a.pack'), data.length);
  assert.equal(await b.stat('packs/none.pack'), undefined);
  assert.equal(await b.stat('empty'), 0);
  assert.deepEqual(await b.get('packs/a.pack'), data);
  assert.deepEqual(await b.get('packs/a.pack', { start: 10, end: 20 }), data.subarray(10, 20));
  assert.deepEqual(await b.get('packs/a.pack', { start: 199_990, end: 200_000 }), data.subarray(199_990));
  assert.deepEqual(await b.get('packs/a.pack', { start: 0, end: 1 }), data.subarray(0, 1));
  assert.equal((await b.get('packs/a.pack', { start: 5, end: 5 })).length, 0);
  assert.equal((await b.get('packs/a.pack', { start: 300_000, end: 300_010 })).length, 0, 'past the end reads nothing, as from a file');
  assert.equal((await b.get('packs.list')).toString(), 'a\n');
  assert.equal((await b.get('with space.bin')).toString(), 'spaced', 'keys are percent-encoded');
  await b.close();
});

test('http: a server that ignores Range answers 200 and the backend slices the range out', async () => {
  const b = await open('norange');
  assert.deepEqual(await b.get('packs/a.pack', { start: 100_000, end: 100_010 }), data.subarray(100_000, 100_010));
  assert.deepEqual(await b.get('packs/a.pack', { start: 0, end: 3 }), data.subarray(0, 3));
});

test('http: a HEAD without Content-Length falls back to a one-byte range', async () => {
  const b = await open('nolength');
  assert.equal(await b.stat('packs/a.pack'), data.length);
});

test('http: a missing key is NOT_FOUND naming the key and the remote', async () => {
  const b = await open('files');
  await assert.rejects(b.get('packs/none.idx'), (e: TroveError) => isTroveError(e, 'NOT_FOUND') && /packs\/none\.idx is not on the remote "cdn" \(http:\/\/127\.0\.0\.1:[0-9]+\/files\)/.test(e.message));
  await assert.rejects(b.get('packs/none.idx', { start: 0, end: 0 }), (e: TroveError) => isTroveError(e, 'NOT_FOUND'));
});

test('http: the remote is read-only and cannot list; unsafe keys are refused first', async () => {
  const b = await open('files');
  await assert.rejects(b.put('k', bufferBody(Buffer.from('x'))), (e: TroveError) => isTroveError(e, 'PERMISSION') && /HTTP remotes are read-only; push to the storage behind it/.test(e.message));
  await assert.rejects(b.delete('k'), (e: TroveError) => isTroveError(e, 'PERMISSION'));
  await assert.rejects(b.list('packs/'), (e: TroveError) => isTroveError(e, 'USAGE') && /packs\.list/.test(e.hint ?? ''));
  await assert.rejects(b.get('../secret'), (e: TroveError) => isTroveError(e, 'UNSAFE_PATH'));
  await assert.rejects(b.put('a/../../x', bufferBody(Buffer.from('x'))), (e: TroveError) => isTroveError(e, 'UNSAFE_PATH'));
});

test('http: 401 without the header is AUTH; the configured header gets in and is never shown', async () => {
  const bare = await open('secure');
  await assert.rejects(bare.get('packs.list'), (e: TroveError) => isTroveError(e, 'AUTH') && /headers/.test(e.hint ?? ''));
  await assert.rejects(bare.stat('packs.list'), (e: TroveError) => isTroveError(e, 'AUTH'));
  const wrong = await open('secure', { headers: { Authorization: 'Bearer wrong-token' } });
  await assert.rejects(wrong.get('packs.list'), (e: TroveError) => {
    assert.ok(isTroveError(e, 'AUTH'));
    assert.doesNotMatch(`${e.message} ${e.hint} ${JSON.stringify(e.toJSON())}`, /wrong-token/);
    return true;
  });
  const good = await open('secure', { headers: { Authorization: 'Bearer s3cret' } });
  assert.equal((await good.get('packs.list')).toString(), 'a\n');
  assert.equal(await good.stat('packs/a.pack'), data.length);
});

test('http: user:password in the URL is basic auth and is redacted from display', async () => {
  const b = await open('secure', {}, origin.replace('http://', 'http://me:pw@'));
  assert.doesNotMatch(b.display, /pw/);
  assert.equal((await b.get('packs.list')).toString(), 'a\n');
});

test('http: bad settings are CONFIG errors that do not echo header values', async () => {
  await assert.rejects(open('files', { headers: 'Authorization: Bearer hunter2' }), (e: TroveError) => isTroveError(e, 'CONFIG') && !/hunter2/.test(e.message));
  await assert.rejects(open('files', { headers: { Authorization: 'Bearer hunter2\r\nX-Evil: 1' } }), (e: TroveError) => isTroveError(e, 'CONFIG') && !/hunter2/.test(e.message));
  await assert.rejects(open('files', { timeout_ms: -5 }), (e: TroveError) => isTroveError(e, 'CONFIG'));
});

test('http: 503 with Retry-After is retryable with retryAfterMs (seconds or an HTTP date)', async () => {
  const b = await open('busy');
  await assert.rejects(b.get('packs.list'), (e: TroveError) => {
    assert.ok(isTroveError(e, 'REMOTE') && e.retryable, e.message);
    assert.equal(e.data?.retryAfterMs, 3000);
    return true;
  });
  await assert.rejects(b.stat('packs.list'), (e: TroveError) => isTroveError(e, 'REMOTE') && e.retryable && e.data?.retryAfterMs === 3000);
  const d = await open('busydate');
  await assert.rejects(d.get('packs.list'), (e: TroveError) => {
    const ms = Number(e.data?.retryAfterMs);
    assert.ok(e.retryable && ms > 5_000 && ms <= 10_000, `retryAfterMs ${ms}`);
    return true;
  });
});

test('http: an unreachable server and a stalled one are retryable REMOTE errors', async () => {
  const probe = createTcpServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((ok) => probe.close(ok));
  const down = await open('files', {}, `http://127.0.0.1:${port}`);
  await assert.rejects(down.stat('k'), (e: TroveError) => isTroveError(e, 'REMOTE') && e.retryable && /the remote "cdn"/.test(e.message));
  await assert.rejects(down.get('k'), (e: TroveError) => isTroveError(e, 'REMOTE') && e.retryable);
  const slow = await open('stall', { timeout_ms: 200 });
  const t0 = Date.now();
  await assert.rejects(slow.get('k'), (e: TroveError) => isTroveError(e, 'REMOTE') && e.retryable && /200 ms/.test(e.message));
  assert.ok(Date.now() - t0 < 5_000);
});

test('http: openBackend loads the HTTP backend for http(s):// URLs', async () => {
  const b = await openBackend({ name: 'cdn', url: `${origin}/files/`, settings: {}, env: {} });
  assert.ok(b instanceof HttpBackend);
  assert.equal(await b.stat('packs.list'), 2);
});

