import { TroveError, isTroveError } from '../errors/index.js';
import type { Bump } from '../core/registryTypes.js';
import { bumpVersion, compareVersions, formatTag, normalizeVersion, parseTag } from '../core/registryNames.js';
import { lsRemoteTags } from '../platform/gitRefs.js';
import { defaultGitRemote } from '../platform/gitRemote.js';
import type { RegistryContext } from './RegistryContext.js';

export interface ChosenVersion {
  readonly version: string;
  readonly tag: string;
  /** the Git remote whose tags were checked too; null when there is none */
  readonly remote: string | null;
  /** false when the remote could not be reached (the version is then only known free here) */
  readonly remoteChecked: boolean;
  readonly warnings: string[];
}

/** The versions of `name` that tags in `tagNames` register (any form, lightweight or not). */
export function takenVersions(name: string, tagNames: Iterable<string>): string[] {
  const out: string[] = [];
  for (const t of tagNames) {
    const p = parseTag(t);
    if (p && p.name === name && (p.kind === 'register' || p.kind === 'deregister')) out.push(p.version);
  }
  return out;
}

/** The next version after every taken one, by `bump`. */
export function nextFree(taken: readonly string[], bump: Bump): string {
  const max = taken.length ? [...taken].sort(compareVersions).at(-1)! : null;
  return bumpVersion(max, bump);
}

/**
 * The version a new registration gets: `--version` as asked, else the
 * highest taken version bumped. It must be free here and on the Git remote
 * (two people tagging v3 at once): a taken one is VERSION_EXISTS with
 * data.where 'local' or 'remote' and the next free version in the hint. The
 * remote is asked with one `git ls-remote` (best effort: offline, a warning
 * and the local answer).
 */
export async function chooseVersion(ctx: RegistryContext, name: string, localTags: Iterable<string>, options: { bump?: Bump; version?: string; remote?: string | null } = {}): Promise<ChosenVersion> {
  const bump = options.bump ?? ctx.config.registry.bump;
  const wanted = options.version !== undefined ? normalizeVersion(options.version) : undefined;
  const local = takenVersions(name, localTags);
  const warnings: string[] = [];
  const remote = options.remote === undefined ? await defaultGitRemote(ctx.git) : options.remote;
  let remoteTaken: string[] = [];
  let remoteChecked = false;
  if (remote) {
    try {
      remoteTaken = takenVersions(name, (await lsRemoteTags(ctx.git, remote, [`${name}@*`])).map((t) => t.tag));
      remoteChecked = true;
    } catch (err) {
      if (!isTroveError(err, 'REMOTE')) throw err;
      warnings.push(`Could not reach Git remote ${remote} to check that the version is free there (${err.message.replace(/\.$/, '')}); checked in this clone only.`);
    }
  }
  const all = [...local, ...remoteTaken];
  const version = wanted ?? nextFree(all, bump);
  const where = local.includes(version) ? 'local' : remoteTaken.includes(version) ? 'remote' : null;
  if (where) throw versionExists(name, version, where, nextFree(all, bump), remote);
  return { version, tag: formatTag.register(name, version), remote, remoteChecked, warnings };
}

/** VERSION_EXISTS for `name@version`, naming where and the next free version. */
export function versionExists(name: string, version: string, where: 'local' | 'remote', next: string, remote?: string | null): TroveError {
  const place = where === 'local' ? 'in this repository' : `on Git remote ${remote ?? ''}`.trimEnd();
  return new TroveError('VERSION_EXISTS', `Version ${version} of ${name} already exists ${place}.`, {
    hint: `Register the next free version: trove version ${name} --version ${next}`,
    data: { entity: name, version, tag: formatTag.register(name, version), where, next, ...(remote ? { remote } : {}) },
  });
}
