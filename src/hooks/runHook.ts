import { checkOptions } from '../api/checkOptions.js';
import { HOOK_NAMES, isHookName, type HookName } from '../core/hookScript.js';
import type { Reporter } from '../core/Reporter.js';
import { TroveError, isTroveError } from '../errors/index.js';
import { isRebaseReplaying } from '../platform/gitPaths.js';
import { openRepo, type Repo } from '../workspace/Repo.js';
import { PUSH_OVERRIDE, clause, type HookOutcome } from './hookOutcome.js';

export interface HookOptions {
  readonly cwd?: string;
  readonly name: string;
  /** the arguments Git passed to the hook */
  readonly args?: readonly string[];
  /** what Git wrote on the hook's stdin (pre-push, post-rewrite) */
  readonly stdin?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly reporter?: Reporter;
}

export interface HookResult extends HookOutcome {
  readonly hook: HookName;
}

/**
 * What the Git hooks written by `trove install` run. Never throws a
 * TroveError: whatever goes wrong becomes a one-line message and exit 0,
 * except that pre-commit and pre-push return exit 1 to stop the commit or
 * the push (see docs/hooks.md for each hook).
 *
 * @example
 *   const r = await runHook({ cwd: root, name: 'post-checkout', args: [oldHead, newHead, '1'] });
 *   for (const m of r.messages) process.stderr.write(m + '\n');
 */
export async function runHook(options: HookOptions): Promise<HookResult> {
  checkOptions('runHook', null, options, { cwd: 'string?', name: 'string', args: 'string[]?', stdin: 'string?', env: 'object?', reporter: 'object?' });
  const name = options.name;
  if (!isHookName(name)) throw new TroveError('USAGE', `"${name}" is not a hook trove handles.`, { hint: `Use one of ${HOOK_NAMES.join(', ')}.` });
  const env = options.env ?? process.env;
  const args = hookArgs(name, options.args ?? [], env);
  let repo: Repo;
  try {
    repo = await openRepo({ ...(options.cwd ? { cwd: options.cwd } : {}), ...(options.reporter ? { reporter: options.reporter } : {}) });
  } catch (err) {
    if (isTroveError(err, 'NOT_INITIALIZED') || isTroveError(err, 'NOT_A_GIT_REPO')) {
      return { hook: name, action: 'skipped', exit: 0, messages: [`trove: no trove repository here (no .trove/config.yaml), so its ${name} hook did nothing`] };
    }
    return failed(name, err);
  }
  try {
    return { hook: name, ...(await dispatch(repo, name, args, options.stdin ?? '', env)) };
  } catch (err) {
    return failed(name, err);
  }
}

/**
 * Each hook's code is loaded only when that hook runs: a post-checkout on
 * every `git checkout` should not pay for loading the push and transfer code.
 */
const restoreHook = () => import('./restoreHook.js');

async function dispatch(repo: Repo, name: HookName, args: readonly string[], stdin: string, env: NodeJS.ProcessEnv): Promise<HookOutcome> {
  switch (name) {
    case 'pre-commit':
      return (await import('./preCommitHook.js')).preCommitHook(repo);
    case 'post-checkout': {
      const [prev, next, flag = '1'] = args;
      // A new branch at the same commit (checkout -b, switch -c) changes no file.
      if (flag === '1' && prev && prev === next) return { action: 'nothing', exit: 0, messages: [] };
      if (flag === '1' && (await isRebaseReplaying(repo.git))) {
        return { action: 'skipped', exit: 0, messages: ['trove: rebase in progress: the data is restored when it finishes (trove checkout restores it now)'] };
      }
      return (await restoreHook()).restoreHook(repo, flag === '1' && prev && !/^0+$/.test(prev) ? { prev } : {});
    }
    case 'post-merge':
      return (await restoreHook()).restoreHook(repo, await origHead(repo));
    case 'post-rewrite':
      // amend rewrites a commit from the index: the work tree, and so the data, did not change.
      if (args[0] === 'amend') return { action: 'nothing', exit: 0, messages: [] };
      return (await restoreHook()).restoreHook(repo, await origHead(repo));
    case 'pre-push':
      return (await import('./prePushHook.js')).prePushHook(repo, { args, stdin, env });
  }
}

/** Where merge and rebase started from: Git records it in ORIG_HEAD. */
async function origHead(repo: Repo): Promise<{ prev?: string }> {
  const res = await repo.git.run(['rev-parse', '--verify', '--quiet', 'ORIG_HEAD^{commit}'], { allowFail: true });
  const sha = res.stdout.toString('utf8').trim();
  return res.code === 0 && sha ? { prev: sha } : {};
}

/** A hook that could not do its work: one line; only pre-push stops Git for it. */
function failed(name: HookName, err: unknown): HookResult {
  if (!(err instanceof TroveError)) throw err;
  if (name === 'pre-push') return { hook: name, action: 'stopped', exit: 1, messages: [`trove: push stopped: ${clause(err)}`, `trove: fix that and push again, or ${PUSH_OVERRIDE}`] };
  const then = name === 'pre-commit' ? 'the commit goes on' : 'run trove checkout once that is fixed';
  return { hook: name, action: 'failed', exit: 0, messages: [`trove: its ${name} hook could not run: ${clause(err)}; ${then}`] };
}

/** Under the pre-commit framework the hook gets no arguments; the same values come in PRE_COMMIT_* variables. */
function hookArgs(name: HookName, args: readonly string[], env: NodeJS.ProcessEnv): readonly string[] {
  if (args.length > 0 || env.PRE_COMMIT !== '1') return args;
  switch (name) {
    case 'post-checkout':
      return [env.PRE_COMMIT_FROM_REF ?? '', env.PRE_COMMIT_TO_REF ?? '', env.PRE_COMMIT_CHECKOUT_TYPE ?? '1'];
    case 'post-merge':
      return [env.PRE_COMMIT_IS_SQUASH_MERGE ?? '0'];
    case 'post-rewrite':
      return [env.PRE_COMMIT_REWRITE_COMMAND ?? 'rebase'];
    case 'pre-push':
      return [env.PRE_COMMIT_REMOTE_NAME ?? '', env.PRE_COMMIT_REMOTE_URL ?? ''];
    default:
      return args;
  }
}
