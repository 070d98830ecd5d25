import { TroveError, isTroveError } from '../errors/index.js';
import { humanBytes } from '../util/humanBytes.js';
import { changedSince, missingContentSince, pointerChangesSince, type Changes } from '../workspace/scan/changedSince.js';
import { listWorkArtifacts, type Artifact } from '../workspace/pointers/pointers.js';
import { absPath, withLock, type Repo } from '../workspace/Repo.js';
import { removeVanished } from '../workspace/checkout/removeVanished.js';
import { checkout, type CheckoutResult } from '../api/checkout.js';
import { clause, defaultRemote, listPaths, shellArg, type HookOutcome } from './hookOutcome.js';

/**
 * After Git changed the work tree (post-checkout, post-merge, post-rewrite):
 * make the data match the new pointers in one batched checkout over every
 * artifact, fetching first what the local store lacks (hooks.fetch). Never
 * overwrites changes that were not added: those artifacts are left as they
 * are and named, the others are restored. Never stops Git.
 */
export async function restoreHook(repo: Repo, options: { prev?: string } = {}): Promise<HookOutcome> {
  if (!repo.config.hooks.restore) return { action: 'skipped', exit: 0, messages: [] };
  // The pointers Git changed since the previous commit (diff-tree: what the checkout changed, not the whole
  // tree) and the work tree's pointers, listed once for every step below (each listing is a git call).
  const [since, now] = await Promise.all([options.prev ? pointerChangesSince(repo, options.prev) : undefined, listWorkArtifacts(repo)]);
  const vanished = since ? await withLock(repo, 'checkout', () => removeVanished(repo, since.before, now)) : { removed: [], kept: [] };
  const cleanup = vanishedMessages(vanished);
  // Only what changed since the previous commit (the rest was in place and still is); everything when that is unknown.
  const changes = since ? changedSince(repo, since.before, now, since.changed) : undefined;
  const artifacts = changes ? now.filter((a) => changes.paths.some((p) => p === a.path || p.startsWith(a.path + '/'))) : now;
  if (artifacts.length === 0) return { action: vanished.removed.length ? 'restored' : 'nothing', exit: 0, messages: cleanup, details: { removed: vanished.removed } };
  const missing = missingContentSince(repo, artifacts, since?.before);
  let fetched: { remote: string; objects: number; bytes: number } | undefined;
  let fetchProblem: string | undefined;
  if (missing.length > 0) {
    if (!repo.config.hooks.fetch) fetchProblem = 'their content is not in the local store (hooks.fetch is off; trove pull fetches it)';
    else if (!defaultRemote(repo)) fetchProblem = 'their content is not in the local store and no default trove remote is configured (trove remote add -d storage URL, then trove pull)';
    else {
      try {
        // Loaded only when needed: the remote and transfer layers are most of trove's code, and most restores need none of it.
        const { fetch } = await import('../api/fetch.js');
        const r = await fetch(repo, { paths: missing.map((a) => absPath(repo, a.path)) });
        fetched = { remote: r.remote, objects: r.objects, bytes: r.bytes };
      } catch (err) {
        fetchProblem = describeFetchFailure(err);
      }
    }
  }
  const { result, kept, problem } = await checkoutKeepingChanges(repo, artifacts, changes);
  const messages: string[] = [];
  const placed = (result?.artifacts ?? []).filter((a) => a.written > 0 || a.deleted > 0);
  if (placed.length > 0) {
    const from = fetched && fetched.objects > 0 ? `fetched ${humanBytes(fetched.bytes)} from ${fetched.remote} and ` : '';
    messages.push(`trove: ${from}restored ${listPaths(placed.map((a) => a.path))} (${result!.written} file(s) written, ${result!.deleted} removed)`);
  }
  if (kept.length > 0) {
    const p = shellArg(kept[0]!);
    messages.push(`trove: left ${listPaths(kept)} as it is: it has changes that were not added (trove add ${p} keeps them; trove checkout --force ${p} takes the checked-out version)`);
  }
  if (problem) {
    const paths = problemPaths(problem);
    const what = `${paths.length} file(s) (${listPaths(paths)}) not restored`;
    messages.push(`trove: ${what}: ${fetchProblem ?? (problem.code === 'CORRUPT_OBJECT' ? 'their stored content is corrupt (trove pull fetches it again)' : 'their content is not in the local store (trove pull fetches it)')}`);
  }
  return {
    action: placed.length > 0 || vanished.removed.length > 0 ? 'restored' : problem || kept.length ? 'failed' : 'nothing',
    exit: 0,
    messages: [...messages, ...cleanup],
    details: { written: result?.written ?? 0, deleted: result?.deleted ?? 0, restored: placed.map((a) => a.path), kept: [...kept, ...vanished.kept], notRestored: problem ? problemPaths(problem) : [], removed: vanished.removed, ...(fetched ? { fetched } : {}) },
  };
}

function vanishedMessages(v: { removed: string[]; kept: string[] }): string[] {
  const out: string[] = [];
  if (v.removed.length) out.push(`trove: removed ${listPaths(v.removed)}: not tracked at this commit (the content stays in the store)`);
  if (v.kept.length) out.push(`trove: left ${listPaths(v.kept)} in place: not tracked at this commit, and it has changes that were not added`);
  return out;
}

/** Checkout over the changed artifacts; on DIRTY, again over all but the artifacts holding un-added changes. */
async function checkoutKeepingChanges(repo: Repo, all: readonly Artifact[], changes: Changes | undefined): Promise<{ result?: CheckoutResult; kept: string[]; problem?: TroveError }> {
  let kept: string[] = [];
  const scope = changes?.paths;
  let paths: string[] | undefined = scope?.map((p) => absPath(repo, p));
  let artifacts: readonly Artifact[] = all;
  for (let attempt = 0; ; attempt++) {
    try {
      // fetch: false: the hook already fetched (or was told not to); a second attempt would double an offline wait.
      return { result: await checkout(repo, { ...(paths ? { paths } : {}), fetch: false, artifacts, ...(changes ? { entries: changes.entries } : {}) }), kept };
    } catch (err) {
      if (isTroveError(err, 'DIRTY') && attempt === 0) {
        const dirty = (err.data?.paths as string[] | undefined) ?? [];
        kept = all.filter((a) => dirty.some((p) => p === a.path || p.startsWith(a.path + '/'))).map((a) => a.path);
        const rest = all.filter((a) => !kept.includes(a.path));
        if (rest.length === 0) return { kept };
        artifacts = rest;
        const inRest = (p: string): boolean => rest.some((a) => p === a.path || p.startsWith(a.path + '/'));
        paths = scope ? scope.filter(inRest).map((p) => absPath(repo, p)) : rest.map((a) => absPath(repo, a.path));
        continue;
      }
      if (isTroveError(err, 'OBJECT_MISSING') || isTroveError(err, 'CORRUPT_OBJECT')) {
        const result = err.data?.result as CheckoutResult | undefined;
        return { ...(result ? { result } : {}), kept, problem: err };
      }
      throw err;
    }
  }
}

function problemPaths(err: TroveError): string[] {
  const paths = err.data?.paths;
  if (Array.isArray(paths)) return paths.map(String);
  return typeof err.data?.path === 'string' ? [err.data.path] : [];
}

function describeFetchFailure(err: unknown): string {
  if (isTroveError(err, 'PARTIAL_TRANSFER')) return `${clause(err)} (trove pull retries; if the remote lacks the data, push it from the clone that added it)`;
  return `could not fetch them: ${clause(err)} (trove pull when the remote is reachable)`;
}
