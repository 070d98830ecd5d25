import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Backend } from '../remote/Backend.js';
import { RemoteIndex } from '../transfer/RemoteIndex.js';
import { defaultRetryPolicy, type RetryPolicy } from '../transfer/withRetries.js';
import { loadConfig } from '../platform/config.js';
import { parseRemoteUrl } from '../remote/remoteUrl.js';
import { openRemote } from '../workspace/remotes.js';
import type { Repo } from '../workspace/Repo.js';

export interface RemoteSession {
  readonly name: string;
  readonly backend: Backend;
  readonly index: RemoteIndex;
  readonly jobs: number;
  readonly policy: RetryPolicy;
  /** local copies of the remote's pack indexes */
  readonly cacheDir: string;
}

/** Default parallel requests: enough to fill a link with latency; a local directory needs fewer. */
const DEFAULT_JOBS = { dir: 4, other: 8 };

/** Open a remote and load its index; the caller closes the backend. */
export async function openSession(repo: Repo, remote: string | undefined, jobs: number | undefined): Promise<RemoteSession> {
  const { name, backend } = await openRemote(repo, remote);
  try {
    const settings = loadConfig(repo.troveDir).remotes[name]!;
    const j = jobs ?? (Number.isInteger(settings.jobs) ? (settings.jobs as number) : parseRemoteUrl(settings.url, repo.root).scheme === 'dir' ? DEFAULT_JOBS.dir : DEFAULT_JOBS.other);
    const policy = defaultRetryPolicy();
    const cacheDir = join(repo.store.dir, 'remotes', createHash('sha256').update(backend.display).digest('hex').slice(0, 16));
    const index = await RemoteIndex.load(backend, cacheDir, { jobs: j, policy });
    return { name, backend, index, jobs: Math.max(1, j), policy, cacheDir };
  } catch (err) {
    await backend.close().catch(() => undefined);
    throw err;
  }
}
