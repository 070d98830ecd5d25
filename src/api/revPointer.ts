import { TroveError } from '../errors/index.js';
import { parsePointer, pointerPathFor, type Pointer } from '../core/pointer.js';
import type { Repo } from '../workspace/Repo.js';

/** The pointer committed at `commit` for data path `path`; NOT_FOUND when that commit has none. */
export async function revPointer(repo: Repo, commit: string, path: string, rev: string): Promise<Pointer> {
  const pp = pointerPathFor(path);
  const res = await repo.git.run(['cat-file', 'blob', `${commit}:${pp}`], { allowFail: true });
  if (res.code !== 0) {
    throw new TroveError('NOT_FOUND', `${rev} has no tracked data at ${path} (no ${pp} in that commit).`, { hint: `Name a commit where ${path} is tracked (git log --oneline -- ${pp}).`, data: { rev, path } });
  }
  return parsePointer(res.stdout, `${pp} at ${rev}`);
}
