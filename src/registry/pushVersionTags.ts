import { TroveError, isTroveError } from '../errors/index.js';
import { parseTag } from '../core/registryNames.js';
import { lsRemoteTags } from '../platform/gitRefs.js';
import { pushRefs } from '../platform/gitRemote.js';
import type { RegistryContext } from './RegistryContext.js';
import { nextFree, takenVersions, versionExists } from './nextVersion.js';

export interface PushedTags {
  readonly remote: string;
  /** tags the remote has now (sent, or already there with the same object) */
  readonly pushed: string[];
}

/**
 * Send version tags to a Git remote (atomically: all or none). A tag the
 * remote already has with other content (someone registered the same
 * version first) is VERSION_EXISTS with data.where 'remote' and the next
 * version free there and here in the hint. `--no-verify`: the caller has
 * sent the data already, and trove's own pre-push hook must not run inside
 * a trove command (it would wait for the lock this command holds).
 */
export async function pushVersionTags(ctx: RegistryContext, remote: string, tags: readonly string[], localTags: Iterable<string>): Promise<PushedTags> {
  if (tags.length === 0) return { remote, pushed: [] };
  const results = await pushRefs(ctx.git, remote, tags.map((t) => `refs/tags/${t}:refs/tags/${t}`), { atomic: true, noVerify: true });
  const refused = results.find((r) => r.status === 'exists');
  if (refused) {
    const tag = refused.ref.replace(/^refs\/tags\//, '');
    const p = parseTag(tag);
    if (p && p.kind === 'register') {
      let remoteTags: string[] = [];
      try {
        remoteTags = (await lsRemoteTags(ctx.git, remote, [`${p.name}@*`])).map((t) => t.tag);
      } catch (err) {
        if (!isTroveError(err, 'REMOTE')) throw err;
      }
      const next = nextFree([...takenVersions(p.name, localTags), ...takenVersions(p.name, remoteTags)], ctx.config.registry.bump);
      const err = versionExists(p.name, p.version, 'remote', next, remote);
      const commit = (await ctx.git.run(['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`], { allowFail: true })).stdout.toString('utf8').trim().slice(0, 12);
      throw new TroveError('VERSION_EXISTS', `${err.message.replace(/\.$/, '')}: someone registered it first, so this clone's ${tag} was not sent.`, {
        hint: `Renumber yours: git tag -d ${tag} && trove version ${p.name} --rev ${commit || 'COMMIT'} --version ${next}`,
        data: { ...err.data, commit },
      });
    }
  }
  const failed = results.filter((r) => r.status !== 'ok' && r.status !== 'up-to-date');
  if (failed.length) {
    throw new TroveError('REMOTE', `Git remote ${remote} refused ${failed.map((f) => `${f.ref} (${f.detail})`).join(', ')}.`, { hint: `Push them by hand to see Git's reason: git push ${remote} ${failed.map((f) => f.ref).join(' ')}`, data: { remote, refused: failed } });
  }
  return { remote, pushed: results.map((r) => r.ref.replace(/^refs\/tags\//, '')) };
}
