import { isTroveError } from '../errors/index.js';
import { envValue } from '../util/envVars.js';
import { humanBytes } from '../util/humanBytes.js';
import { artifactsForPush, parsePushUpdates, type PushUpdate } from '../workspace/history/pushedArtifacts.js';
import type { Repo } from '../workspace/Repo.js';
import { push, type PushResult } from '../api/push.js';
import { openSession } from '../sync/remoteSession.js';
import { PUSH_OVERRIDE, clause, defaultRemote, listPaths, type HookOutcome } from './hookOutcome.js';


export interface PrePushInput {
  /** pre-push's arguments: the Git remote's name and URL */
  readonly args: readonly string[];
  /** pre-push's stdin: one `<local ref> <local sha> <remote ref> <remote sha>` line per ref */
  readonly stdin: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Before Git sends commits: send the data they need to the default trove
 * remote, so nobody can fetch a commit whose data is nowhere. When that is
 * not possible (no remote, remote unreachable, content missing here and
 * there) the push stops with the reason and how to override it.
 */
export async function prePushHook(repo: Repo, input: PrePushInput): Promise<HookOutcome> {
  if (envValue(input.env, 'TROVE_SKIP_PUSH') === '1') return { action: 'skipped', exit: 0, messages: ['trove: TROVE_SKIP_PUSH=1, so the data of these commits was not pushed'] };
  if (repo.config.hooks.pre_push === 'off') return { action: 'skipped', exit: 0, messages: [] };
  const updates = pushUpdates(input);
  const artifacts = await artifactsForPush(repo, updates, input.args[0]);
  if (artifacts.length === 0) return { action: 'nothing', exit: 0, messages: [] };
  if (!defaultRemote(repo)) {
    return stop(`the pushed commits need the data of ${listPaths(artifacts.map((a) => a.what))}, and no default trove remote is configured (trove remote add -d storage URL)`, { artifacts: artifacts.length });
  }
  let result: PushResult;
  try {
    result = await push(repo, { artifacts });
  } catch (err) {
    if (!isTroveError(err, 'PARTIAL_TRANSFER')) return stop(`could not send the data to the trove remote: ${clause(err)}`, { artifacts: artifacts.length });
    const partial = err.data?.result as PushResult | undefined;
    if (!partial || partial.failed.length > 0) return stop(`could not send all the data to ${partial?.remote ?? 'the trove remote'}: ${clause(err)}`, { artifacts: artifacts.length });
    // Content this clone never had may be on the remote already (pushed by whoever added it).
    const lacking = await notOnRemote(repo, partial.missingLocally);
    if (lacking.length > 0) {
      return stop(`${lacking.length} file(s) the pushed commits need are neither here nor on ${partial.remote} (${listPaths(lacking.map((m) => m.path))}); fetch them where they were added and push them from there`, { artifacts: artifacts.length });
    }
    result = partial;
  }
  const sent = result.objects > 0 ? [`trove: pushed ${result.objects} object(s), ${humanBytes(result.bytes)} of data to ${result.remote} for ${result.artifacts} artifact(s)`] : [];
  return { action: 'pushed', exit: 0, messages: sent, details: { remote: result.remote, artifacts: result.artifacts, objects: result.objects, bytes: result.bytes } };
}

function stop(reason: string, details: Record<string, unknown>): HookOutcome {
  return { action: 'stopped', exit: 1, messages: [`trove: push stopped: ${reason}`, `trove: fix that and push again, or ${PUSH_OVERRIDE}`], details };
}

/** The ref updates from stdin; under the pre-commit framework (no stdin) from its environment variables. */
function pushUpdates(input: PrePushInput): PushUpdate[] {
  const parsed = parsePushUpdates(input.stdin);
  const env = input.env;
  if (parsed.length > 0 || !env.PRE_COMMIT_TO_REF) return parsed;
  const zero = '0'.repeat(40);
  return parsePushUpdates(`${env.PRE_COMMIT_LOCAL_BRANCH || 'HEAD'} ${env.PRE_COMMIT_TO_REF} ${env.PRE_COMMIT_REMOTE_BRANCH || 'HEAD'} ${env.PRE_COMMIT_FROM_REF || zero}`);
}

async function notOnRemote(repo: Repo, missing: readonly { path: string; oid: string }[]): Promise<{ path: string; oid: string }[]> {
  const session = await openSession(repo, undefined, undefined);
  try {
    return missing.filter((m) => {
      const hex = m.oid.replace(/^sha256:/, '');
      return !session.index.has('o', hex) && !session.index.has('f', hex);
    });
  } finally {
    await session.backend.close();
  }
}
