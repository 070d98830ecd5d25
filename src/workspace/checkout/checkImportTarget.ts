import { TroveError } from '../../errors/index.js';
import { dataPathFor } from '../../core/pointer.js';
import { listWorkPointerPaths, readWorkPointer } from '../pointers/pointers.js';
import { absPath, type Repo } from '../Repo.js';
import { pathExists } from '../../util/pathExists.js';

/**
 * May `trove import` write data path `out`? Not over data or a pointer that
 * is already there (unless `force`), and never where `add` could not track it:
 * over files Git tracks, inside a tracked directory, or around tracked data.
 */
export async function checkImportTarget(repo: Repo, out: string, force: boolean): Promise<void> {
  const existing = readWorkPointer(repo, out);
  if (existing && !force) {
    throw new TroveError('USAGE', `${out} is already tracked by trove.`, {
      hint: existing.source ? `Bring a newer version with trove update ${out}, or pass --force to import over it.` : `Choose another name with -o OUT, or pass --force to replace it.`,
      data: { path: out },
    });
  }
  if (!existing && !force && pathExists(absPath(repo, out))) {
    throw new TroveError('USAGE', `${out} already exists.`, { hint: 'Choose another name with -o OUT, or pass --force to replace it (its content is saved in the store first).', data: { path: out } });
  }
  const res = await repo.git.run(['ls-files', '-z', '--cached', '--', `:(literal)${out}`]);
  const inGit = res.stdout.toString('utf8').split('\0').find(Boolean);
  if (inGit) throw new TroveError('ALREADY_TRACKED', `${inGit} is tracked by Git, so trove cannot import over it.`, { hint: 'Choose another name with -o OUT.', data: { path: out } });
  const tracked = (await listWorkPointerPaths(repo)).map(dataPathFor);
  const parent = tracked.find((a) => out.startsWith(a + '/'));
  if (parent) throw new TroveError('ALREADY_TRACKED', `${out} is inside ${parent}, which trove tracks as a directory.`, { hint: 'Choose a name outside tracked directories with -o OUT.', data: { path: out, parent } });
  const child = tracked.find((a) => a.startsWith(out + '/'));
  if (child) throw new TroveError('ALREADY_TRACKED', `${out} contains ${child}, which trove tracks separately.`, { hint: 'Choose another name with -o OUT.', data: { path: out, child } });
}
