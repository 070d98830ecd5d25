import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TroveError, isTroveError } from '../../src/errors/index.js';
import type { Backend, Body, ByteRange, PutOptions } from '../../src/remote/Backend.js';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { silentReporter } from '../../src/core/Reporter.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { localClosure, fetchClosure, type TransferRoot } from '../../src/transfer/closure.js';
import { pushObjects } from '../../src/transfer/pushObjects.js';
import { withRetries } from '../../src/transfer/withRetries.js';
import { PassThroughBackend } from '../helpers/passThroughBackend.js';
import { pseudoRandom } from '../helpers/tmpRepo.js';

type Fault = 'drop-mid-body' | 'http-503' | 'truncate' | 'bitflip';

/**
 * Wraps a real backend and injects the faults a network gives: a connection
 * reset after part of a body, 503 with Retry-After, truncated and bit-flipped
 * bodies. `plan` says which fault the n-th call of a method gets.
 */
class FaultyBackend extends PassThroughBackend {
  readonly readOnly = false;
  readonly display = 'faulty';
  calls = { get: 0, put: 0 };
  constructor(
    inner: Backend,
    private readonly plan: { get?: (n: number) => Fault | undefined; put?: (n: number) => Fault | undefined; indexes?: boolean },
  ) {
    super(inner);
  }
  override async get(key: string, range?: ByteRange): Promise<Buffer> {
    const fault = key.endsWith('.pack') || (this.plan.indexes && key.endsWith('.idx')) ? this.plan.get?.(this.calls.get++) : undefined;
    if (fault === 'http-503') throw new TroveError('REMOTE', 'HTTP 503 from faulty', { retryable: true, data: { retryAfterMs: 5 } });
    if (fault === 'drop-mid-body') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const data = Buffer.from(await this.inner.get(key, range));
    if (fault === 'truncate') return data.subarray(0, data.length >> 1);
    if (fault === 'bitflip') data[data.length >> 1]! ^= 0x10;
    return data;
  }
  override async put(key: string, body: Body): Promise<void> {
    const fault = key.endsWith('.pack') ? this.plan.put?.(this.calls.put++) : undefined;
    if (fault === 'http-503') throw new TroveError('REMOTE', 'HTTP 503 from faulty', { retryable: true, data: { retryAfterMs: 5 } });
    if (fault === 'drop-mid-body') {
      // Consume part of the body, then the connection dies: the inner backend never sees a complete object.
      for await (const _ of body.open()) break;
      throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    }
    return this.inner.put(key, body);
  }
}

/**
 * The same faults on a streaming backend (as S3 and Azure are): the fetch
 * reads whole packs as streams of 64 KiB pieces, so entries are cut across
 * piece boundaries, and a fault strikes mid-stream after earlier entries
 * were already stored. `ranges` records what each stream asked for.
 */
class FaultyStreamingBackend extends FaultyBackend {
  calls2 = { stream: 0 };
  readonly ranges: (ByteRange | undefined)[] = [];
  constructor(private readonly inner2: Backend, private readonly plan2: { stream?: (n: number) => Fault | undefined }) {
    super(inner2, {});
  }
  async *stream(key: string, range?: ByteRange): AsyncGenerator<Uint8Array> {
    const fault = key.endsWith('.pack') ? this.plan2.stream?.(this.calls2.stream++) : undefined;
    if (key.endsWith('.pack')) this.ranges.push(range);
    if (fault === 'http-503') throw new TroveError('REMOTE', 'HTTP 503 from faulty', { retryable: true, data: { retryAfterMs: 5 } });
    const data = Buffer.from(await this.inner2.get(key, range));
    const cut = fault === 'truncate' || fault === 'drop-mid-body' ? data.length >> 1 : data.length;
    if (fault === 'bitflip') data[data.length >> 1]! ^= 0x10;
    for (let i = 0; i < cut; i += 65536) yield data.subarray(i, Math.min(cut, i + 65536));
    if (fault === 'drop-mid-body') throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  }
}

const policy = { retries: 4, baseDelayMs: 1, maxDelayMs: 5 };

async function setup(bytesEach = 50_000) {
  const base = mkdtempSync(join(tmpdir(), 'trove-faults-'));
  const src = new ObjectStore(join(base, 'src'));
  const roots: TransferRoot[] = [];
  for (let i = 0; i < 20; i++) {
    const { oid } = src.putBytes(pseudoRandom(bytesEach + i, i + 1));
    roots.push({ kind: 'file', oid, what: `data/f${i}.bin` });
  }
  return { base, src, roots, dir: new DirectoryBackend(join(base, 'remote'), 'faulty'), cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

async function pushAll(s: Awaited<ReturnType<typeof setup>>, backend: Backend) {
  const index = await RemoteIndex.load(backend, join(s.base, 'idx-push'), { jobs: 2, policy });
  return pushObjects(backend, index, localClosure(s.src, s.roots).items, { jobs: 2, policy, reporter: silentReporter });
}

async function fetchAll(s: Awaited<ReturnType<typeof setup>>, backend: Backend, storeName: string) {
  const dst = new ObjectStore(join(s.base, storeName));
  const index = await RemoteIndex.load(backend, join(s.base, `idx-${storeName}`), { jobs: 2, policy });
  const stats = await fetchClosure(backend, index, dst, s.roots, { jobs: 2, policy, reporter: silentReporter });
  return { dst, stats };
}

test('push completes through dropped connections and 503s; every object arrives intact', async () => {
  const s = await setup();
  try {
    const faulty = new FaultyBackend(s.dir, { put: (n) => (n === 0 ? 'drop-mid-body' : n === 1 ? 'http-503' : undefined) });
    const out = await pushAll(s, faulty);
    assert.deepEqual(out.failed, []);
    assert.ok(faulty.calls.put >= 3, 'the failed uploads were retried');
    const { dst, stats } = await fetchAll(s, s.dir, 'check');
    assert.deepEqual(stats.failed, []);
    for (const r of s.roots) assert.ok(dst.hasFile(r.oid));
  } finally {
    s.cleanup();
  }
});

test('fetch through truncated, bit-flipped, reset and 503 responses stores only verified objects', async () => {
  const s = await setup();
  try {
    await pushAll(s, s.dir);
    const faults: Fault[] = ['truncate', 'bitflip', 'drop-mid-body', 'http-503'];
    const faulty = new FaultyBackend(s.dir, { get: (n) => faults[n] });
    const { dst, stats } = await fetchAll(s, faulty, 'dst');
    assert.deepEqual(stats.failed, []);
    for (const r of s.roots) assert.ok(dst.hasFile(r.oid));
    assert.ok(faulty.calls.get > faults.length);
  } finally {
    s.cleanup();
  }
});

test('regression: a pack index that answered 503 three times in a row failed the whole pull (index reads had only 2 retries)', async () => {
  const s = await setup();
  try {
    await pushAll(s, s.dir);
    const faulty = new FaultyBackend(s.dir, { get: (n) => (n < 4 ? 'http-503' : undefined), indexes: true });
    const index = await RemoteIndex.load(faulty, join(s.base, 'idx-503'), { jobs: 1, policy: { ...policy, retries: 6 } });
    assert.equal(index.badIndexes.length, 0);
    assert.ok(index.objectCount >= s.roots.length, 'every index was read in the end');
    assert.ok(faulty.calls.get >= 5);
  } finally {
    s.cleanup();
  }
});

test('a streamed fetch through truncated, bit-flipped, reset and 503 streams stores only verified objects', async () => {
  const s = await setup();
  try {
    await pushAll(s, s.dir);
    const faults: Fault[] = ['truncate', 'bitflip', 'drop-mid-body', 'http-503'];
    const faulty = new FaultyStreamingBackend(s.dir, { stream: (n) => faults[n] });
    const { dst, stats } = await fetchAll(s, faulty, 'dst');
    assert.deepEqual(stats.failed, []);
    for (const r of s.roots) dst.readObject(r.oid, r.what); // present and verifies
    assert.ok(faulty.calls2.stream > faults.length);
    assert.equal(faulty.calls.get, 0, 'pack bytes came only through streams');
  } finally {
    s.cleanup();
  }
});

test('a streamed fetch asks for a whole pack without a range, and after a drop mid-stream reads only from the first object still missing', async () => {
  const s = await setup(3_000_000); // 60 MB in packs of 15 MB: the first 4 MiB batch is stored before the drop half way through
  try {
    await pushAll(s, s.dir);
    const faulty = new FaultyStreamingBackend(s.dir, { stream: (n) => (n === 0 ? 'drop-mid-body' : undefined) });
    const { dst, stats } = await fetchAll(s, faulty, 'dst');
    assert.deepEqual(stats.failed, []);
    for (const r of s.roots) dst.readObject(r.oid, r.what);
    assert.equal(faulty.ranges[0], undefined, 'the first read of a fully wanted pack has no range');
    const retry = faulty.ranges.find((r) => r !== undefined);
    assert.ok(retry && retry.start > 0, `the retry starts past what arrived, not at 0: ${JSON.stringify(faulty.ranges)}`);
  } finally {
    s.cleanup();
  }
});

for (const streaming of [false, true]) {
test(`a remote that always returns flipped bits${streaming ? ' (streamed)' : ''}: the fetch reports each path, stores nothing corrupt`, async () => {
  const s = await setup();
  try {
    await pushAll(s, s.dir);
    const backend = streaming ? new FaultyStreamingBackend(s.dir, { stream: () => 'bitflip' }) : new FaultyBackend(s.dir, { get: () => 'bitflip' });
    const { dst, stats } = await fetchAll(s, backend, 'dst');
    assert.ok(stats.failed.length > 0);
    assert.ok(stats.failed.every((f) => /corrupt|truncated/.test(f.message)));
    assert.ok(stats.failed.some((f) => f.what.startsWith('data/f')));
    // What was stored verifies; what failed is absent.
    for (const r of s.roots) {
      const failed = stats.failed.some((f) => f.hex === r.oid.hex);
      assert.equal(dst.hasFile(r.oid), !failed);
      if (!failed) dst.readObject(r.oid, r.what);
    }
  } finally {
    s.cleanup();
  }
});
}

test('withRetries waits exactly the Retry-After the server sent, and never retries an auth error', async () => {
  const delays: number[] = [];
  let n = 0;
  const v = await withRetries(async () => {
    if (n++ < 2) throw new TroveError('REMOTE', 'busy', { retryable: true, data: { retryAfterMs: 7 } });
    return 'ok';
  }, policy, (_e, _a, d) => delays.push(d));
  assert.equal(v, 'ok');
  assert.deepEqual(delays, [7, 7]);
  let calls = 0;
  await assert.rejects(
    withRetries(async () => {
      calls++;
      throw new TroveError('AUTH', 'denied');
    }, policy),
    (e) => isTroveError(e, 'AUTH'),
  );
  assert.equal(calls, 1);
});

test('a push tells the backend which objects never change (packs and indexes) instead of the backend guessing from their keys', async () => {
  const s = await setup(1000);
  try {
    const immutable = new Map<string, boolean>();
    const inner: Backend = s.dir;
    const recording: Backend = Object.assign(Object.create(inner) as Backend, {
      put: (key: string, body: Body, options?: PutOptions) => {
        immutable.set(key, options?.immutable === true);
        return inner.put(key, body, options);
      },
    });
    assert.deepEqual((await pushAll(s, recording)).failed, []);
    const keys = [...immutable.keys()];
    assert.ok(keys.some((k) => k.endsWith('.pack')) && keys.some((k) => k.endsWith('.idx')) && keys.includes('packs.list'), keys.join(' '));
    for (const [key, fixed] of immutable) assert.equal(fixed, /^packs\/[0-9a-f]{64}\.(pack|idx)$/.test(key), key);
  } finally {
    s.cleanup();
  }
});
