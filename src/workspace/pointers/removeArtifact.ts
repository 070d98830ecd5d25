import { rmSync } from 'node:fs';
import { clearWorkRoot } from '../checkout/clearWorkRoot.js';
import { TroveError, fromFsError } from '../../errors/index.js';
import { pointerPathFor } from '../../core/pointer.js';
import { WorkTreeDirs } from '../../platform/WorkTreeDirs.js';
import { removeIgnored } from '../stage/gitignore.js';
import { stagePaths } from '../stage/stagePaths.js';
import { listWorkArtifacts, covers } from './pointers.js';
import { toRepoPath, type Repo } from '../Repo.js';
import { readWorkState } from '../scan/workState.js';

export interface RemoveResult {
  readonly removed: { path: string; dataDeleted: boolean }[];
  readonly staged: string[];
}

/**
 * Stop tracking artifacts. The data stays (now visible to Git) unless
 * `deleteData`; deleting refuses when the data has content the store lacks,
 * unless `force`.
 */
export async function removeArtifacts(repo: Repo, inputs: readonly string[], options: { deleteData?: boolean; force?: boolean; stage?: boolean } = {}): Promise<RemoveResult> {
  if (inputs.length === 0) throw new TroveError('USAGE', 'trove rm needs at least one tracked path.', { hint: 'Example: trove rm models/old.pt' });
  const all = await listWorkArtifacts(repo);
  // Pointers, .gitignore entries and data are removed through verified directories only, never through a symlink.
  const dirs = new WorkTreeDirs(repo.root);
  const targets = inputs.map((i) => {
    const p = toRepoPath(repo, i);
    const a = all.find((x) => covers(p, x.path) && (p === x.path || p === pointerPathFor(x.path)));
    if (!a) throw new TroveError('NOT_TRACKED', `${p} is not tracked by trove.`, { hint: 'List tracked paths with trove ls.', data: { path: p } });
    dirs.existingParent(a.path);
    return a;
  });
  if (options.deleteData && !options.force) {
    for (const a of targets) {
      const work = await readWorkState(repo, a.path);
      const entries = work.kind === 'file' ? [work.entry] : work.kind === 'dir' ? work.entries : [];
      const unsaved = entries.filter((e) => e.mode !== 'l' && !repo.store.hasFile(e.oid));
      if (unsaved.length > 0) {
        throw new TroveError('DIRTY', `${a.path} has content that is not in the store (${unsaved.length} file(s)); deleting it would lose data.`, { hint: `Run trove add ${a.path} first, or use --force.`, data: { path: a.path } });
      }
    }
  }
  const staged: string[] = [];
  const removed: RemoveResult['removed'] = [];
  for (const a of targets) {
    const pp = pointerPathFor(a.path);
    if (options.stage ?? repo.config.core.autostage) {
      await repo.git.run(['rm', '-q', '--cached', '--ignore-unmatch', '--', pp]);
      staged.push(pp);
    }
    const ppAbs = dirs.existingParent(pp);
    if (ppAbs !== undefined) rmSync(ppAbs, { force: true });
    const ig = await removeIgnored(repo, a.path, dirs);
    if (ig) staged.push(ig);
    clearWorkRoot(repo, a.path);
    if (options.deleteData) {
      try {
        const abs = dirs.existingParent(a.path);
        if (abs !== undefined) rmSync(abs, { recursive: true, force: true });
        dirs.forget(a.path);
      } catch (err) {
        throw fromFsError(err, 'deleting', a.path);
      }
    }
    repo.statCache.deletePrefix(a.path);
    removed.push({ path: a.path, dataDeleted: Boolean(options.deleteData) });
  }
  const stage = options.stage ?? repo.config.core.autostage;
  const toAdd = staged.filter((p) => !p.endsWith('.trove'));
  if (stage && toAdd.length) await stagePaths(repo, toAdd);
  return { removed, staged: stage ? [...new Set(staged)] : [] };
}
