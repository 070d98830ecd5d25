import { existsSync, lstatSync, renameSync, rmSync, statSync } from 'node:fs';
import { clearWorkRoot } from '../checkout/clearWorkRoot.js';
import { TroveError, fromFsError } from '../../errors/index.js';
import { pointerPathFor } from '../../core/pointer.js';
import { WorkTreeDirs } from '../../platform/WorkTreeDirs.js';
import { ensureIgnored, removeIgnored } from '../stage/gitignore.js';
import { pruneEmptyDirs } from '../checkout/pruneEmptyDirs.js';
import { stagePaths } from '../stage/stagePaths.js';
import { listWorkArtifacts, writeWorkPointer, covers } from './pointers.js';
import { absPath, toRepoPath, type Repo } from '../Repo.js';

export interface MoveResult {
  readonly from: string;
  readonly to: string;
  readonly staged: string[];
}

/** Move a tracked artifact: data, pointer and .gitignore entries together. */
export async function moveArtifact(repo: Repo, src: string, dst: string, options: { stage?: boolean } = {}): Promise<MoveResult> {
  const from = toRepoPath(repo, src);
  // Source and destination are reached through verified directories only, never through a symlink.
  const dirs = new WorkTreeDirs(repo.root);
  const artifacts = await listWorkArtifacts(repo);
  const artifact = artifacts.find((a) => covers(from, a.path) && (from === a.path || from === pointerPathFor(a.path)));
  if (!artifact) throw new TroveError('NOT_TRACKED', `${from} is not tracked by trove.`, { hint: 'Use git mv for files Git tracks; list trove\'s with trove ls.', data: { path: from } });
  let to = toRepoPath(repo, dst);
  dirs.existingParent(artifact.path);
  dirs.existingParent(to);
  if (isDir(absPath(repo, to))) to = `${to}/${artifact.path.split('/').pop()}`;
  if (to === artifact.path) throw new TroveError('USAGE', `${from} is already at ${to}.`, { hint: 'Name a different destination.' });
  if (existsSync(absPath(repo, to)) || existsSync(absPath(repo, pointerPathFor(to)))) {
    throw new TroveError('USAGE', `${to} already exists.`, { hint: 'Choose another destination, or remove it first.', data: { path: to } });
  }
  const nested = artifacts.find((a) => to.startsWith(a.path + '/'));
  if (nested) throw new TroveError('USAGE', `${to} is inside ${nested.path}, which trove tracks as a directory.`, { hint: 'Move it somewhere outside tracked directories.' });
  // Neither directory's recorded version holds after the move (one stays empty, the other may have an older life).
  clearWorkRoot(repo, artifact.path);
  clearWorkRoot(repo, to);
  try {
    const dest = dirs.ensureParent(to);
    if (existsSync(absPath(repo, artifact.path))) renameSync(absPath(repo, artifact.path), dest);
    dirs.forget(artifact.path);
  } catch (err) {
    throw fromFsError(err, 'moving', artifact.path);
  }
  // New pointer and ignore entry first, then remove the old ones: a crash in between leaves both, never neither.
  await writeWorkPointer(repo, to, artifact.pointer, dirs);
  const ignoreNew = await ensureIgnored(repo, to, dirs);
  const oldPointer = pointerPathFor(artifact.path);
  const stage = options.stage ?? repo.config.core.autostage;
  if (stage) await repo.git.run(['rm', '-q', '--cached', '--ignore-unmatch', '--', oldPointer]);
  rmSync(dirs.existingParent(oldPointer) ?? absPath(repo, oldPointer), { force: true });
  const ignoreOld = await removeIgnored(repo, artifact.path, dirs);
  repo.statCache.deletePrefix(artifact.path);
  const staged = [pointerPathFor(to), ...(ignoreNew ? [ignoreNew] : []), ...(ignoreOld ? [ignoreOld] : [])];
  // The data's old directory, left empty by the move (no data, pointer or .gitignore), goes too, as with git mv.
  pruneEmptyDirs('', [artifact.path], dirs);
  if (stage) await stagePaths(repo, staged);
  return { from: artifact.path, to, staged: stage ? [...new Set(staged), oldPointer] : [] };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory() && !lstatSync(p).isSymbolicLink();
  } catch {
    // nothing (or nothing we can stat) at p: not a directory, and the move reports its own errors
    return false;
  }
}
