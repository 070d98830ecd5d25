import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentReporter } from '../../src/core/Reporter.js';
import type { Backend, ByteRange } from '../../src/remote/Backend.js';
import { DirectoryBackend } from '../../src/remote/DirectoryBackend.js';
import { TroveError } from '../../src/errors/index.js';
import { ObjectStore } from '../../src/store/ObjectStore.js';
import { objectFile } from '../../src/store/layout.js';
import { RemoteIndex } from '../../src/transfer/RemoteIndex.js';
import { fetchClosure, localClosure, type TransferRoot } from '../../src/transfer/closure.js';
import { THREADED_READ_MIN_BYTES, pushObjects } from '../../src/transfer/pushObjects.js';
import { pseudoRandom } from '../helpers/tmpRepo.js';

const policy = { retries: 2, baseDelayMs: 1, maxDelayMs: 5 };

/** 40 objects of up to 1 MiB (~24 MiB): enough for push to read and re-hash them on worker threads. */
function setup() {
  const base = mkdtempSync(join(tmpdir(), 'trove-threaded-'));
  const src = new ObjectStore(join(base, 'src'));
  const roots: TransferRoot[] = [];
  let bytes = 0;
  for (let i = 0; i < 40; i++) {
    const data = pseudoRandom(i % 4 === 0 ? 1024 * 1024 : 400_000 + i * 1000, i + 1);
    bytes += data.length;
    roots.push({ kind: 'file', oid: src.putBytes(data).oid, what: `data/f${i}.bin` });
  }
  assert.ok(bytes >= THREADED_READ_MIN_BYTES, 'the push takes the threaded path');
  const backend = new DirectoryBackend(join(base, 'remote'), 'remote');
  const push = async (items = localClosure(src, roots).items) => pushObjects(backend, await RemoteIndex.load(backend, join(base, 'idx-push'), { jobs: 2, policy }), items, { jobs: 2, policy, reporter: silentReporter });
  return { base, src, roots, backend, push, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

test('a push read on worker threads sends every object intact (fetched back and compared byte for byte)', async () => {
  const s = setup();
  try {
    const out = await s.push();
    assert.deepEqual(out.failed, []);
    assert.equal(out.objects, 40);
    const dst = new ObjectStore(join(s.base, 'dst'));
    const index = await RemoteIndex.load(s.backend, join(s.base, 'idx-dst'), { jobs: 2, policy });
    await fetchClosure(s.backend, index, dst, s.roots, { jobs: 2, policy, reporter: silentReporter });
    for (const r of s.roots) assert.ok(readFileSync(objectFile(dst.dir, r.oid)).equals(readFileSync(objectFile(s.src.dir, r.oid))), r.what);
  } finally {
    s.cleanup();
  }
});

test('a push read on worker threads reports a corrupt local object by name and does not send it', async () => {
  const s = setup();
  try {
    const bad = objectFile(s.src.dir, s.roots[5]!.oid);
    chmodSync(bad, 0o644);
    const bytes = readFileSync(bad);
    bytes[1000]! ^= 0x01;
    writeFileSync(bad, bytes);
    const out = await s.push();
    assert.ok(out.failed.length > 0);
    for (const f of out.failed) assert.match(f.message, new RegExp(`^The local object ${s.roots[5]!.oid.hex.slice(0, 12)}… is corrupt; it was not pushed\\.$`));
    const index = await RemoteIndex.load(s.backend, join(s.base, 'idx-after'), { jobs: 2, policy });
    assert.equal(index.has('o', s.roots[5]!.oid.hex), false, 'the corrupt object is not on the remote');
    assert.ok(out.objects > 0 && out.objects < 40, 'the packs without a bad object went up');
  } finally {
    s.cleanup();
  }
});

test('a push read on worker threads reports a local object that vanished (gc during the push) by name', async () => {
  const s = setup();
  try {
    const items = localClosure(s.src, s.roots).items; // listed, then removed before it is read
    rmSync(objectFile(s.src.dir, s.roots[9]!.oid));
    const out = await s.push(items);
    assert.ok(out.failed.length > 0);
    for (const f of out.failed) assert.match(f.message, new RegExp(`^The object ${s.roots[9]!.oid.hex.slice(0, 12)}… vanished from the local store during the push\\.$`));
  } finally {
    s.cleanup();
  }
});

test('a fetch from a directory remote verifies and stores on worker threads: every object intact, and a corrupt pack entry is reported by name and never stored', async () => {
  const s = setup();
  try {
    assert.deepEqual((await s.push()).failed, []);
    // Flip one byte of one object inside its pack on the remote.
    const index = await RemoteIndex.load(s.backend, join(s.base, 'idx-corrupt'), { jobs: 2, policy });
    const victim = s.roots[7]!;
    const loc = index.locate('o', victim.oid.hex)!;
    const packFile = join(s.base, 'remote', 'packs', `${loc.pack}.pack`);
    chmodSync(packFile, 0o644);
    const pack = readFileSync(packFile);
    pack[loc.entry.offset + 10]! ^= 0x40;
    writeFileSync(packFile, pack);

    const dst = new ObjectStore(join(s.base, 'dst'));
    const stats = await fetchClosure(s.backend, await RemoteIndex.load(s.backend, join(s.base, 'idx-dst'), { jobs: 2, policy }), dst, s.roots, { jobs: 2, policy, reporter: silentReporter });
    assert.ok(stats.bytes >= 16 * 1024 * 1024, 'enough to take the threaded path');
    const failedPaths = new Set(stats.failed.map((f) => f.what));
    assert.ok(failedPaths.has(victim.what), 'the corrupt object is reported by its path');
    assert.match(stats.failed.find((f) => f.what === victim.what)!.message, /is corrupt; it was not stored/);
    assert.equal(dst.hasObject(victim.oid), false, 'nothing unverified reached the store');
    for (const r of s.roots) {
      if (failedPaths.has(r.what)) continue;
      assert.ok(readFileSync(objectFile(dst.dir, r.oid)).equals(readFileSync(objectFile(s.src.dir, r.oid))), r.what);
    }
  } finally {
    s.cleanup();
  }
});

test('a local fetch reads spans into the store threads\' shared slots: a backend that hands back its own buffer still stores every object intact, and failed reads give their slots back (no hang after more failures than slots)', { timeout: 60_000 }, async () => {
  const s = setup();
  try {
    assert.deepEqual((await s.push()).failed, []);
    let failures = 0;
    let calls = 0;
    // Local like a directory, but every read answers a fresh copy (ignores `into`), and the first eight reads of packs fail retryably.
    const wrapper: Backend = Object.assign(Object.create(s.backend) as Backend, {
      local: true,
      async get(key: string, range?: ByteRange): Promise<Buffer> {
        calls++;
        if (key.endsWith('.pack') && failures < 8) {
          failures++;
          throw new TroveError('REMOTE', 'HTTP 503 from wrapper', { retryable: true, data: { retryAfterMs: 1 } });
        }
        return Buffer.from(await s.backend.get(key, range));
      },
    });
    const dst = new ObjectStore(join(s.base, 'dst'));
    const stats = await fetchClosure(wrapper, await RemoteIndex.load(wrapper, join(s.base, 'idx-dst'), { jobs: 2, policy }), dst, s.roots, { jobs: 2, policy: { retries: 8, baseDelayMs: 1, maxDelayMs: 2 }, reporter: silentReporter });
    assert.equal(failures, 8, 'the reads failed as planned');
    assert.ok(calls > 8);
    assert.deepEqual(stats.failed, []);
    assert.ok(stats.bytes >= 16 * 1024 * 1024, 'enough to take the threaded path');
    for (const r of s.roots) assert.ok(readFileSync(objectFile(dst.dir, r.oid)).equals(readFileSync(objectFile(s.src.dir, r.oid))), r.what);
  } finally {
    s.cleanup();
  }
});
