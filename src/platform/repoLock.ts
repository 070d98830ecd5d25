import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TroveError } from '../errors/index.js';
import { envInteger } from '../util/envInteger.js';
import { isProcessAlive } from '../util/isProcessAlive.js';

/**
 * The repository lock for commands that write.
 *
 * The lock is a directory (mkdir is atomic on every filesystem we support,
 * including NFS) holding `owner.json` with pid, host and a random token. A
 * lock whose owner process is gone (same host, pid not alive) is stale and is
 * broken, so a killed trove never leaves the repository locked for good.
 * Breaking is itself guarded by a short-lived `breaking` directory, so two
 * waiters cannot both break the lock and then delete each other's fresh one.
 */
export interface RepoLock {
  release(): void;
}

export interface LockOptions {
  /** how long to wait for another trove before giving up (ms) */
  readonly timeoutMs?: number;
  readonly command: string;
}

const POLL_MS = 25;
/** a crashed breaker or a lock dir without owner file is stale after this */
const ORPHAN_MS = 5000;

interface Owner {
  pid: number;
  host: string;
  token: string;
  command: string;
  since: string;
}

export async function acquireRepoLock(dir: string, options: LockOptions): Promise<RepoLock> {
  const lockDir = join(dir, 'lock');
  const timeoutMs = options.timeoutMs ?? envInteger(process.env, 'TROVE_LOCK_TIMEOUT_MS', 60_000, { min: 0, max: 86_400_000 });
  const deadline = Date.now() + timeoutMs;
  const me: Owner = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), command: options.command, since: new Date().toISOString() };
  mkdirSync(dir, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'owner.json'), JSON.stringify(me));
      return {
        release() {
          const owner = readOwner(lockDir);
          if (owner?.token === me.token) rmSync(lockDir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(lockDir);
    if (isStale(lockDir, owner)) breakLock(dir, lockDir, owner);
    else if (Date.now() > deadline) {
      throw new TroveError('LOCKED', `The repository is locked by another trove process (${owner ? `pid ${owner.pid} on ${owner.host}, running ${owner.command} since ${owner.since}` : 'starting up'}).`, {
        hint: 'Wait for it to finish; if no trove is running, remove .trove/tmp/lock.',
        data: { owner: owner ?? null },
      });
    } else await sleep(POLL_MS);
  }
}

function readOwner(lockDir: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(join(lockDir, 'owner.json'), 'utf8')) as Owner;
  } catch {
    // no owner.json yet (the holder is starting up) or a torn one: undefined, which the caller reports as 'starting up' or treats as stale by age
    return undefined;
  }
}

function isStale(lockDir: string, owner: Owner | undefined): boolean {
  if (!owner) return ageMs(lockDir) > ORPHAN_MS;
  if (owner.host !== hostname()) return false;
  // A pid that is not a number cannot be running: the lock is broken, as before.
  return !(Number.isInteger(owner.pid) && owner.pid > 0 && isProcessAlive(owner.pid));
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    // gone already: age 0, so it is not taken for stale
    return 0;
  }
}

function breakLock(dir: string, lockDir: string, seen: Owner | undefined): void {
  const guard = join(dir, 'lock.breaking');
  try {
    mkdirSync(guard);
  } catch {
    // another process is breaking the lock (or its guard is orphaned, removed here): retry the lock from the top
    if (ageMs(guard) > ORPHAN_MS) rmdirSyncQuiet(guard);
    return;
  }
  try {
    // Only break the lock we judged stale, not a fresh one taken meanwhile.
    if (readOwner(lockDir)?.token === seen?.token) rmSync(lockDir, { recursive: true, force: true });
  } finally {
    rmdirSyncQuiet(guard);
  }
}

function rmdirSyncQuiet(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    /* gone */
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
