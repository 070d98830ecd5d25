import { TroveError } from '../errors/index.js';
import type { Git } from './git.js';

/**
 * The Git remote commands talk to when none is named: the current branch's
 * upstream remote, else `origin`, else the only remote; null when the
 * repository has none (a repository nobody pushes anywhere yet).
 */
export async function defaultGitRemote(git: Git): Promise<string | null> {
  const remotes = (await git.run(['remote'], { allowFail: true })).stdout.toString('utf8').split('\n').filter(Boolean);
  if (remotes.length === 0) return null;
  const branch = (await git.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFail: true })).stdout.toString('utf8').trim();
  if (branch) {
    const up = (await git.run(['config', '--get', `branch.${branch}.remote`], { allowFail: true })).stdout.toString('utf8').trim();
    if (up && remotes.includes(up)) return up;
  }
  if (remotes.includes('origin')) return 'origin';
  return remotes.length === 1 ? remotes[0]! : null;
}

export interface PushedRef {
  readonly ref: string;
  /** ok, or why Git refused: 'exists' (a tag the remote already has with other content), 'non-fast-forward', 'other' */
  readonly status: 'ok' | 'up-to-date' | 'exists' | 'non-fast-forward' | 'other';
  readonly detail: string;
}

/**
 * `git push --porcelain` of `refspecs` (`noVerify`: without the pre-push hook), each ref's outcome parsed (porcelain
 * lines `<flag>\t<from>:<to>\t<summary>`), so a caller can map Git's
 * refusals to its own errors. `atomic`: all or none (Git's --atomic).
 * A remote that cannot be reached is a REMOTE error.
 */
export async function pushRefs(git: Git, remote: string, refspecs: readonly string[], options: { atomic?: boolean; noVerify?: boolean } = {}): Promise<PushedRef[]> {
  if (remote.startsWith('-')) throw new TroveError('USAGE', `Invalid remote "${remote}".`, { hint: 'Name a Git remote (git remote -v lists them).' });
  const res = await git.run(['push', '--porcelain', ...(options.atomic ? ['--atomic'] : []), ...(options.noVerify ? ['--no-verify'] : []), remote, ...refspecs], { allowFail: true });
  const out: PushedRef[] = [];
  for (const line of res.stdout.toString('utf8').split('\n')) {
    const m = /^([ +\-*=!])\t([^\t]*):([^\t]*)\t(.*)$/.exec(line);
    if (!m) continue;
    const [, flag, , to, summary] = m;
    const status = flag === '=' ? 'up-to-date' : flag !== '!' ? 'ok' : /already exists/.test(summary!) ? 'exists' : /non-fast-forward|fetch first/.test(summary!) ? 'non-fast-forward' : 'other';
    out.push({ ref: to!, status, detail: summary! });
  }
  if (res.code !== 0 && out.length === 0) {
    throw new TroveError('REMOTE', `git push to ${remote} failed: ${res.stderr.split('\n').find((l) => /fatal|error/.test(l))?.replace(/^(fatal|error): /, '') ?? `exit code ${res.code}`}.`, {
      hint: 'Check the remote (git remote -v) and your connection, then run the command again.',
      retryable: true,
      data: { remote, stderr: res.stderr.slice(0, 2000) },
    });
  }
  return out;
}
