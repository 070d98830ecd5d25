import { TroveError } from '../errors/index.js';
import { parseOid } from '../core/oid.js';
import { createPointer } from '../core/pointer.js';
import { absPath, toRepoPath, withLock, type Repo } from '../workspace/Repo.js';
import { DEFAULT_KEEP_SAVED_MS, readSavedCopies, type SavedCopy } from '../workspace/checkout/savedCopies.js';
import { writeOutput } from '../workspace/checkout/writeOutput.js';

export interface SavedListResult {
  readonly saved: (SavedCopy & { readonly keepUntil: string; readonly available: boolean })[];
  /** how long gc keeps a saved copy by default (ms) */
  readonly keepMs: number;
}

/**
 * The local versions that checkout --force (or pull/update --force) saved
 * before overwriting them, oldest first: `available` is false when gc has
 * already let the content go.
 *
 * @example
 *   const { saved } = await listSaved(repo);
 */
export async function listSaved(repo: Repo): Promise<SavedListResult> {
  const saved = readSavedCopies(repo).map((s) => ({
    ...s,
    keepUntil: new Date(Date.parse(s.time) + DEFAULT_KEEP_SAVED_MS).toISOString(),
    available: repo.store.hasFile(parseOid(s.oid, `saved copy ${s.id}`)),
  }));
  return { saved, keepMs: DEFAULT_KEEP_SAVED_MS };
}

export interface RestoreSavedOptions {
  /** the saved copy's id, as `trove saved` lists it */
  readonly id: string;
  /** where to write it (default: the path it was saved from) */
  readonly output?: string;
  /** replace what is there now */
  readonly force?: boolean;
}

export interface RestoreSavedResult {
  readonly id: string;
  readonly path: string;
  readonly oid: string;
  readonly size: number;
  /** repository path written */
  readonly output: string;
}

/**
 * Write a saved copy back, as a plain file, to where it was or to `output`.
 * An existing file there is only replaced with `force` (it is not saved
 * first: choose another output to keep both).
 *
 * @example
 *   await restoreSaved(repo, { id: '3', output: 'model.mine.pt' });
 */
export function restoreSaved(repo: Repo, options: RestoreSavedOptions): Promise<RestoreSavedResult> {
  if (!options?.id) throw new TroveError('USAGE', 'trove saved restore needs the id of a saved copy.', { hint: 'List them with trove saved.' });
  return withLock(repo, 'saved restore', async () => {
    const copy = readSavedCopies(repo).find((s) => s.id === String(options.id));
    if (!copy) throw new TroveError('NOT_FOUND', `There is no saved copy ${options.id}.`, { hint: 'List the saved copies with trove saved.', data: { id: options.id } });
    const oid = parseOid(copy.oid, `saved copy ${copy.id}`);
    if (!repo.store.hasFile(oid)) {
      throw new TroveError('OBJECT_MISSING', `Saved copy ${copy.id} (${copy.path}) is no longer in the store: gc removed it after its keep time.`, { hint: 'Nothing left to restore here; another clone that has it can push it.', data: { id: copy.id, oid: copy.oid } });
    }
    const output = options.output ? toRepoPath(repo, options.output) : copy.path;
    await writeOutput(repo.store, { pointer: createPointer({ kind: 'file', oid, size: copy.size }), entries: [{ path: '', mode: 'f', size: copy.size, oid }] }, absPath(repo, output), {
      force: Boolean(options.force),
      shown: output,
      what: `saved copy ${copy.id} of ${copy.path}`,
      reporter: repo.reporter,
    });
    repo.statCache.deletePrefix(output);
    return { id: copy.id, path: copy.path, oid: copy.oid, size: copy.size, output };
  });
}
