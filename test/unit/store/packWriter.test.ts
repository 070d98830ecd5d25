import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PackWriter } from '../../../src/store/pack/PackWriter.js';
import { PackSet } from '../../../src/store/pack/PackSet.js';
import type { WriterFs } from '../../../src/store/objectWriter.js';

const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

function packsDir(): string {
  return join(fs.mkdtempSync(join(tmpdir(), 'trove-packw-')), 'packs');
}

/** node:fs with the writer's calls logged in order; `failAt` throws EIO at the n-th logged call. */
function recordingFs(failAt?: number): { fs: WriterFs; log: string[] } {
  const log: string[] = [];
  const paths = new Map<number, string>();
  const step = (what: string): void => {
    log.push(what);
    if (failAt !== undefined && log.length === failAt) throw Object.assign(new Error(`injected failure at ${what}`), { code: 'EIO' });
  };
  const name = (p: string): string => (basename(p).startsWith('.') ? basename(p).replace(/\.tmp-.*/, '.tmp') : basename(p).replace(/^[0-9a-f]{64}/, 'NAME'));
  const rec: WriterFs = {
    ...fs,
    openSync: ((path: string, flags: string, mode?: number) => {
      const fd = fs.openSync(path, flags, mode);
      paths.set(fd, path);
      return fd;
    }) as WriterFs['openSync'],
    fdatasyncSync: (fd: number) => {
      step(`datasync ${name(paths.get(fd)!)}`);
      fs.fdatasyncSync(fd);
    },
    fsyncSync: (fd: number) => {
      step(`dirsync ${basename(paths.get(fd)!)}`);
      fs.fsyncSync(fd);
    },
    renameSync: (from: fs.PathLike, to: fs.PathLike) => {
      step(`rename ${name(String(to))}`);
      fs.renameSync(from, to);
    },
  };
  return { fs: rec, log };
}

const OBJECTS = ['one', 'two', 'three'].map((s) => Buffer.from(s));

test('a pack is published in order: pack data synced, index synced, pack renamed, index renamed last, then the directory synced', () => {
  const dir = packsDir();
  const { fs: rec, log } = recordingFs();
  const w = new PackWriter(dir, { fs: rec });
  for (const o of OBJECTS) w.append('o', sha(o), o);
  const sealed = w.finish();
  assert.equal(sealed.length, 1);
  assert.deepEqual(log, ['datasync .pack.tmp', 'datasync .tidx.tmp', 'rename NAME.pack', 'rename NAME.tidx', 'dirsync packs']);
  const set = new PackSet(dir);
  for (const o of OBJECTS) assert.deepEqual(set.read(set.lookup('o', sha(o))!), o);
  assert.deepEqual(fs.readdirSync(dir).sort(), [`${sealed[0]!.name}.pack`, `${sealed[0]!.name}.tidx`]);
});

test('a pack write failing at any step leaves nothing a reader sees and no temp behind', () => {
  for (let failAt = 1; failAt <= 4; failAt++) {
    const dir = packsDir();
    const { fs: rec, log } = recordingFs(failAt);
    const w = new PackWriter(dir, { fs: rec });
    for (const o of OBJECTS) w.append('o', sha(o), o);
    assert.throws(() => w.finish(), /injected failure/, `step ${failAt}`);
    assert.equal(new PackSet(dir).packs().length, 0, `visible after a failure at ${log[failAt - 1]}`);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('.tmp-') || n.endsWith('.tidx')), [], `left after a failure at ${log[failAt - 1]}`);
  }
});

test('sealing the same entries twice publishes one pack of the same name (an orphaned .pack of a killed seal is reused)', () => {
  const dir = packsDir();
  const first = new PackWriter(dir, { fsync: false });
  for (const o of OBJECTS) first.append('o', sha(o), o);
  const [a] = first.finish();
  // A seal killed between its two renames: the .pack is there, its .tidx is not.
  fs.rmSync(join(dir, `${a!.name}.tidx`));
  assert.equal(new PackSet(dir).packs().length, 0);
  const again = new PackWriter(dir, { fsync: false });
  for (const o of OBJECTS) again.append('o', sha(o), o);
  const [b] = again.finish();
  assert.equal(b!.name, a!.name);
  assert.deepEqual(fs.readdirSync(dir).sort(), [`${a!.name}.pack`, `${a!.name}.tidx`]);
  const set = new PackSet(dir);
  assert.deepEqual(set.read(set.lookup('o', sha(OBJECTS[2]!))!), OBJECTS[2]);
});

test('the writer skips entries it already holds and seals a new pack when the target size is reached', () => {
  const dir = packsDir();
  const published: string[] = [];
  const w = new PackWriter(dir, { fsync: false, targetBytes: 100, beforePublish: () => published.push('format') });
  const blobs = Array.from({ length: 10 }, (_, i) => Buffer.alloc(30, i));
  let written = 0;
  for (const b of blobs) written += w.append('o', sha(b), b);
  assert.equal(w.append('o', sha(blobs[0]!), blobs[0]!), 0);
  assert.equal(written, 300);
  const sealed = w.finish();
  assert.deepEqual(sealed.map((s) => s.entries), [4, 4, 2]);
  assert.deepEqual(published, ['format'], 'beforePublish runs once, before the first pack');
  const set = new PackSet(dir);
  for (const b of blobs) assert.deepEqual(set.read(set.lookup('o', sha(b))!), b);
});

test('a chunk list is packed as an f entry under the file hash, and found only as one', () => {
  const dir = packsDir();
  const w = new PackWriter(dir, { fsync: false });
  const list = Buffer.from('trove-chunks 1\n');
  const fileHex = sha('the file');
  w.append('f', fileHex, list);
  w.finish();
  const set = new PackSet(dir);
  assert.deepEqual(set.read(set.lookup('f', fileHex)!), list);
  assert.equal(set.lookup('o', fileHex), undefined);
  const [e] = [...set.entries()];
  assert.equal(e!.digest, sha(list));
});

test('add\'s per-object memory is bounded: with forgetSealed the dedupe set holds at most one open pack\'s entries', () => {
  const dir = packsDir();
  const w = new PackWriter(dir, { fsync: false, targetBytes: 100, forgetSealed: true });
  const blobs = Array.from({ length: 38 }, (_, i) => Buffer.alloc(30, i));
  let most = 0;
  for (const b of blobs) {
    w.append('o', sha(b), b);
    most = Math.max(most, w.remembered);
  }
  assert.equal(most, 3, 'a pack of 4 × 30 bytes seals at the 4th: at most 3 remembered after an append');
  assert.equal(w.has('o', sha(blobs[0]!)), false, 'a sealed entry is the store\'s to find');
  assert.equal(w.has('o', sha(blobs[37]!)), true, 'the open pack\'s entries are still deduped');
  const sealed = w.finish();
  assert.equal(sealed.reduce((s, p) => s + p.entries, 0), 38);
  const set = new PackSet(dir);
  for (const b of blobs) assert.deepEqual(set.read(set.lookup('o', sha(b))!), b);
});
