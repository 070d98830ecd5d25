import type { ManifestEntry } from '../../core/manifest.js';
import { isTroveError } from '../../errors/index.js';
import { readManifest } from '../../store/manifestIO.js';
import { planCheckout } from '../checkout/planCheckout.js';
import { listWorkArtifacts } from '../pointers/pointers.js';
import type { Repo } from '../Repo.js';
import { pointerAsEntry, readWorkState, type WorkState } from './workState.js';
import { streamChunkedWork } from './streamChunkedWork.js';

/** Is there anything at `rel` in the scanned work state? */
function present(work: WorkState, rel: string): boolean {
  return work.kind === 'dir' ? work.entries.some((e) => e.path === rel) : work.kind !== 'missing';
}

export interface UnaddedChanges {
  /** artifacts holding content that is in no version trove has stored: real, unsaved changes */
  readonly unadded: { readonly path: string; readonly files: string[] }[];
  /** artifacts that differ from their pointer only by content the store has (another version, deleted files) */
  readonly differs: string[];
  /** directories only partly here (a partial pull): their absent files were never fetched, which is neither a change nor a version to restore */
  readonly notFetched: string[];
}

/**
 * Which tracked data holds changes that were never added. The test is "is this
 * content in the store", not "does it differ from the pointer": data left at
 * another committed version (mid-rebase, after git reset --hard, a fetch that
 * failed) differs from its pointer, but adding it would record the wrong
 * version, so it is reported apart (`differs`), for trove checkout.
 */
export async function findUnaddedChanges(repo: Repo): Promise<UnaddedChanges> {
  const unadded: { path: string; files: string[] }[] = [];
  const differs: string[] = [];
  const notFetched: string[] = [];
  for (const artifact of await listWorkArtifacts(repo)) {
    // Only the chunks that changed and the leaves they should equal, a range of paths at a time: the rest is identical on both sides.
    const dirty: string[] = [];
    let writes = 0;
    let deletes = 0;
    let allUnfetched = true;
    const state =
      artifact.pointer.kind === 'dir'
        ? await streamChunkedWork(repo, artifact, (b, work) => {
            const plan = planCheckout(repo, artifact, b.expected, work, []);
            const here = new Set(b.actual.map((e) => e.path));
            for (const d of plan.dirty) dirty.push(d);
            writes += plan.writes.length;
            deletes += plan.deletes.length;
            if (allUnfetched) allUnfetched = plan.writes.every((e) => e.mode !== 'l' && !repo.store.hasFile(e.oid) && !here.has(e.path));
          })
        : undefined;
    if (state) {
      if (dirty.length > 0) unadded.push({ path: artifact.path, files: dirty });
      else if (deletes === 0 && writes > 0 && allUnfetched) notFetched.push(artifact.path);
      else if (writes > 0 || deletes > 0) differs.push(artifact.path);
      state.record();
      continue;
    }
    const work = await readWorkState(repo, artifact.path);
    if (work.kind === 'missing') continue;
    let desired: ManifestEntry[] | undefined;
    try {
      desired = artifact.pointer.kind === 'file' ? [pointerAsEntry(artifact.pointer)] : readManifest(repo.store, artifact.pointer.oid, artifact.path);
    } catch (err) {
      if (!isTroveError(err, 'OBJECT_MISSING')) throw err;
    }
    if (desired === undefined) {
      // The version's listing was never fetched: judge each file by the store alone.
      const current = work.kind === 'dir' ? work.entries : work.kind === 'file' ? [work.entry] : [];
      const files = current.filter((e) => e.mode !== 'l' && !repo.store.hasFile(e.oid)).map((e) => (e.path === '' ? artifact.path : `${artifact.path}/${e.path}`));
      if (files.length > 0 || work.kind === 'other') unadded.push({ path: artifact.path, files: files.length ? files : [artifact.path] });
      continue;
    }
    const plan = planCheckout(repo, artifact, desired, work, []);
    if (plan.dirty.length > 0) unadded.push({ path: artifact.path, files: plan.dirty });
    else if (plan.deletes.length === 0 && plan.writes.length > 0 && plan.writes.every((e) => e.mode !== 'l' && !repo.store.hasFile(e.oid) && !present(work, e.path))) notFetched.push(artifact.path);
    else if (plan.writes.length > 0 || plan.deletes.length > 0) differs.push(artifact.path);
  }
  return { unadded, differs, notFetched };
}
