import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectStore } from '../../../src/store/ObjectStore.js';
import { materializeMany } from '../../../src/store/materializeMany.js';
import { readStoreFormat } from '../../../src/store/storeFormat.js';
import { createOid, type Oid } from '../../../src/core/oid.js';
import { isTroveError } from '../../../src/errors/index.js';
import { pseudoRandom } from '../../helpers/tmpRepo.js';

/**
 * The ContentStore contract, run twice: every object loose (packMaxObject 0,
 * a format-1 store), and small objects packed. Whatever the layout, a caller
 * sees the same presence, bytes, sizes, link modes and corruption handling.
 */
const MODES = [
  { name: 'loose', packMaxObject: 0 },
  { name: 'packed', packMaxObject: 64 * 1024 },
] as const;

const oidOf = (b: Uint8Array): Oid => createOid('sha256', createHash('sha256').update(b).digest('hex'));

function setup(packMaxObject: number): { dir: string; store: ObjectStore; blobs: Buffer[] } {
  const dir = mkdtempSync(join(tmpdir(), 'trove-contract-'));
  const store = new ObjectStore(join(dir, 'store'), { fsync: false, packMaxObject });
  const blobs = Array.from({ length: 40 }, (_, i) => pseudoRandom(10 + i * 97, i + 1));
  return { dir, store, blobs };
}

function readRange(file: string, offset: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(length);
    readSync(fd, b, 0, length, offset);
    return b;
  } finally {
    closeSync(fd);
  }
}

for (const mode of MODES) {
  test(`store contract (${mode.name}): putObjects stores each object once; has, hasMany, hasFiles, entry, readObject and list agree`, async () => {
    const { dir, store, blobs } = setup(mode.packMaxObject);
    try {
      const first = await store.putObjects(blobs);
      assert.equal(first.written, blobs.reduce((s, b) => s + b.length, 0));
      assert.equal((await store.putObjects(blobs)).written, 0, 'present objects are not stored again');
      const absent = oidOf(Buffer.from('absent'));
      const oids = blobs.map(oidOf);
      assert.deepEqual(store.hasMany([...oids, absent]), [...oids.map(() => true), false]);
      assert.deepEqual(store.hasFiles([absent, ...oids]), [false, ...oids.map(() => true)]);
      for (const [i, b] of blobs.entries()) {
        assert.ok(store.hasObject(oids[i]!));
        assert.deepEqual(store.readObject(oids[i]!, 'x'), b);
        const e = store.entry('object', oids[i]!)!;
        assert.equal(e.size, b.length);
        assert.equal(e.location.packed, mode.name === 'packed');
        assert.deepEqual(readRange(e.location.file, e.location.offset, e.location.length), b, 'the location names the bytes');
      }
      assert.equal(store.hasObject(absent), false);
      assert.equal(store.entry('object', absent), undefined);
      const listed = store.list().filter((e) => e.kind === 'object');
      assert.deepEqual(listed.map((e) => e.oid.hex).sort(), oids.map((o) => o.hex).sort());
      const stats = store.packStats();
      assert.equal(stats.packed, mode.name === 'packed' ? blobs.length : 0);
      assert.equal(readStoreFormat(store.dir), mode.name === 'packed' ? 2 : 1, 'FORMAT 2 only once a pack is published');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`store contract (${mode.name}): materialize copies verified bytes with the mode; hardlink and symlink modes link a loose object`, async () => {
    const { dir, store, blobs } = setup(mode.packMaxObject);
    try {
      await store.putObjects(blobs.slice(0, 3));
      const [a, b, c] = blobs.slice(0, 3).map(oidOf);
      await store.materialize(a!, join(dir, 'copy'), { what: 'copy', strategy: 'copy', executable: true });
      assert.deepEqual(readFileSync(join(dir, 'copy')), blobs[0]);
      assert.equal(statSync(join(dir, 'copy')).mode & 0o111, 0o111);
      await store.materialize(b!, join(dir, 'hard'), { what: 'hard', strategy: 'hardlink' });
      assert.deepEqual(readFileSync(join(dir, 'hard')), blobs[1]);
      assert.equal(statSync(join(dir, 'hard')).ino, statSync(store.objectPath(b!)).ino, 'a hardlink shares the loose object');
      await store.materialize(c!, join(dir, 'sym'), { what: 'sym', strategy: 'symlink' });
      assert.ok(lstatSync(join(dir, 'sym')).isSymbolicLink());
      assert.ok(readlinkSync(join(dir, 'sym')).startsWith(store.symlinkRoot()), 'the link points at a loose object, never into a pack');
      assert.deepEqual(readFileSync(join(dir, 'sym')), blobs[2]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`store contract (${mode.name}): materializeMany places every object from its location`, async () => {
    const { dir, store, blobs } = setup(mode.packMaxObject);
    try {
      await store.putObjects(blobs);
      mkdirSync(join(dir, 'out'));
      const items = blobs.map((b, i) => ({ oid: oidOf(b), dest: join(dir, 'out', `f${i}`), executable: i === 3 }));
      const placed = await materializeMany(store, items, { umask: 0o022, threads: 2 });
      assert.ok(placed.every((p) => p !== undefined));
      blobs.forEach((b, i) => assert.deepEqual(readFileSync(join(dir, 'out', `f${i}`)), b));
      assert.equal(statSync(join(dir, 'out', 'f3')).mode & 0o777, 0o755);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`store contract (${mode.name}): a corrupt object is reported as CORRUPT_OBJECT, never served, and reads as absent afterwards`, async () => {
    const { dir, store, blobs } = setup(mode.packMaxObject);
    try {
      await store.putObjects(blobs.slice(0, 2));
      const victim = oidOf(blobs[1]!);
      const at = store.entry('object', victim)!.location;
      chmodSync(at.file, 0o644);
      const bytes = readFileSync(at.file);
      bytes[at.offset] = bytes[at.offset]! ^ 0xff;
      writeFileSync(at.file, bytes);
      assert.throws(() => store.readObject(victim, 'data/victim'), (e) => isTroveError(e, 'CORRUPT_OBJECT') && /data\/victim/.test((e as Error).message));
      assert.equal(store.hasObject(victim), false, 'set aside so a fetch can heal it');
      assert.deepEqual(store.readObject(oidOf(blobs[0]!), 'x'), blobs[0], 'its neighbour still reads');
      await assert.rejects(store.materialize(victim, join(dir, 'out'), { what: 'data/victim', strategy: 'copy' }), (e) => isTroveError(e, 'OBJECT_MISSING'));
      assert.equal(existsSync(join(dir, 'out')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`store contract (${mode.name}): openIngest stores small files (packed when packing) and large files loose as chunks, durable on close`, async () => {
    const { dir, store } = setup(mode.packMaxObject);
    try {
      const files = Array.from({ length: 300 }, (_, i) => pseudoRandom(100 + i * 13, i + 7));
      files.push(Buffer.alloc(80 * 1024, 1)); // above the pack limit, below the chunk threshold: loose
      mkdirSync(join(dir, 'in'));
      const items = files.map((b, i) => {
        writeFileSync(join(dir, 'in', `f${i}`), b);
        return { path: join(dir, 'in', `f${i}`), size: b.length };
      });
      const session = store.openIngest({ jobs: 2 });
      const outcomes = await session.ingest(items);
      await session.close();
      assert.ok(outcomes.every((o) => o.ok));
      // A few files (below packMinObjects) stay loose even when packing: a pack per one-file add would be two files for one.
      const few = store.openIngest({ jobs: 1 });
      writeFileSync(join(dir, 'lone'), 'a lone file');
      await few.ingest([{ path: join(dir, 'lone'), size: 11 }]);
      await few.close();
      assert.equal(store.entry('object', oidOf(Buffer.from('a lone file')))!.location.packed, false);
      files.forEach((b, i) => {
        const o = outcomes[i]!;
        assert.equal(o.ok && o.result.hex, oidOf(b).hex);
        assert.deepEqual(store.readObject(oidOf(b), `f${i}`), b);
      });
      const loose = existsSync(join(store.dir, 'objects/sha256')) ? readdirSync(join(store.dir, 'objects/sha256')).flatMap((f) => readdirSync(join(store.dir, 'objects/sha256', f))).length : 0;
      assert.equal(loose, mode.name === 'packed' ? 2 : files.length + 1, 'packed: only the file above the pack limit and the lone file are loose');
      assert.equal(store.entry('object', oidOf(files[300]!))!.location.packed, false);
      // Written again: nothing new.
      const again = store.openIngest({ jobs: 2 });
      const second = await again.ingest(items);
      await again.close();
      assert.equal(second.reduce((s, o) => s + (o.ok ? o.result.written : 0), 0), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
