import { checkOptions } from './checkOptions.js';
import { localClosure } from '../transfer/closure.js';
import type { Repo } from '../workspace/Repo.js';
import { selectArtifacts } from '../workspace/pointers/transferArtifacts.js';
import { openSession } from '../sync/remoteSession.js';

export interface RemoteArtifactStatus {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  /** objects this clone has that the remote lacks: `trove push` would send them */
  readonly notPushed: number;
  readonly notPushedBytes: number;
  /** the content is on the remote but not complete here: `trove pull` would bring it */
  readonly notPulled: boolean;
  /** neither here nor on the remote (at least in part) */
  readonly nowhere: boolean;
}

export interface RemoteStatusResult {
  readonly remote: string;
  readonly url: string;
  readonly artifacts: RemoteArtifactStatus[];
  readonly inSync: boolean;
}

/**
 * What is not yet pushed and not yet pulled, per tracked artifact of the work
 * tree, from one listing of the remote (its pack indexes are cached).
 *
 * @example
 *   const { artifacts } = await remoteStatus(repo, { remote: 'storage' });
 */
export async function remoteStatus(repo: Repo, options: { remote?: string; paths?: readonly string[] } = {}): Promise<RemoteStatusResult> {
  checkOptions('remoteStatus', repo, options, { remote: 'string?', paths: 'string[]?' });
  const artifacts = await selectArtifacts(repo, { paths: options.paths ?? [] });
  const session = await openSession(repo, options.remote, undefined);
  try {
    const out: RemoteArtifactStatus[] = artifacts.map((a) => {
      const c = localClosure(repo.store, [a]);
      const unpushed = c.items.filter((i) => !session.index.has(i.kind, i.hex));
      const onRemote = (hex: string): boolean => session.index.has('o', hex) || session.index.has('f', hex);
      const notPulled = c.missing.length > 0 && c.missing.every((m) => onRemote(m.hex));
      return {
        path: a.what,
        kind: a.kind,
        notPushed: unpushed.length,
        notPushedBytes: unpushed.reduce((s, i) => s + i.size, 0),
        notPulled,
        nowhere: c.missing.some((m) => !onRemote(m.hex)),
      };
    });
    return { remote: session.name, url: session.backend.display, artifacts: out, inSync: out.every((a) => a.notPushed === 0 && !a.notPulled && !a.nowhere) };
  } finally {
    await session.backend.close();
  }
}
