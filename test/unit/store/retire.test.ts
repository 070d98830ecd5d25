import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READERS_DIR } from '../../../src/store/pack/readerLease.js';
import { deleteRetired, finishRetirements, listRetired, retirePacks } from '../../../src/store/pack/retire.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function storeWithPacks(...names: string[]): string {
  const store = mkdtempSync(join(tmpdir(), 'trove-retire-'));
  mkdirSync(join(store, 'packs'));
  for (const n of names) {
    writeFileSync(join(store, 'packs', n + '.pack'), 'pack bytes');
    writeFileSync(join(store, 'packs', n + '.tidx'), 'index');
  }
  return store;
}

function lease(store: string, pid: number, takenMs: number): void {
  mkdirSync(join(store, READERS_DIR), { recursive: true });
  const p = join(store, READERS_DIR, `${pid}-0000abcd`);
  writeFileSync(p, JSON.stringify({ version: 1, pid, host: 'here', started: takenMs }) + '\n');
  utimesSync(p, new Date(takenMs), new Date(takenMs));
}

test('retirePacks moves the index, then the pack, into packs/retired/ and stamps the retirement time', () => {
  const store = storeWithPacks(A, B);
  try {
    retirePacks(store, [A], { now: 1_000_000_000_000, fsync: true });
    assert.deepEqual(readdirSync(join(store, 'packs')).sort(), [B + '.pack', B + '.tidx', 'retired']);
    assert.deepEqual(readdirSync(join(store, 'packs', 'retired')).sort(), [A + '.pack', A + '.tidx']);
    assert.equal(statSync(join(store, 'packs', 'retired', A + '.tidx')).mtimeMs, 1_000_000_000_000);
    assert.deepEqual(listRetired(store), [A]);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('retired files wait for a lease older than the retirement; a lease taken after it does not hold them', () => {
  const store = storeWithPacks(A, B);
  try {
    const t = 1_000_000_000_000;
    retirePacks(store, [A], { now: t });
    lease(store, 4000010, t - 60_000);
    const alive = (pid: number): boolean => pid === 4000010 || pid === 4000011;
    let r = deleteRetired(store, { host: 'here', isAlive: alive });
    assert.deepEqual(r, { deleted: [], waiting: [A], freedBytes: 0 });
    assert.ok(existsSync(join(store, 'packs', 'retired', A + '.pack')));
    rmSync(join(store, READERS_DIR, '4000010-0000abcd'));
    lease(store, 4000011, t + 60_000);
    r = deleteRetired(store, { host: 'here', isAlive: alive });
    assert.deepEqual(r.deleted, [A]);
    assert.equal(r.freedBytes, 'pack bytes'.length + 'index'.length);
    assert.deepEqual(readdirSync(join(store, 'packs', 'retired')), []);
    assert.ok(existsSync(join(store, 'packs', B + '.tidx')), 'live packs are never touched');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('a lease taken within the clock slack after a retirement still holds it', () => {
  const store = storeWithPacks(A);
  try {
    const t = 1_000_000_000_000;
    retirePacks(store, [A], { now: t });
    lease(store, 4000012, t + 500);
    assert.deepEqual(deleteRetired(store, { host: 'here', isAlive: () => true, slackMs: 2_000 }).waiting, [A]);
    assert.deepEqual(deleteRetired(store, { host: 'here', isAlive: () => true, slackMs: 0 }).deleted, [A]);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('a lease of a dead pid does not hold retired files', () => {
  const store = storeWithPacks(A);
  try {
    const t = 1_000_000_000_000;
    retirePacks(store, [A], { now: t });
    lease(store, 4000013, t - 60_000);
    assert.deepEqual(deleteRetired(store, { host: 'here', isAlive: () => false }).deleted, [A]);
    assert.deepEqual(readdirSync(join(store, READERS_DIR)), [], 'the dead lease was swept');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('a retirement killed between its renames is finished by the next gc', () => {
  const store = storeWithPacks(A);
  try {
    mkdirSync(join(store, 'packs', 'retired'));
    // the index left first; the kill came before the pack's rename
    const t = new Date(1_000_000_000_000);
    utimesSync(join(store, 'packs', A + '.tidx'), t, t);
    renameSync(join(store, 'packs', A + '.tidx'), join(store, 'packs', 'retired', A + '.tidx'));
    assert.deepEqual(finishRetirements(store), [A]);
    assert.deepEqual(readdirSync(join(store, 'packs', 'retired')).sort(), [A + '.pack', A + '.tidx']);
    assert.equal(statSync(join(store, 'packs', 'retired', A + '.tidx')).mtimeMs, t.getTime(), 'the retirement time is the first one');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('a pack without an index is left alone within the grace period (a publish between its renames), retired after it', () => {
  const store = storeWithPacks();
  try {
    writeFileSync(join(store, 'packs', A + '.pack'), 'pack bytes');
    const now = statSync(join(store, 'packs', A + '.pack')).mtimeMs;
    assert.deepEqual(finishRetirements(store, { now: now + 1_000, graceMs: 60_000 }), []);
    assert.ok(existsSync(join(store, 'packs', A + '.pack')));
    assert.deepEqual(finishRetirements(store, { now: now + 120_000, graceMs: 60_000 }), [A]);
    assert.deepEqual(readdirSync(join(store, 'packs', 'retired')), [A + '.pack']);
    assert.deepEqual(deleteRetired(store).deleted, [A], 'an index-less retired pack goes without waiting');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('a delete killed after the pack went finishes: the index alone still says when it was retired', () => {
  const store = storeWithPacks(A);
  try {
    const t = 1_000_000_000_000;
    retirePacks(store, [A], { now: t });
    rmSync(join(store, 'packs', 'retired', A + '.pack'));
    lease(store, 4000014, t - 1);
    assert.deepEqual(deleteRetired(store, { host: 'here', isAlive: () => true }).waiting, [A]);
    rmSync(join(store, READERS_DIR), { recursive: true });
    assert.deepEqual(deleteRetired(store).deleted, [A]);
    assert.deepEqual(readdirSync(join(store, 'packs', 'retired')), []);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});
