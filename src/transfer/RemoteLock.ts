import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { TroveError } from '../errors/index.js';
import { bufferBody, type Backend, type RemoteEntry } from '../remote/Backend.js';
import { LOCKS_PREFIX } from '../remote/remoteLayout.js';
import { withRetries, type RetryPolicy } from './withRetries.js';
import { isProcessAlive } from '../util/isProcessAlive.js';

export type LockKind = 'shared' | 'exclusive';

export interface RemoteLockOptions {
  readonly kind: LockKind;
  /** what holds it, for the message another process gets ("push", "gc -r") */
  readonly command: string;
  readonly policy: RetryPolicy;
  /** keep trying this long while a conflicting lock is held (a push waits for gc -r and back) */
  readonly waitMs: number;
  /** a lock not renewed for this long is stale: its holder died or was suspended (restic: 30 min) */
  readonly staleMs?: number;
  /** the holder renews its lock this often (restic: 5 min) */
  readonly refreshMs?: number;
  /** injected for tests */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface LockInfo {
  readonly kind: LockKind;
  readonly command: string;
  readonly host: string;
  readonly pid: number;
}

export const LOCK_STALE_MS = 30 * 60_000;
export const LOCK_REFRESH_MS = 5 * 60_000;

/**
 * A lock object on the remote, as restic locks its repository: pushes take
 * shared locks, gc -r an exclusive one. No backend offers compare-and-swap
 * (a plain directory, S3, Azure, GCS and SFTP all have different ideas of
 * it), so the lock is "write, then look": write our lock, list every lock, and
 * back off (delete ours, wait, retry) when a conflicting one is there. Two
 * processes that write at the same moment both see each other and both back
 * off; one that writes later sees the earlier one. That is sound on every
 * backend whose listing shows an object once its write has returned, which
 * holds for each of them (S3 has been strongly consistent since 2020).
 *
 * A holder renews its lock every `refreshMs`; a lock older than `staleMs`
 * (measured against our own lock's time on the remote, so no two machines'
 * clocks are compared), or one written on this host by a process that no
 * longer exists, is stale: ignored and removed. A holder that could not renew
 * in time (a suspended laptop) may have been taken for dead, so
 * `assertHeld` fails and the caller stops before relying on what it read.
 */
export class RemoteLock {
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private lastRenewal = performance.now();
  private released = false;
  /** the remote's clock when the lock was taken (its listed modification time), when the backend reports one */
  remoteNow: number | undefined;

  private constructor(
    private readonly backend: Backend,
    readonly key: string,
    private readonly body: Buffer,
    private readonly options: RemoteLockOptions,
  ) {}

  static async acquire(backend: Backend, options: RemoteLockOptions): Promise<RemoteLock> {
    const staleMs = options.staleMs ?? LOCK_STALE_MS;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const started = performance.now();
    const info: LockInfo = { kind: options.kind, command: options.command, host: hostname(), pid: process.pid };
    const body = Buffer.from(`trove-lock 1\nkind ${info.kind}\ncommand ${info.command}\nhost ${info.host}\npid ${info.pid}\ntime ${new Date().toISOString()}\n`);
    for (let attempt = 0; ; attempt++) {
      const key = `${LOCKS_PREFIX}${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`;
      const t0 = performance.now();
      await withRetries(() => backend.put(key, bufferBody(body)), options.policy);
      const lock = new RemoteLock(backend, key, body, options);
      lock.lastRenewal = t0;
      let conflict: { info: LockInfo; ageMs: number } | undefined;
      try {
        conflict = await lock.findConflict(staleMs);
      } catch (err) {
        await lock.release();
        throw err;
      }
      if (!conflict) {
        lock.startRenewing();
        return lock;
      }
      await lock.release();
      const waited = performance.now() - started;
      if (waited >= options.waitMs) {
        const other = conflict.info;
        const what = other.kind === 'exclusive' ? `trove ${other.command} is removing data from it` : `trove ${other.command} is writing to it`;
        throw new TroveError('LOCKED', `${backend.display} is locked: ${what} (${other.host}, process ${other.pid}, lock renewed ${Math.round(conflict.ageMs / 1000)} s ago).`, {
          hint: options.kind === 'exclusive' ? 'Run trove gc -r again when the push has finished; a lock left by a killed process expires 30 minutes after its last renewal.' : 'Run the command again when gc -r has finished; a lock left by a killed process expires 30 minutes after its last renewal.',
          data: { holder: other },
        });
      }
      // Jittered, growing waits: two processes that backed off together must not retry together.
      const delay = Math.min(5000, 250 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random());
      await sleep(Math.min(delay, Math.max(50, options.waitMs - waited)));
    }
  }

  /** The first lock that conflicts with ours; stale ones on the way are removed. */
  private async findConflict(staleMs: number): Promise<{ info: LockInfo; ageMs: number } | undefined> {
    const listing = await withRetries(() => this.backend.list(LOCKS_PREFIX), this.options.policy);
    const own = listing.find((e) => e.key === this.key);
    // Our own lock not listed yet: the listing cannot be trusted to show the others either.
    this.remoteNow = own?.mtime;
    if (!own) throw new TroveError('REMOTE', `${this.backend.display} did not list the lock trove had just written (${this.key}); its listings are not consistent enough to lock it.`, { hint: 'Run the command again; if this repeats, the storage does not offer read-after-write listings.' });
    for (const e of listing) {
      if (e.key === this.key) continue;
      const info = await this.readLock(e);
      if (!info) continue;
      const ageMs = own.mtime !== undefined && e.mtime !== undefined ? Math.max(0, own.mtime - e.mtime) : 0;
      if (ageMs > staleMs || (info.host === hostname() && !isProcessAlive(info.pid))) {
        await withRetries(() => this.backend.delete(e.key), this.options.policy).catch(() => undefined); // a stale lock we cannot delete now is retried by the next taker; the live lock we write next is what counts
        continue;
      }
      if (this.options.kind === 'exclusive' || info.kind === 'exclusive') return { info, ageMs };
    }
    return undefined;
  }

  private async readLock(e: RemoteEntry): Promise<LockInfo | undefined> {
    let text: string;
    try {
      text = (await withRetries(() => this.backend.get(e.key), this.options.policy)).toString('utf8');
    } catch (err) {
      if (err instanceof TroveError && err.code === 'NOT_FOUND') return undefined; // released meanwhile
      throw err;
    }
    const field = (name: string): string | undefined => new RegExp(`^${name} (.*)$`, 'm').exec(text)?.[1];
    const kind = field('kind');
    // A lock this trove cannot read is taken as exclusive: what we cannot know, we do not assume away.
    return { kind: kind === 'shared' ? 'shared' : 'exclusive', command: field('command') ?? 'unknown', host: field('host') ?? 'unknown', pid: Number(field('pid') ?? 0) };
  }

  private startRenewing(): void {
    const every = this.options.refreshMs ?? LOCK_REFRESH_MS;
    this.timer = setInterval(() => {
      if (this.renewing) return;
      const t0 = performance.now();
      this.renewing = this.backend.put(this.key, bufferBody(this.body)).then(
        () => {
          if (!this.released) this.lastRenewal = t0;
        },
        () => undefined, // the next tick tries again; assertHeld notices a lapse
      ).finally(() => (this.renewing = undefined));
    }, every);
    this.timer.unref();
  }

  /** Throw LOCKED when the lock went unrenewed long enough that another process may have taken it for stale. */
  assertHeld(): void {
    const gap = performance.now() - this.lastRenewal;
    const staleMs = this.options.staleMs ?? LOCK_STALE_MS;
    // Renewed at least once per (stale - refresh): with a refresh due, the others still see it fresh.
    if (gap > staleMs - (this.options.refreshMs ?? LOCK_REFRESH_MS) / 2) {
      throw new TroveError('LOCKED', `trove ${this.options.command} could not renew its lock on ${this.backend.display} for ${Math.round(gap / 60_000)} min (was the machine suspended?), so another process may have taken it for stale.`, {
        hint: `Run trove ${this.options.command === 'gc -r' ? 'gc -r' : this.options.command} again: it starts from what the remote holds now.`,
      });
    }
  }

  async release(): Promise<void> {
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    // A renewal still in flight would write the lock again after the delete: let it land first.
    await this.renewing;
    await withRetries(() => this.backend.delete(this.key), this.options.policy).catch(() => undefined); // left behind, it goes stale and is removed
  }
}
