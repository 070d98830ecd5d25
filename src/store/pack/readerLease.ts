import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../../util/isProcessAlive.js';

// Reader leases (docs/formats.md "Reader leases", docs/decisions.md): every
// command that opens a store says so with a file `<store>/readers/<pid>-<8 hex>`
// before it lists a pack, and removes it at exit. gc deletes a retired pack only
// when no lease older than the retirement remains (retire.ts): readers take no
// lock (status, diff, show run beside a gc), so without the lease a reader that
// listed a pack index could find the pack deleted under it.

/** The lease directory of a store. */
export const READERS_DIR = 'readers';

/** Version of the lease file's content (docs/formats.md, "Versions at a glance"). */
export const READER_LEASE_VERSION = 1;

/** `<pid>-<8 hex>`: the pid says whose it is, the random part keeps two opens of one pid apart. */
const LEASE_NAME = /^([1-9][0-9]*)-([0-9a-f]{8})$/;

/** A lease from another host (whose pid this host cannot check) counts for this long after it was taken. */
export const FOREIGN_LEASE_MAX_AGE_MS = 24 * 3_600_000;

export interface LeaseRecord {
  readonly version: number;
  readonly pid: number;
  readonly host: string;
  /** ms since the epoch, the taker's clock (informative; the file's mtime is what gc compares, one clock with the retired index) */
  readonly started: number;
}

export interface ReaderLease {
  readonly path: string;
  /** Remove the lease (idempotent). Also done at process exit. */
  release(): void;
}

export interface LiveLease {
  readonly name: string;
  readonly pid: number;
  readonly host: string;
  /** when the lease was taken: its file's mtime (the file system's clock, as the retired index's mtime) */
  readonly takenMs: number;
}

export interface LeaseOptions {
  /** this host's name (injected by tests that play another host) */
  readonly host?: string;
  /** how long a lease of another host counts (default FOREIGN_LEASE_MAX_AGE_MS) */
  readonly foreignMaxAgeMs?: number;
  /** the current time (ms), for the age of another host's lease */
  readonly now?: number;
  /** is this pid alive on this host (default util/isProcessAlive) */
  readonly isAlive?: (pid: number) => boolean;
}

/** A lease file still empty this long after its creation was not being written by anyone. */
const UNWRITTEN_LEASE_GRACE_MS = 60_000;

/** Leases this process holds, one per store directory, released together at exit. */
const held = new Map<string, ReaderLease>();
let exitHookInstalled = false;

/**
 * Take this process's reader lease on the store at `storeDir` (once per store
 * and process: a lease says "this process may read packs it listed", which a
 * second open of the same store does not change). The file is created with
 * O_EXCL and holds `{version, pid, host, started}`; it is removed when the
 * process exits. A store the process cannot write to (a read-only shared
 * cache) gets no lease: undefined. Such a store cannot be gc'd by this user
 * either, and a gc by another user removes retired packs only after a grace
 * period that still holds (retire.ts).
 */
export function takeReaderLease(storeDir: string, o: { host?: string } = {}): ReaderLease | undefined {
  const existing = held.get(storeDir);
  if (existing) return existing;
  const dir = join(storeDir, READERS_DIR);
  let path: string;
  try {
    mkdirSync(dir, { recursive: true });
    path = createLeaseFile(dir, o.host ?? hostname());
  } catch {
    // a store this process cannot write to: reading goes on without a lease (see above)
    return undefined;
  }
  let released = false;
  const lease: ReaderLease = {
    path,
    release() {
      if (released) return;
      released = true;
      held.delete(storeDir);
      try {
        unlinkSync(path);
      } catch {
        // already gone (a gc that took this pid for dead on another host's view); nothing else to do
      }
    },
  };
  held.set(storeDir, lease);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' runs for a normal end and for process.exit(); a kill -9 leaves the file, which listLiveLeases then ignores (dead pid)
    process.on('exit', releaseAllReaderLeases);
  }
  return lease;
}

/** Release every lease this process holds (the exit hook; tests call it to play a process ending). */
export function releaseAllReaderLeases(): void {
  for (const lease of [...held.values()]) lease.release();
}

function createLeaseFile(dir: string, host: string): string {
  for (let attempt = 0; ; attempt++) {
    const path = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}`);
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 8) continue;
      throw err;
    }
    try {
      const record: LeaseRecord = { version: READER_LEASE_VERSION, pid: process.pid, host, started: Date.now() };
      writeSync(fd, JSON.stringify(record) + '\n');
    } finally {
      closeSync(fd);
    }
    return path;
  }
}

/**
 * The leases that still count, for gc. Ignored (and removed, as a sweep): a
 * lease of this host whose pid is dead (a command killed with -9), and a lease
 * of another host older than `foreignMaxAgeMs`. A lease whose content cannot be
 * read yet (a taker between create and write, maybe of another host)
 * counts for a minute. A lease with a foreign name shape is not ours and is left alone.
 */
export function listLiveLeases(storeDir: string, o: LeaseOptions = {}): LiveLease[] {
  const dir = join(storeDir, READERS_DIR);
  const host = o.host ?? hostname();
  const isAlive = o.isAlive ?? isProcessAlive;
  const now = o.now ?? Date.now();
  const maxAge = o.foreignMaxAgeMs ?? FOREIGN_LEASE_MAX_AGE_MS;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    // no readers directory: nobody ever took a lease on this store
    return [];
  }
  const live: LiveLease[] = [];
  for (const name of names) {
    const m = LEASE_NAME.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    let takenMs: number;
    try {
      takenMs = statSync(path).mtimeMs;
    } catch {
      // released between the listing and the stat: no longer a reader
      continue;
    }
    const record = readRecord(path);
    const pid = record?.pid ?? Number(m[1]);
    const leaseHost = record?.host ?? host;
    // Without a readable record the host is unknown: only a lease of a dead local pid that is no longer being written goes.
    const dead = leaseHost === host
      ? pid !== process.pid && !isAlive(pid) && (record !== undefined || now - takenMs > UNWRITTEN_LEASE_GRACE_MS)
      : now - takenMs > maxAge;
    if (dead) {
      try {
        unlinkSync(path);
      } catch {
        // removed by its owner or another gc meanwhile; it is ignored either way
      }
      continue;
    }
    live.push({ name, pid, host: leaseHost, takenMs });
  }
  return live;
}

function readRecord(path: string): LeaseRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<LeaseRecord>;
    if (typeof r.pid === 'number' && typeof r.host === 'string') return r as LeaseRecord;
  } catch {
    // empty (being written) or damaged: the caller falls back to the name's pid and this host, which never ignores a live reader
  }
  return undefined;
}
