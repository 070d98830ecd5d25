import { TroveError } from '../errors/index.js';
import type { Git } from './git.js';
import { defaultGitRemote } from './gitRemote.js';

/**
 * The Git remote to use: the one named (it must exist), else the current
 * branch's upstream remote, `origin`, or the only one; null when the repository has none (a promotion then stops
 * before pushing, keeping its branch).
 */
export async function pickGitRemote(git: Git, name?: string): Promise<string | null> {
  const res = await git.run(['remote']);
  const remotes = res.stdout.toString('utf8').split('\n').filter(Boolean);
  if (name) {
    if (!remotes.includes(name)) throw new TroveError('USAGE', `"${name}" is not a Git remote of this repository${remotes.length ? ` (it has ${remotes.join(', ')})` : ''}.`, { hint: remotes.length ? `Pass one of them with -r, or add it: git remote add ${name} URL.` : `Add it: git remote add ${name} URL.`, data: { remote: name, remotes } });
    return name;
  }
  const picked = await defaultGitRemote(git);
  if (picked || remotes.length === 0) return picked;
  throw new TroveError('USAGE', `This repository has several Git remotes (${remotes.join(', ')}) and none is called origin or tracked by the current branch.`, { hint: `Pass one with -r, e.g. -r ${remotes[0]}.`, data: { remotes } });
}

/** The fetch URL of a Git remote, or undefined. */
export async function gitRemoteUrl(git: Git, remote: string): Promise<string | undefined> {
  const res = await git.run(['remote', 'get-url', remote], { allowFail: true });
  return res.code === 0 ? res.stdout.toString('utf8').trim() : undefined;
}

/** "Name <email>" of whoever Git would record as committer here (user.name / user.email, or GIT_COMMITTER_*). */
export async function gitIdentity(git: Git): Promise<string> {
  const res = await git.run(['var', 'GIT_COMMITTER_IDENT'], { allowFail: true });
  const m = /^(.*?<[^>]*>)/.exec(res.stdout.toString('utf8').trim());
  return m ? m[1]! : 'unknown';
}
