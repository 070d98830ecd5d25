import { join } from 'node:path';
import { TroveError, isTroveError } from '../errors/index.js';
import type { CheckoutResult } from '../workspace/checkout/checkoutPaths.js';
import { resolveRemoteName } from '../sync/remoteConfig.js';
import { toRepoPath, type Repo } from '../workspace/Repo.js';
import type { FetchResult } from './fetch.js';

export interface RecoverOptions {
  /** remote to fetch missing content from (default: core.remote, or the only one configured) */
  readonly remote?: string;
  /** false: never contact a remote; content missing locally is an error, as before remotes existed */
  readonly fetch?: boolean;
}

export interface Recovered {
  /** present when content was missing locally and was fetched from a remote */
  readonly fetch?: FetchResult;
}

/**
 * Checkout's recovery from a remote. `run` (a checkout) places everything it
 * can and reports what it could not because the content is not in the local
 * store (or was corrupt, and has been removed). Only then, and only for those
 * paths, the remote is asked: what it has is fetched (verified) and `run`
 * places it. A checkout that needs nothing from elsewhere never contacts a
 * remote. If content is still missing, the error says where it was looked
 * for; nothing else in the work tree was touched. Called under the lock.
 */
export async function recoverMissing(repo: Repo, options: RecoverOptions & { paths?: readonly string[]; rev?: string }, run: () => Promise<CheckoutResult>): Promise<CheckoutResult & Recovered> {
  // A misspelt --remote is an error even when nothing needs fetching.
  if (options.remote !== undefined) resolveRemoteName(repo, options.remote);
  let failure: TroveError;
  try {
    return await run();
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING') && !isTroveError(err, 'CORRUPT_OBJECT')) throw err;
    failure = err;
  }
  if (options.fetch === false) throw failure.code === 'OBJECT_MISSING' ? new TroveError('OBJECT_MISSING', failure.message, { hint: 'Run the checkout again without --no-fetch to fetch it from the remote.', cause: failure, data: failure.data }) : failure;
  if (options.remote === undefined && Object.keys(repo.config.remotes).length === 0) throw failure;
  const done = failure.data?.result as CheckoutResult | undefined;
  const failed = (failure.data?.paths as string[] | undefined) ?? [String(failure.data?.path ?? '')];
  // A directory whose manifest was missing is narrowed to the files asked for inside it (granular fetch).
  const asked = (options.paths ?? []).map((p) => toRepoPath(repo, p));
  const narrowed = [...new Set(failed.flatMap((f) => (asked.some((a) => a.startsWith(f + '/')) ? asked.filter((a) => a.startsWith(f + '/')) : [f])))];
  // Absolute, since the command may run in a subdirectory; without paths to name, what the user selected.
  const paths = narrowed.every((p) => p && p !== '?') ? narrowed.map((p) => join(repo.root, p)) : [...(options.paths ?? [])];
  const selection = { paths, ...(options.rev ? { revs: [options.rev], workTree: false } : {}) };
  let fetched: FetchResult;
  try {
    // Loaded here, not at the top: a checkout that needs nothing from a remote (most, and every hook restore) skips the transfer code.
    const { fetchLocked } = await import('./fetch.js');
    fetched = await fetchLocked(repo, { ...selection, ...(options.remote !== undefined ? { remote: options.remote } : {}) });
  } catch (err) {
    if (!isTroveError(err)) throw err;
    if (err.code !== 'PARTIAL_TRANSFER' || !err.data?.result) throw reword(failure, { error: err });
    fetched = err.data.result as FetchResult; // some arrived: place those, name the rest
  }
  if (fetched.objects === 0) throw reword(failure, fetched);
  try {
    return { ...merge(done, await run()), fetch: fetched };
  } catch (err) {
    if (!isTroveError(err, 'OBJECT_MISSING') && !isTroveError(err, 'CORRUPT_OBJECT')) throw err;
    const again = err.data?.result as CheckoutResult | undefined;
    throw reword(err, fetched, again ? merge(done, again) : undefined);
  }
}

/** The content-missing error, saying that the remote was asked too (or why it could not be). */
function reword(err: TroveError, where: FetchResult | { error: TroveError }, result?: CheckoutResult): TroveError {
  if (err.code !== 'OBJECT_MISSING') return err;
  const paths = (err.data?.paths as string[] | undefined) ?? [String(err.data?.path ?? '?')];
  const first = paths[0]!;
  const subject = paths.length === 1 ? `The content of ${first}` : `The content of ${paths.length} files (${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', …' : ''})`;
  const data = { ...err.data, ...(result ? { result } : {}) };
  if ('remote' in where) {
    return new TroveError('OBJECT_MISSING', `${subject} is neither in the local store nor on the remote "${where.remote}".`, {
      hint: `Push it from a clone that has it (trove push), or bring back a version that exists (trove log ${first} lists them).`,
      cause: err,
      data: { ...data, remote: where.remote, fetchFailed: where.failed },
    });
  }
  return new TroveError('OBJECT_MISSING', `${subject} is not in the local store, and fetching it failed: ${where.error.message.replace(/\.$/, '')}.`, {
    hint: where.error.hint ?? 'Check the remote with trove remote list, then run the checkout again.',
    cause: err,
    data: { ...data, fetchError: where.error.toJSON() },
  });
}

/** One result for a checkout done in two passes (what was there, then what was fetched). */
function merge(first: CheckoutResult | undefined, second: CheckoutResult): CheckoutResult {
  if (!first) return second;
  const written = new Map(first.artifacts.map((a) => [a.path, a.written]));
  const artifacts = first.artifacts.map((a) => ({ ...a }));
  for (const b of second.artifacts) {
    const a = artifacts.find((x) => x.path === b.path);
    // What the first pass wrote, the second found already in place.
    if (a) Object.assign(a, { written: a.written + b.written, deleted: a.deleted + b.deleted, unchanged: Math.max(0, b.unchanged - (written.get(b.path) ?? 0)) });
    else artifacts.push({ ...b });
  }
  return {
    artifacts,
    written: first.written + second.written,
    deleted: first.deleted + second.deleted,
    saved: [...first.saved, ...second.saved],
    pointers: [...new Set([...first.pointers, ...second.pointers])],
    strategy: second.strategy,
  };
}
