import { invalidWorkPointers } from '../workspace/pointers/pointers.js';
import { findUnaddedChanges } from '../workspace/scan/unaddedChanges.js';
import { absPath, saveCaches, type Repo } from '../workspace/Repo.js';
import { add } from '../api/add.js';
import { clause, listPaths, shellArg, type HookOutcome } from './hookOutcome.js';

const OVERRIDE = 'git commit --no-verify commits without this check';

/**
 * Before a commit: tracked data holding changes that were never added would
 * be committed at its old version. hooks.pre_commit: check (default) stops
 * the commit naming the paths and the fix; add adds them and stages their
 * pointers; off does nothing. Data merely left at another stored version
 * (mid-rebase, after git reset --hard) is not a change to add, and is only
 * mentioned.
 */
export async function preCommitHook(repo: Repo): Promise<HookOutcome> {
  const mode = repo.config.hooks.pre_commit;
  if (mode === 'off') return { action: 'skipped', exit: 0, messages: [] };
  let changes;
  try {
    changes = await findUnaddedChanges(repo);
  } finally {
    saveCaches(repo);
  }
  // Neither note suggests trove add: that would record the wrong version, or record files never fetched as deleted.
  const notes = [
    ...(changes.differs.length ? [`trove: ${listPaths(changes.differs)} differ(s) from the pointer by a version already stored; trove checkout restores the pointer's version (trove checkout ${changes.differs.map(shellArg).join(' ')})`] : []),
    ...(changes.notFetched.length ? [`trove: ${listPaths(changes.notFetched)} hold(s) files never fetched here (not deleted); trove pull ${changes.notFetched.map(shellArg).join(' ')} gets them`] : []),
  ];
  // A pointer edited into garbage would be committed as it is: stop, naming it and its fix (every other artifact was still checked).
  const invalid = [...invalidWorkPointers(repo).values()];
  if (invalid.length > 0) {
    return {
      action: 'stopped',
      exit: 1,
      messages: [...notes, ...invalid.map((e) => `trove: commit stopped: ${e.message} ${e.hint ?? ''}`.trim()), `trove: fix that and commit again (${OVERRIDE})`],
      details: { invalidPointers: invalid.map((e) => e.data?.file), unadded: changes.unadded.map((u) => u.path), differs: changes.differs },
    };
  }
  if (changes.unadded.length === 0) return { action: 'checked', exit: 0, messages: notes, details: { unadded: [], differs: changes.differs } };
  const paths = changes.unadded.map((u) => u.path);
  const files = changes.unadded.flatMap((u) => u.files);
  const addCommand = `trove add ${paths.map(shellArg).join(' ')}`;
  if (mode === 'add') {
    try {
      const r = await add(repo, { paths: paths.map((p) => absPath(repo, p)), stage: true });
      return { action: 'added', exit: 0, messages: [...notes, `trove: added ${listPaths(paths)} and staged ${listPaths(r.staged)} (hooks.pre_commit: add)`], details: { added: paths, staged: r.staged, differs: changes.differs } };
    } catch (err) {
      return { action: 'stopped', exit: 1, messages: [`trove: commit stopped: could not add ${listPaths(paths)}: ${clause(err)}`, `trove: fix that and commit again (${OVERRIDE})`], details: { unadded: paths } };
    }
  }
  return {
    action: 'stopped',
    exit: 1,
    messages: [
      ...notes,
      `trove: commit stopped: tracked data changed but not added: ${listPaths(files, 5)}`,
      `trove: run ${addCommand} and commit again (${OVERRIDE}; hooks.pre_commit: add in .trove/config.yaml adds them automatically)`,
    ],
    details: { unadded: paths, files, differs: changes.differs },
  };
}
