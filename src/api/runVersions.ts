import { statSync } from 'node:fs';
import { journalPath, listJournalIds } from '../experiments/readRuns.js';
import { runCommits } from '../experiments/readRunsByIds.js';
import type { Repo } from '../workspace/Repo.js';
import { checkOptions } from './checkOptions.js';

export interface RunVersionsResult {
  /** run id → a token that changes whenever the run does (its ref's commit, its journal's size and mtime) */
  readonly versions: Record<string, string>;
}

/**
 * A cheap fingerprint of every run, for watchers (the web UI polls it about
 * once a second): one `git for-each-ref` without messages and one stat per
 * local journal. A live run changes its journal at every checkpoint but its
 * ref only about once a second, so both are part of the token.
 *
 * @example
 *   const before = (await runVersions(repo)).versions;
 *   // … later
 *   const after = (await runVersions(repo)).versions;
 *   const changed = Object.keys({ ...before, ...after }).filter((id) => before[id] !== after[id]);
 */
export async function runVersions(repo: Repo): Promise<RunVersionsResult> {
  checkOptions('runVersions', repo, {}, {});
  const commits = await runCommits(repo);
  const versions: Record<string, string> = {};
  for (const [id, commit] of commits) versions[id] = commit;
  for (const id of listJournalIds(repo)) {
    try {
      const st = statSync(journalPath(repo, id));
      versions[id] = `${versions[id] ?? ''}+${st.size}@${st.mtimeMs}`;
    } catch {
      /* removed between the listing and the stat: the run stopped, its ref says so */
    }
  }
  return { versions };
}
