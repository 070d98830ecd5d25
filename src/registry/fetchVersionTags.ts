import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITIES_DIR } from '../core/registryTypes.js';
import { parseTag } from '../core/registryNames.js';
import { defaultGitRemote } from '../platform/gitRemote.js';
import type { RegistryContext } from './RegistryContext.js';

export interface FetchedTags {
  readonly gitRemote: string;
  /** registry tags that arrived (versions, deprecations) */
  readonly fetched: string[];
  /** why the fetch failed (offline …); the rest of the command goes on */
  readonly error?: string;
}

/**
 * In a repository with a registry, bring the Git remote's tags (`git fetch
 * --tags`): versions registered elsewhere arrive with `trove pull`, as
 * ml-git's pull brings its tags. Best effort (offline: `error`, not a
 * failure); undefined when there is no registry or no Git remote.
 */
export async function fetchVersionTags(ctx: RegistryContext): Promise<FetchedTags | undefined> {
  if (!existsSync(join(ctx.root, ENTITIES_DIR))) return undefined;
  const gitRemote = await defaultGitRemote(ctx.git);
  if (!gitRemote) return undefined;
  const names = async (): Promise<Set<string>> => new Set((await ctx.git.run(['for-each-ref', '--format=%(refname:strip=2)', 'refs/tags/'])).stdout.toString('utf8').split('\n').filter(Boolean));
  const before = await names();
  const res = await ctx.git.run(['fetch', '--tags', '--quiet', '--no-recurse-submodules', gitRemote], { allowFail: true });
  if (res.code !== 0) return { gitRemote, fetched: [], error: res.stderr.split('\n').find((l) => /fatal|error/.test(l))?.replace(/^(fatal|error): /, '') ?? `git fetch exited with ${res.code}` };
  const fetched = [...(await names())].filter((t) => !before.has(t) && parseTag(t) !== null).sort();
  return { gitRemote, fetched };
}
