import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Git } from './git.js';

/**
 * Absolute path of `name` inside the Git directory, as `git rev-parse
 * --git-path` resolves it: it honours `core.hooksPath` for `hooks` and puts
 * per-worktree state (rebase-merge, ...) in the worktree's own directory.
 */
export async function gitPath(git: Git, name: string): Promise<string> {
  const res = await git.run(['rev-parse', '--git-path', name]);
  const p = res.stdout.toString('utf8').trim();
  return isAbsolute(p) ? p : resolve(git.cwd, p);
}

/** Absolute path of the directory shared by all worktrees (`.git` of the main one). */
export async function gitCommonDir(git: Git): Promise<string> {
  const res = await git.run(['rev-parse', '--git-common-dir']);
  const p = res.stdout.toString('utf8').trim();
  return isAbsolute(p) ? p : resolve(git.cwd, p);
}

/** One git config value, or undefined when unset. `scope` is --local or --global (default: all, as Git reads it). */
export async function gitConfigGet(git: Git, key: string, scope?: '--local' | '--global'): Promise<string | undefined> {
  const res = await git.run(['config', ...(scope ? [scope] : []), '--get', key], { allowFail: true });
  const v = res.stdout.toString('utf8').replace(/\n$/, '');
  return res.code === 0 ? v : undefined;
}

/**
 * Is a rebase about to replay commits? A rebase (merge backend) checks out its
 * base first, which fires post-checkout, then picks commits, then fires
 * post-rewrite once at the end. At that first post-checkout its todo list
 * still holds the picks; a rebase that only fast-forwards has an empty list
 * and fires no post-rewrite, so its post-checkout is the only chance to restore.
 */
export async function isRebaseReplaying(git: Git): Promise<boolean> {
  let todo: string;
  try {
    todo = readFileSync(await gitPath(git, 'rebase-merge/git-rebase-todo'), 'utf8');
  } catch {
    // no todo file: no rebase is replaying
    return false;
  }
  return todo.split('\n').some((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}
