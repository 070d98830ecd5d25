import { checkOptions } from './checkOptions.js';
import { parseOid } from '../core/oid.js';
import { localClosure } from '../transfer/closure.js';
import type { Repo } from '../workspace/Repo.js';
import { showRevision, type ShowOptions, type ShowResult } from '../workspace/history/showRevision.js';
import { openSession } from '../sync/remoteSession.js';

export interface ShowApiOptions extends ShowOptions {
  /** also tell, per artifact, whether its content is on this remote */
  readonly remote?: string;
}

/**
 * The data state of a commit: every tracked artifact (or those under `path`)
 * with its version, and whether its content is in the local store (and, with
 * `remote`, on that remote): what `trove checkout --rev REV` can bring back.
 *
 * @example
 *   const { artifacts } = await show(repo, { rev: 'HEAD~1', remote: 'storage' });
 */
export async function show(repo: Repo, options: ShowApiOptions): Promise<ShowResult> {
  checkOptions('show', repo, options, { rev: 'string', path: 'string?', files: 'boolean?', remote: 'string?' });
  const result = await showRevision(repo, options);
  if (options.remote === undefined) return result;
  const session = await openSession(repo, options.remote, undefined);
  try {
    // As status -r: what the local store knows of the version is checked object by object; a manifest
    // page missing here is checked by its id alone (its files cannot be listed without it).
    const artifacts = result.artifacts.map((a) => {
      const c = localClosure(repo.store, [{ kind: a.kind, oid: parseOid(a.oid), what: a.path }]);
      return { ...a, onRemote: c.items.every((i) => session.index.has(i.kind, i.hex)) && c.missing.every((m) => session.index.has('o', m.hex) || session.index.has('f', m.hex)) };
    });
    return { ...result, artifacts, remote: session.name };
  } finally {
    await session.backend.close();
  }
}
export type { ShowResult };
