import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { checkRequest } from '../../src/server/requestGuard.js';
import { browserPath } from '../../src/server/browserPath.js';
import { createTmpRepo, type TmpRepo } from '../helpers/tmpRepo.js';
import { startUiServer, type RunningUi } from '../helpers/uiServer.js';

/** A raw HTTP GET with exactly these headers (fetch would not let a test forge Host). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('trove ui: the server and its request guard', () => {
  let repo: TmpRepo;
  let ui: RunningUi;
  before(async () => {
    repo = createTmpRepo({ init: true });
    ui = await startUiServer(repo.dir);
  });
  after(async () => {
    await ui.stop();
    repo.cleanup();
  });

  test('serves the app and /api/overview on 127.0.0.1 with no token', async () => {
    assert.match(ui.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(ui.token, null);
    const page = await get(ui.port, '/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="module" src="\/app\.js">/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    const ov = await get(ui.port, '/api/overview');
    assert.equal(ov.status, 200);
    assert.equal(JSON.parse(ov.body).name.length > 0, true);
    assert.equal(ov.headers['cache-control'], 'no-store');
  });

  test('a request whose Host is another name (DNS rebinding) is refused with 403', async () => {
    const res = await get(ui.port, '/api/overview', { Host: 'evil.example' });
    assert.equal(res.status, 403);
    assert.equal(JSON.parse(res.body).error.code, 'HOST_REFUSED');
    const same = await get(ui.port, '/api/overview', { Host: `localhost:${ui.port}` });
    assert.equal(same.status, 200);
    const otherPort = await get(ui.port, '/api/overview', { Host: `127.0.0.1:${ui.port + 1}` });
    assert.equal(otherPort.status, 403);
  });

  test('a cross-site request (foreign Origin, opaque origin, Sec-Fetch-Site) is refused with 403', async () => {
    for (const headers of [{ Origin: 'http://evil.example' } as Record<string, string>, { Origin: `https://127.0.0.1:${ui.port}` }, { Origin: 'null' }, { 'Sec-Fetch-Site': 'cross-site' }]) {
      const res = await get(ui.port, '/api/overview', headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(JSON.parse(res.body).error.code, 'ORIGIN_REFUSED');
    }
    const own = await get(ui.port, '/api/overview', { Origin: `http://127.0.0.1:${ui.port}` });
    assert.equal(own.status, 200);
  });

  test('writes are refused: the UI is read-only', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await get(ui.port, '/api/overview', { Origin: `http://127.0.0.1:${ui.port}` }, method);
      assert.equal(res.status, 405, method);
    }
  });

  test('a URL that climbs out of the app (../, %2e%2e, encoded slashes) serves only the app page, never a file', async () => {
    writeFileSync(join(repo.dir, 'secret.txt'), 'TOP SECRET');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/app.js/../../secret.txt', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/secret.txt']) {
      const res = await get(ui.port, path);
      assert.ok(!res.body.includes('TOP SECRET') && !res.body.includes('root:x:0'), path);
    }
    const unknownApi = await get(ui.port, '/api/../../secret.txt');
    assert.ok(!unknownApi.body.includes('TOP SECRET'));
  });

  test('--host other than loopback requires the token it prints; the first visit moves it into a cookie', async () => {
    const open = await startUiServer(repo.dir, ['--host', '127.0.0.2']);
    try {
      assert.ok(open.token && open.token.length >= 24);
      assert.match(open.url, /\?token=/);
      const host = { Host: `127.0.0.2:${open.port}` };
      const req = (path: string, headers: Record<string, string> = {}) =>
        new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
          const r = request({ host: '127.0.0.2', port: open.port, path, headers: { ...host, ...headers } }, (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          });
          r.on('error', reject);
          r.end();
        });
      assert.equal((await req('/api/overview')).status, 401);
      assert.equal((await req('/api/overview', { Authorization: 'Bearer wrong' })).status, 401);
      assert.equal((await req('/api/overview', { Authorization: `Bearer ${open.token}` })).status, 200);
      const first = await req(`/?token=${open.token}`);
      assert.equal(first.status, 303);
      assert.equal(first.headers.location, '/');
      const cookie = String(first.headers['set-cookie']);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      assert.equal((await req('/api/overview', { Cookie: cookie.split(';')[0]! })).status, 200);
      assert.equal((await req('/api/overview', { Cookie: cookie.split(';')[0]!, Host: 'evil.example' })).status, 403);
    } finally {
      await open.stop();
    }
  });

  test('SIGTERM sent as soon as the address is printed stops the server with exit code 0, not killed by the signal', async () => {
    const other = await startUiServer(repo.dir);
    assert.equal(await other.stop(), 0);
  });

  test('outside a trove repository, trove ui fails with NOT_INITIALIZED instead of serving', async () => {
    const plain = createTmpRepo({ init: false });
    try {
      await assert.rejects(startUiServer(plain.dir), /exited with 3|NOT_INITIALIZED|not initialised/);
    } finally {
      plain.cleanup();
    }
  });
});

describe('requestGuard.checkRequest', () => {
  const base = { method: 'GET', host: '127.0.0.1:9', origin: undefined, secFetchSite: undefined, cookie: undefined, authorization: undefined, queryToken: undefined };
  const settings = { hosts: ['127.0.0.1:9', 'localhost:9'], token: null };
  test('accepts its own host, refuses another, and a missing Host', () => {
    assert.equal(checkRequest(base, settings).ok, true);
    assert.equal(checkRequest({ ...base, host: 'LOCALHOST:9' }, settings).ok, true);
    assert.equal(checkRequest({ ...base, host: 'attacker.example:9' }, settings).ok, false);
    assert.equal(checkRequest({ ...base, host: undefined }, settings).ok, false);
  });
  test('a malformed Origin is refused, not ignored', () => {
    assert.equal(checkRequest({ ...base, origin: 'not a url' }, settings).ok, false);
  });
  test('a token of the wrong length or value is refused', () => {
    const t = { hosts: [], token: 'abcdef' };
    assert.equal(checkRequest({ ...base, queryToken: 'abcdeg' }, t).ok, false);
    assert.equal(checkRequest({ ...base, queryToken: 'abc' }, t).ok, false);
    assert.equal(checkRequest({ ...base, cookie: 'x=1; trove_ui_token=abcdef' }, t).ok, true);
  });
});

describe('browserPath', () => {
  test('refuses ../, absolute, .git, .trove, NUL, and a symlinked directory that leads outside', () => {
    const repo = createTmpRepo();
    try {
      mkdirSync(join(repo.dir, 'data'));
      symlinkSync('/etc', join(repo.dir, 'data', 'out'));
      assert.equal(browserPath(repo.dir, 'data/x.csv'), 'data/x.csv');
      assert.equal(browserPath(repo.dir, 'data/'), 'data');
      for (const bad of ['../x', '/etc/passwd', '.git/config', 'a/.trove/config.yaml', 'a\0b', 'data/out/passwd', 'data/out', '']) {
        assert.throws(() => browserPath(repo.dir, bad), (e: { code?: string }) => e.code === 'UNSAFE_PATH' || e.code === 'USAGE', bad);
      }
    } finally {
      repo.cleanup();
    }
  });
});
