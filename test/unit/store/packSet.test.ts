import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackWriter } from '../../../src/store/pack/PackWriter.js';
import { PackSet } from '../../../src/store/pack/PackSet.js';

const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

function packsDir(): string {
  return join(fs.mkdtempSync(join(tmpdir(), 'trove-packset-')), 'packs');
}

function publish(dir: string, blobs: Buffer[]): string {
  const w = new PackWriter(dir, { fsync: false });
  for (const b of blobs) w.append('o', sha(b), b);
  return w.finish()[0]!.name;
}

test('lookup finds entries across three packs, and an entry in two packs is read from the newest', () => {
  const dir = packsDir();
  const blobs = Array.from({ length: 600 }, (_, i) => Buffer.from(`object ${i}`));
  const names = [publish(dir, blobs.slice(0, 200)), publish(dir, blobs.slice(200, 400)), publish(dir, [...blobs.slice(400), blobs[0]!])];
  // Make the third pack the newest by its index's mtime, whatever the clock's resolution.
  const t = Date.now() / 1000;
  names.forEach((n, i) => fs.utimesSync(join(dir, `${n}.tidx`), t - 100 + i, t - 100 + i));
  const set = new PackSet(dir);
  assert.deepEqual(set.packs().map((p) => p.name), [...names].reverse());
  for (const b of blobs) assert.deepEqual(set.read(set.lookup('o', sha(b))!), b);
  assert.equal(set.lookup('o', sha(blobs[0]!))!.pack, names[2]);
  assert.equal(set.lookup('o', sha('absent')), undefined);
  const asked = [sha('absent'), ...blobs.map((b) => sha(b))];
  assert.deepEqual(set.hasMany('o', asked), asked.map((_, i) => i > 0));
});

test('a pack published after the set was listed is found on a miss with reload, and not without', () => {
  const dir = packsDir();
  publish(dir, [Buffer.from('early')]);
  const set = new PackSet(dir);
  assert.equal(set.packs().length, 1);
  const late = Buffer.from('late');
  publish(dir, [late]);
  assert.equal(set.lookup('o', sha(late)), undefined);
  assert.deepEqual(set.read(set.lookup('o', sha(late), true)!), late);
  assert.equal(set.reloadIfChanged(), false, 'nothing changed since: no second listing');
});

test('an entry on the bad list reads as absent, in this set and in a new one', () => {
  const dir = packsDir();
  const blobs = [Buffer.from('good'), Buffer.from('bad')];
  publish(dir, blobs);
  const set = new PackSet(dir);
  set.markBad(sha(blobs[1]!));
  assert.equal(set.has('o', sha(blobs[1]!)), false);
  assert.equal(set.has('o', sha(blobs[0]!)), true);
  const fresh = new PackSet(dir);
  assert.equal(fresh.has('o', sha(blobs[1]!)), false);
  assert.deepEqual([...fresh.entries()].map((e) => e.hex), [sha(blobs[0]!)]);
});

test('a pack index with a damaged head is set aside and named; a newer one is refused', () => {
  const dir = packsDir();
  const name = publish(dir, [Buffer.from('x')]);
  const tidx = join(dir, `${name}.tidx`);
  fs.chmodSync(tidx, 0o644);
  fs.writeFileSync(tidx, 'TROVEIDY' + 'x'.repeat(2000));
  const set = new PackSet(dir);
  assert.equal(set.packs().length, 0);
  assert.deepEqual(set.unreadable(), [tidx]);
  const newer = Buffer.alloc(2000);
  newer.write('TROVEIDX', 0, 'latin1');
  newer.writeUInt32BE(2, 8);
  fs.writeFileSync(tidx, newer);
  assert.throws(() => new PackSet(dir).packs(), (e) => (e as { code?: string }).code === 'NEWER_FORMAT');
});
