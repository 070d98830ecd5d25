import { formatTag, nextCounter } from '../core/registryNames.js';
import { resolveRef } from '../core/resolveRef.js';
import { TroveError } from '../errors/index.js';
import { resolveRev } from '../platform/git.js';
import { createAnnotatedTag } from '../platform/gitRefs.js';
import { pickGitRemote } from '../platform/gitRemoteInfo.js';
import { shellQuote } from '../platform/prTool.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import { checkOptions } from './checkOptions.js';
import type { Repo } from '../workspace/Repo.js';

export interface DeprecateOptions {
  /** NAME (the whole entity) or NAME@VERSION (one version) */
  readonly ref: string;
  /** why, kept in the tag message */
  readonly message?: string;
}

export interface DeprecateResult {
  readonly entity: string;
  /** absent when the whole entity was deprecated */
  readonly version?: string;
  /** the GTO tag made: NAME@vX.Y.Z!#N or NAME@deprecated#N */
  readonly tag: string;
  readonly commit: string;
  /** the command that shares it (tags travel with git push) */
  readonly pushCommand: string;
}

/**
 * Deprecate a version (GTO's deregister tag `NAME@vX.Y.Z!#N`) or a whole
 * entity (`NAME@deprecated#N`), N being 1 + the highest GTO counter of that
 * entity's tags, so GTO reads trove's deprecations and the reverse. A
 * deprecated version is never "latest" and cannot be promoted; its data and
 * tag stay (checkout by its exact version still works).
 *
 * @example
 *   await deprecate(repo, { ref: 'modelmnist@v1.0.0', message: 'leaks test data' });
 */
export async function deprecate(repo: Repo, options: DeprecateOptions): Promise<DeprecateResult> {
  checkOptions('deprecate', repo, options, { ref: 'string', message: 'string?' });
  const snapshot = await loadRegistry(repo, {});
  const whole = !/[@#]/.test(options.ref) && snapshot.entities.has(options.ref);
  const tags = snapshot.tags.map((t) => t.tag);
  let entity: string, version: string | undefined, tag: string, commit: string;
  if (whole) {
    const e = snapshot.entities.get(options.ref)!;
    if (e.deprecated) throw new TroveError('USAGE', `${e.record.name} is already deprecated.`, { hint: 'trove registry history NAME shows when.', data: { rule: 'deprecated', entity: e.record.name } });
    entity = e.record.name;
    tag = formatTag.deprecate(entity, nextCounter(tags, entity));
    // GTO tags the deprecation on a commit of the artifact: its newest version's, else HEAD.
    commit = e.versions[e.versions.length - 1]?.commit ?? (await resolveRev(repo.git, 'HEAD'));
  } else {
    const r = resolveRef(snapshot, options.ref);
    if (r.version.deprecated) throw new TroveError('USAGE', `${r.version.tag} is already deprecated.`, { hint: 'trove registry history NAME shows when.', data: { rule: 'deprecated', tag: r.version.tag } });
    entity = r.entity.record.name;
    version = r.version.version;
    tag = formatTag.deregister(entity, r.version.version, nextCounter(tags, entity));
    commit = r.version.commit;
  }
  const subject = version ? `Deprecate ${entity} ${version}` : `Deprecate ${entity}`;
  await createAnnotatedTag(repo.git, tag, commit, options.message ? `${subject}\n\n${options.message}\n` : `${subject}\n`);
  const remote = await pickGitRemote(repo.git).catch(() => null); // only names the remote in the suggested push command; without one the suggestion says origin
  return { entity, ...(version ? { version } : {}), tag, commit, pushCommand: `git push ${remote ?? 'origin'} ${shellQuote(`refs/tags/${tag}`)}` };
}
