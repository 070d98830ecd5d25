import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXPERIMENT_REF_PREFIX } from '../core/experimentRecord.js';
import { POINTER_SUFFIX } from '../core/pointer.js';
import { ENTITIES_DIR } from '../core/registryTypes.js';
import type { Repo } from '../workspace/Repo.js';

export interface RepoSummary {
  /** experiment runs recorded in this clone (run refs; live runs not yet committed are not counted) */
  readonly runs: number;
  /** entities declared in the work tree's registry */
  readonly entities: number;
  /** pointer files in Git's index: the tracked data paths */
  readonly trackedPaths: number;
}

/**
 * How much there is of each kind, cheaply (two git calls and one readdir, no
 * record read): what the UI's home page shows before anything is opened.
 *
 * @example
 *   const { runs, entities, trackedPaths } = await repoSummary(repo);
 */
export async function repoSummary(repo: Repo): Promise<RepoSummary> {
  const [refs, pointers] = await Promise.all([
    repo.git.run(['for-each-ref', '--format=x', EXPERIMENT_REF_PREFIX]),
    repo.git.run(['ls-files', '-z', '--', `:(glob)**/*${POINTER_SUFFIX}`]),
  ]);
  let entities = 0;
  try {
    entities = readdirSync(join(repo.root, ...ENTITIES_DIR.split('/'))).filter((n) => n.endsWith('.yaml')).length;
  } catch {
    entities = 0; // no registry yet: nothing declared
  }
  const count = (out: Buffer, sep: string): number => out.toString('utf8').split(sep).filter(Boolean).length;
  return { runs: count(refs.stdout, '\n'), entities, trackedPaths: count(pointers.stdout, '\0') };
}
