import { resolveRemoteName } from '../sync/remoteConfig.js';
import type { Repo } from '../workspace/Repo.js';

/** How to push commits without their data, named wherever pre-push stops a push. */
export const PUSH_OVERRIDE = 'push without the data: TROVE_SKIP_PUSH=1 git push (or git push --no-verify; hooks.pre_push: off turns this off)';

/** What one hook did, before the CLI prints it: one line per message, already prefixed `trove: `. */
export interface HookOutcome {
  /**
   * nothing: there was nothing to do; skipped: turned off, or not the moment
   * (mid-rebase, not a trove repository); restored, checked, added, pushed: did
   * its work; stopped: stops the commit or push; failed: could not do its work
   * and let Git go on
   */
  readonly action: 'nothing' | 'skipped' | 'restored' | 'checked' | 'added' | 'pushed' | 'stopped' | 'failed';
  /** 0 lets Git go on; 1 stops the commit or the push (only pre-commit and pre-push ever return it) */
  readonly exit: 0 | 1;
  readonly messages: string[];
  /** restore hooks: what was placed; pre-commit: the paths found or added; pre-push: what was sent */
  readonly details?: Record<string, unknown>;
}

/** "a, b and 3 more" */
export function listPaths(paths: readonly string[], max = 3): string {
  if (paths.length <= max) return paths.join(', ');
  return `${paths.slice(0, max).join(', ')} and ${paths.length - max} more`;
}

/** A message from an error, as a clause inside a sentence (no trailing full stop). */
export function clause(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/\.$/, '');
}

/** Quote a path for a command the user may paste into a shell. */
export function shellArg(p: string): string {
  return /^[A-Za-z0-9._\/@%+=:,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

/** The remote fetch and push use by default, or undefined when none is configured (or none is the default of several). */
export function defaultRemote(repo: Repo): string | undefined {
  try {
    return resolveRemoteName(repo);
  } catch {
    // none configured, or several without a default: undefined, as documented above
    return undefined;
  }
}
