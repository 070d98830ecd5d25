import { TroveError } from '../errors/index.js';
import type { Repo } from '../workspace/Repo.js';

/**
 * The promote branch (registry.branch) as this clone knows it: the local
 * branch, else the Git remote's copy (origin's, else any remote's), for
 * clones that never checked it out.
 */
export async function promoteBranchRef(repo: Repo, branch = repo.config.registry.branch): Promise<{ name: string; ref: string }> {
  const res = await repo.git.run(['for-each-ref', '--format=%(refname)', `refs/heads/${branch}`, `refs/remotes/*/${branch}`]);
  const refs = res.stdout.toString('utf8').split('\n').filter(Boolean);
  const ref = refs.find((r) => r === `refs/heads/${branch}`) ?? refs.find((r) => r === `refs/remotes/origin/${branch}`) ?? refs[0];
  if (!ref) throw new TroveError('NOT_FOUND', `The promote branch ${branch} does not exist in this clone.`, { hint: `git fetch, or set registry.branch in .trove/config.yaml to the branch promotions are merged into.`, data: { branch } });
  return { name: branch, ref };
}
