import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Backend } from '../remote/Backend.js';
import { RemoteIndex } from '../transfer/RemoteIndex.js';
import { RemoteLock, type LockKind } from '../transfer/RemoteLock.js';
import { removeStaleTemp, STALE_TEMP_MS } from '../transfer/removeStaleUploads.js';
import { defaultRetryPolicy, type RetryPolicy } from '../transfer/withRetries.js';
import { parseRemoteUrl } from '../remote/remoteUrl.js';
import type { ContentStore } from '../store/ContentStore.js';
import { openBackend } from '../remote/openBackend.js';
import { RemoteSettings } from '../remote/remoteSettings.js';
import { resolveRemoteName } from './remoteConfig.js';
import type { Repo } from '../workspace/Repo.js';

export interface RemoteSession {
  readonly name: string;
  readonly backend: Backend;
  readonly index: RemoteIndex;
  readonly jobs: number;
  readonly policy: RetryPolicy;
  /** local copies of the remote's pack indexes */
  readonly cacheDir: string;
  /** held when the session was opened with `lock` (released by closeSession) */
  readonly lock?: RemoteLock;
  /** temp uploads of killed pushes removed before the lock was taken (with `lock.removeStaleTemp`) */
  readonly removedTemp?: { readonly tempFiles: string[]; readonly bytes: number };
}

/** A lock to take on the remote before its index is read (what the holder relies on must not change under it). */
export interface SessionLock {
  readonly kind: LockKind;
  readonly command: string;
  readonly waitMs: number;
  /** first remove killed pushes' temp uploads: on a remote they filled, even the lock would not fit */
  readonly removeStaleTemp?: boolean;
}

/** Default parallel requests: enough to fill a link with latency; a local directory needs fewer. */
const DEFAULT_JOBS = { dir: 4, other: 8 };

/** Open a remote and load its index; the caller closes the backend. */
export async function openSession(repo: Repo, remote: string | undefined, jobs: number | undefined, lock?: SessionLock): Promise<RemoteSession> {
  const name = resolveRemoteName(repo, remote);
  const { url, ...settings } = repo.config.remotes[name]!;
  const parsed = parseRemoteUrl(url, repo.root);
  if (parsed.scheme === 'dir' && !existsSync(parsed.path)) {
    repo.reporter.warn(`The directory ${parsed.path} of the remote "${name}" does not exist: a push creates it, a fetch finds nothing there.`, { remote: name, path: parsed.path });
  }
  warnExposedSecretFiles(repo, name, settings);
  return openBackendSession({ name, url, settings }, repo.store, { jobs, baseDir: repo.root, ...(lock ? { lock } : {}) });
}

/** Release the session's lock (if any) and the backend's connections. */
export async function closeSession(session: RemoteSession): Promise<void> {
  session.index.close();
  try {
    await session.lock?.release();
  } finally {
    await session.backend.close();
  }
}

/** Settings naming a file that holds a key or a token. */
const SECRET_FILE_SETTINGS = ['key_file', 'credentials_file'] as const;

/** A key file that group or others can read is warned about on the commands that use it (ssh(1) refuses such keys outright). */
function warnExposedSecretFiles(repo: Repo, name: string, settings: Readonly<Record<string, unknown>>): void {
  if (process.platform === 'win32') return;
  for (const key of SECRET_FILE_SETTINGS) {
    const value = settings[key];
    if (typeof value !== 'string' || value === '') continue;
    const path = value.startsWith('~/') ? join(process.env.HOME || homedir(), value.slice(2)) : resolve(repo.root, value);
    try {
      const mode = statSync(path).mode & 0o777;
      if ((mode & 0o077) !== 0) repo.reporter.warn(`The ${key} of the remote "${name}" (${path}) is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 ${path}.`, { remote: name, setting: key, path });
    } catch {
      /* a missing file is the backend's error to report */
    }
  }
}

/**
 * Open a remote given by its configuration (this repository's, or another
 * one's for trove get) and load its index, cached in the store (ContentStore.remoteCacheDir).
 */
export async function openBackendSession(remote: { name: string; url: string; settings: Readonly<Record<string, unknown>> }, store: ContentStore, options: { jobs?: number; baseDir?: string; lock?: SessionLock } = {}): Promise<RemoteSession> {
  // Bad numbers stop the command before any connection (a NaN retry count would retry forever).
  const policy = defaultRetryPolicy();
  // jobs: 1–256; a typo is a CONFIG error, not the default
  const configured = new RemoteSettings(remote.name, remote.settings).int('jobs', { min: 1, max: 256 });
  const backend = await openBackend({ name: remote.name, url: remote.url, settings: remote.settings, env: process.env, ...(options.baseDir ? { baseDir: options.baseDir } : {}) });
  let lock: RemoteLock | undefined;
  try {
    const j = options.jobs ?? configured ?? (parseRemoteUrl(remote.url, options.baseDir).scheme === 'dir' ? DEFAULT_JOBS.dir : DEFAULT_JOBS.other);
    const cacheDir = store.remoteCacheDir(backend.display);
    // A read-only remote (HTTP) is never written, so nothing there can change under a reader.
    let removedTemp: { tempFiles: string[]; bytes: number } | undefined;
    if (options.lock && !backend.readOnly) {
      // Best effort: a push that could not tidy up still tries to send its data.
      if (options.lock.removeStaleTemp) removedTemp = await removeStaleTemp(backend, { now: Date.now(), ageMs: STALE_TEMP_MS, policy }).catch(() => undefined);
      lock = await RemoteLock.acquire(backend, { ...options.lock, policy });
    }
    const index = await RemoteIndex.load(backend, cacheDir, { jobs: j, policy });
    return { name: remote.name, backend, index, jobs: Math.max(1, j), policy, cacheDir, ...(lock ? { lock } : {}), ...(removedTemp ? { removedTemp } : {}) };
  } catch (err) {
    await lock?.release().catch(() => undefined); // cleanup only: the opening error is rethrown below
    await backend.close().catch(() => undefined); // cleanup only: the opening error is rethrown below
    throw err;
  }
}
