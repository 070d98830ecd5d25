import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listLiveLeases, READERS_DIR, releaseAllReaderLeases, takeReaderLease } from '../../../src/store/pack/readerLease.js';

function tmpStore(): string {
  return mkdtempSync(join(tmpdir(), 'trove-lease-'));
}

test('a reader lease is named <pid>-<8 hex>, holds pid, host and start time, and is removed on release', () => {
  const store = tmpStore();
  try {
    const lease = takeReaderLease(store, { host: 'here' })!;
    assert.match(lease.path, new RegExp(`${READERS_DIR}/${process.pid}-[0-9a-f]{8}$`));
    const rec = JSON.parse(readFileSync(lease.path, 'utf8'));
    assert.equal(rec.version, 1);
    assert.equal(rec.pid, process.pid);
    assert.equal(rec.host, 'here');
    assert.equal(typeof rec.started, 'number');
    assert.equal(takeReaderLease(store), lease, 'one lease per store and process');
    assert.deepEqual(listLiveLeases(store, { host: 'here' }).map((l) => l.pid), [process.pid]);
    lease.release();
    lease.release();
    assert.deepEqual(readdirSync(join(store, READERS_DIR)), []);
  } finally {
    releaseAllReaderLeases();
    rmSync(store, { recursive: true, force: true });
  }
});

test('a lease of a dead pid on this host is ignored and swept; a live one counts', () => {
  const store = tmpStore();
  try {
    mkdirSync(join(store, READERS_DIR));
    const write = (name: string, pid: number, host: string): void => writeFileSync(join(store, READERS_DIR, name), JSON.stringify({ version: 1, pid, host, started: 0 }) + '\n');
    write('4000001-0000abcd', 4000001, 'here');
    write('4000002-0000abcd', 4000002, 'here');
    const live = listLiveLeases(store, { host: 'here', isAlive: (pid) => pid === 4000002 });
    assert.deepEqual(live.map((l) => l.pid), [4000002]);
    assert.deepEqual(readdirSync(join(store, READERS_DIR)), ['4000002-0000abcd']);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('a lease of another host counts for 24 hours (injected age), whatever its pid', () => {
  const store = tmpStore();
  try {
    mkdirSync(join(store, READERS_DIR));
    const path = join(store, READERS_DIR, '4000003-0000abcd');
    writeFileSync(path, JSON.stringify({ version: 1, pid: 4000003, host: 'elsewhere', started: 0 }) + '\n');
    const t = new Date(1_000_000_000_000);
    utimesSync(path, t, t);
    const dead = (): boolean => false;
    assert.equal(listLiveLeases(store, { host: 'here', isAlive: dead, now: t.getTime() + 1_000, foreignMaxAgeMs: 5_000 }).length, 1, 'young foreign lease counts although its pid is not alive here');
    assert.equal(listLiveLeases(store, { host: 'here', isAlive: dead, now: t.getTime() + 6_000, foreignMaxAgeMs: 5_000 }).length, 0, 'old foreign lease is ignored');
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('an empty lease file (a taker between create and write) counts for a minute, then goes if its pid is dead', () => {
  const store = tmpStore();
  try {
    mkdirSync(join(store, READERS_DIR));
    const path = join(store, READERS_DIR, '4000004-0000abcd');
    writeFileSync(path, '');
    const t = new Date(1_000_000_000_000);
    utimesSync(path, t, t);
    const dead = (): boolean => false;
    assert.equal(listLiveLeases(store, { host: 'here', isAlive: dead, now: t.getTime() + 1_000 }).length, 1);
    assert.equal(listLiveLeases(store, { host: 'here', isAlive: dead, now: t.getTime() + 120_000 }).length, 0);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('files in readers/ that are not lease names are left alone', () => {
  const store = tmpStore();
  try {
    mkdirSync(join(store, READERS_DIR));
    writeFileSync(join(store, READERS_DIR, 'notes.txt'), 'x');
    assert.deepEqual(listLiveLeases(store, { isAlive: () => false }), []);
    assert.deepEqual(readdirSync(join(store, READERS_DIR)), ['notes.txt']);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});

test('golden: a version-1 lease file is read for its pid and host', () => {
  const store = tmpStore();
  try {
    mkdirSync(join(store, READERS_DIR));
    const fixture = readFileSync(new URL('../../../../test/unit/store/fixtures/readerLease-v1.json', import.meta.url), 'utf8');
    assert.equal(fixture, '{"version":1,"pid":4000020,"host":"golden-host","started":1765000000000}\n');
    writeFileSync(join(store, READERS_DIR, '4000020-0123abcd'), fixture);
    const seen: number[] = [];
    const live = listLiveLeases(store, { host: 'golden-host', isAlive: (pid) => (seen.push(pid), true) });
    assert.deepEqual(live.map((l) => [l.name, l.pid, l.host]), [['4000020-0123abcd', 4000020, 'golden-host']]);
    assert.deepEqual(seen, [4000020], 'the pid inside is checked on the host inside');
    assert.equal(listLiveLeases(store, { host: 'golden-host', isAlive: () => false }).length, 0);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
});
