import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Backend, Body } from '../../src/remote/Backend.js';
import { bufferBody } from '../../src/remote/Backend.js';
import { isTroveError } from '../../src/errors/index.js';

/**
 * The behaviour every backend must have, run against each one with a real
 * server on 127.0.0.1 (see test/remote/*.test.ts). A backend passes this suite
 * or it does not ship.
 */
export interface ContractTarget {
  readonly name: string;
  /** a backend on a fresh, empty prefix */
  open(): Promise<Backend>;
  /** a backend with wrong credentials (omit when the backend has none) */
  openBadAuth?(): Promise<Backend>;
  /** a backend whose bucket / container / host path does not exist */
  openMissing?(): Promise<Backend>;
  /** a backend pointing at a port nothing listens on */
  openUnreachable?(): Promise<Backend>;
  /** skip the slow >1000-keys listing check */
  readonly skipPagination?: boolean;
  /** read-only backends are exercised through `seed` instead of put */
  readonly readOnly?: boolean;
  /** the backend implements `stream` (S3, Azure); the others must not claim to */
  readonly streams?: boolean;
}

function chunkedBody(data: Buffer, piece: number): Body & { opens: number } {
  const b = {
    size: data.length,
    opens: 0,
    async *open() {
      b.opens++;
      for (let i = 0; i < data.length; i += piece) yield data.subarray(i, Math.min(data.length, i + piece));
    },
  };
  return b;
}

export function backendContract(t: ContractTarget): void {
  const it = (name: string, fn: (b: Backend) => Promise<void>) =>
    test(`${t.name} backend: ${name}`, async () => {
      const b = await t.open();
      try {
        await fn(b);
      } finally {
        await b.close();
      }
    });

  it('an absent key: stat is undefined and get is NOT_FOUND', async (b) => {
    assert.equal(await b.stat('nothing/here'), undefined);
    await assert.rejects(b.get('nothing/here'), (e) => isTroveError(e, 'NOT_FOUND'));
  });

  it('put then stat, get whole and get ranges return the same bytes', async (b) => {
    const data = randomBytes(100_000);
    await b.put('a/b/c.bin', bufferBody(data));
    assert.equal(await b.stat('a/b/c.bin'), data.length);
    assert.deepEqual(await b.get('a/b/c.bin'), data);
    assert.deepEqual(await b.get('a/b/c.bin', { start: 10, end: 20 }), data.subarray(10, 20));
    assert.deepEqual(await b.get('a/b/c.bin', { start: 99_990, end: 100_000 }), data.subarray(99_990));
    assert.deepEqual(await b.get('a/b/c.bin', { start: 0, end: 1 }), data.subarray(0, 1));
  });

  it('put replaces an existing object; an empty object round-trips', async (b) => {
    await b.put('x', bufferBody(Buffer.from('first version')));
    await b.put('x', bufferBody(Buffer.from('second')));
    assert.equal((await b.get('x')).toString(), 'second');
    await b.put('empty', bufferBody(Buffer.alloc(0)));
    assert.equal(await b.stat('empty'), 0);
    assert.equal((await b.get('empty')).length, 0);
  });

  it('a large body streamed in pieces arrives whole (multipart where supported)', async (b) => {
    const data = randomBytes(13 * 1024 * 1024 + 12345);
    const body = chunkedBody(data, 1 << 20);
    await b.put('big/pack', body);
    assert.equal(await b.stat('big/pack'), data.length);
    const back = await b.get('big/pack');
    assert.equal(back.length, data.length);
    assert.ok(back.equals(data), 'large object round-trips byte for byte');
    assert.deepEqual(await b.get('big/pack', { start: 8 * 1024 * 1024 - 5, end: 8 * 1024 * 1024 + 5 }), data.subarray(8 * 1024 * 1024 - 5, 8 * 1024 * 1024 + 5));
  });

  it(t.streams ? 'stream gives the bytes of get, whole and by range; an absent key is NOT_FOUND; stopping early is clean' : 'has no stream method (fetch falls back to ranged gets)', async (b) => {
    assert.equal(typeof b.stream === 'function', t.streams === true);
    if (!b.stream || t.readOnly) return;
    const data = randomBytes(3 * 1024 * 1024 + 77);
    await b.put('s/obj', chunkedBody(data, 1 << 20));
    const collect = async (range?: { start: number; end: number }): Promise<Buffer> => {
      const parts: Uint8Array[] = [];
      for await (const p of b.stream!('s/obj', range)) parts.push(p);
      return Buffer.concat(parts);
    };
    assert.ok((await collect()).equals(data), 'whole object streams byte for byte');
    assert.ok((await collect({ start: 1_000_000, end: 2_500_000 })).equals(data.subarray(1_000_000, 2_500_000)));
    assert.equal((await collect({ start: 5, end: 5 })).length, 0);
    await assert.rejects(async () => {
      for await (const _ of b.stream!('s/absent')) break;
    }, (e) => isTroveError(e, 'NOT_FOUND'));
    // Stop after the first piece, many times over: connections must be released, not leaked until the pool runs dry.
    for (let i = 0; i < 60; i++) for await (const _ of b.stream('s/obj')) break;
    assert.deepEqual(await b.get('s/obj', { start: 0, end: 4 }), data.subarray(0, 4));
  });

  it('list is recursive below a prefix, with sizes, and ignores other prefixes', async (b) => {
    await b.put('p/one', bufferBody(Buffer.alloc(3)));
    await b.put('p/sub/two', bufferBody(Buffer.alloc(5)));
    await b.put('q/other', bufferBody(Buffer.alloc(7)));
    const got = (await b.list('p/')).map((e) => `${e.key}=${e.size}`).sort();
    assert.deepEqual(got, ['p/one=3', 'p/sub/two=5']);
    assert.deepEqual(await b.list('nothing/'), []);
  });

  it('list reports when each key was last written (gc -r needs it for its grace period)', async (b) => {
    const before = Date.now();
    await b.put('t/one', bufferBody(Buffer.alloc(3)));
    const [e] = await b.list('t/');
    assert.ok(e && typeof e.mtime === 'number', 'an mtime is listed');
    // Server clocks on 127.0.0.1 are this machine's; some stores keep whole seconds.
    assert.ok(Math.abs(e.mtime! - before) < 120_000, `mtime ${new Date(e.mtime!).toISOString()} is near now`);
  });

  if (!t.skipPagination) {
    it('list returns every key past one page (1100 keys)', async (b) => {
      const keys = Array.from({ length: 1100 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
      for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => b.put(k, bufferBody(Buffer.from(k)))));
      const listed = (await b.list('many/')).map((e) => e.key).sort();
      assert.equal(listed.length, 1100);
      assert.deepEqual(listed, keys);
    });
  }

  it('delete removes a key; deleting an absent key is not an error', async (b) => {
    await b.put('gone', bufferBody(Buffer.from('x')));
    await b.delete('gone');
    assert.equal(await b.stat('gone'), undefined);
    await b.delete('gone');
  });

  it('keys that climb out of the remote are refused before any request', async (b) => {
    await assert.rejects(b.put('../escape', bufferBody(Buffer.from('x'))), (e) => isTroveError(e, 'UNSAFE_PATH'));
    await assert.rejects(b.get('a/../../etc/passwd'), (e) => isTroveError(e, 'UNSAFE_PATH'));
  });

  it('two concurrent puts of one key leave one whole version', async (b) => {
    const v1 = randomBytes(300_000);
    const v2 = randomBytes(300_000);
    await Promise.all([b.put('race', bufferBody(v1)), b.put('race', bufferBody(v2))]);
    const got = await b.get('race');
    assert.ok(got.equals(v1) || got.equals(v2), 'the object is one of the two versions, not a mix');
  });

  if (t.openBadAuth) {
    test(`${t.name} backend: wrong credentials are AUTH and the message names the remote without secrets`, async () => {
      const b = await t.openBadAuth!();
      try {
        await assert.rejects(b.put('k', bufferBody(Buffer.from('x'))), (e) => {
          assert.ok(isTroveError(e, 'AUTH'), `expected AUTH, got ${(e as Error).message}`);
          assert.match((e as Error).message, /remote/);
          return true;
        });
      } finally {
        await b.close();
      }
    });
  }
  if (t.openMissing) {
    test(`${t.name} backend: a missing bucket or container is NOT_FOUND with a hint`, async () => {
      const b = await t.openMissing!();
      try {
        await assert.rejects(b.list(''), (e) => {
          assert.ok(isTroveError(e, 'NOT_FOUND'), `expected NOT_FOUND, got ${(e as Error).message}`);
          assert.ok((e as { hint?: string }).hint, 'has a hint');
          return true;
        });
      } finally {
        await b.close();
      }
    });
  }
  if (t.openUnreachable) {
    test(`${t.name} backend: an unreachable server is a retryable REMOTE error naming the remote`, async () => {
      const b = await t.openUnreachable!();
      try {
        await assert.rejects(b.stat('k'), (e) => {
          assert.ok(isTroveError(e, 'REMOTE'), `expected REMOTE, got ${(e as Error).message}`);
          assert.equal((e as { retryable?: boolean }).retryable, true);
          return true;
        });
      } finally {
        await b.close();
      }
    });
  }
}
