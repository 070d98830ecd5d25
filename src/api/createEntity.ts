import { existsSync } from 'node:fs';
import { TroveError } from '../errors/index.js';
import { ENTITIES_DIR, ENTITY_FORMAT, MUTABILITIES, type EntityRecord, type Mutability } from '../core/registryTypes.js';
import { checkName } from '../core/registryNames.js';
import { defaultEntityPath, serializeEntityRecord } from '../core/entityRecord.js';
import { checkRepoPath } from '../core/repoPath.js';
import { WorkTreeDirs } from '../platform/WorkTreeDirs.js';
import { tagExists } from '../platform/gitRefs.js';
import { loadRegistry } from '../registry/loadRegistry.js';
import { writeRegistryFile } from '../registry/writeRegistryFile.js';
import { absPath, toRepoPath, withLock, type Repo } from '../workspace/Repo.js';
import { ensureIgnored } from '../workspace/stage/gitignore.js';
import { checkOptions } from './checkOptions.js';

export interface CreateEntityOptions {
  /** dataset, labels, model, or a type declared in registry.types */
  readonly type: string;
  readonly name: string;
  readonly categories?: readonly string[];
  /** default strict */
  readonly mutability?: Mutability;
  /** where the data lives (relative to the cwd); default TYPE/CAT…/NAME */
  readonly path?: string;
  readonly description?: string;
}

export interface CreateEntityResult {
  readonly entity: EntityRecord;
  /** the declaration written and staged, e.g. .trove/registry/entities/mnist.yaml */
  readonly file: string;
  /** true when the data directory was made (it did not exist) */
  readonly createdDir: boolean;
  readonly staged: string[];
  /** push.followTags was set to true in this clone's Git config (so git push sends the version tags) */
  readonly followTags: boolean;
}

/**
 * Declare a registry entity: validate the name (refusing one Git refs cannot
 * hold, or one that collides with a branch, a tag or another entity), write
 * its declaration, make its data directory and stage the declaration.
 *
 * @example
 *   await createEntity(repo, { type: 'dataset', name: 'mnist', categories: ['handwritten', 'digits'] });
 */
export async function createEntity(repo: Repo, options: CreateEntityOptions): Promise<CreateEntityResult> {
  checkOptions('createEntity', repo, options, { type: 'string', name: 'string', categories: 'string[]?', mutability: 'string?', path: 'string?', description: 'string?' });
  return withLock(repo, 'create', async () => {
    const categories = [...(options.categories ?? [])];
    checkName('type', options.type);
    if (!repo.config.registry.types.includes(options.type)) {
      throw new TroveError('USAGE', `Unknown entity type "${options.type}"; this repository declares ${repo.config.registry.types.join(', ')}.`, {
        hint: `Use one of those, or add the type to registry.types in .trove/config.yaml (see docs/registry.md).`,
        data: { type: options.type, types: [...repo.config.registry.types] },
      });
    }
    checkName('entity', options.name);
    for (const c of categories) checkName('category', c);
    const mutability = options.mutability ?? 'strict';
    if (!MUTABILITIES.includes(mutability)) throw new TroveError('USAGE', `Unknown mutability "${mutability}".`, { hint: `Use one of ${MUTABILITIES.join(', ')}.`, data: { mutability } });
    const name = options.name;
    await refuseCollisions(repo, name);
    const snapshot = await loadRegistry(repo);
    const file = `${ENTITIES_DIR}/${name}.yaml`;
    if (snapshot.entities.has(name) || existsSync(absPath(repo, file))) {
      throw new TroveError('BAD_NAME', `Entity ${name} is already declared (${file}).`, { hint: `Pick another name, or version it: trove version ${name}`, data: { kind: 'entity', name, rule: 'exists' } });
    }
    const path = options.path !== undefined ? toRepoPath(repo, options.path) : checkRepoPath(defaultEntityPath(options.type, categories, name), 'the default entity path');
    for (const other of snapshot.entities.values()) {
      const p = other.record.path;
      if (p === path || p.startsWith(path + '/') || path.startsWith(p + '/')) {
        throw new TroveError('USAGE', `Path ${path} overlaps entity ${other.record.name}'s path ${p}; each entity owns its own directory.`, { hint: `Give this entity another path with --path.`, data: { path, entity: other.record.name } });
      }
    }
    const entity: EntityRecord = { format: ENTITY_FORMAT, name, type: options.type, categories, path, mutability, description: options.description ?? '' };
    // Every check is done before anything is written; the data directory's parents must be real directories (no symlink on the way).
    const dirs = new WorkTreeDirs(repo.root);
    const createdDir = !existsSync(absPath(repo, path));
    dirs.ensureDir(path);
    await writeRegistryFile(repo.root, file, serializeEntityRecord(entity));
    // Ignored in Git from the start, so a `git add -A` before the first version does not commit the data itself.
    const ignore = await ensureIgnored(repo, path, dirs);
    const staged = [file, ...(ignore ? [ignore] : [])];
    await repo.git.run(['add', '--', ...staged]);
    const followTags = await ensureFollowTags(repo);
    return { entity, file, createdDir, staged, followTags };
  });
}

/** A branch or a plain tag named like the entity would make `git checkout NAME` and GTO references ambiguous. */
async function refuseCollisions(repo: Repo, name: string): Promise<void> {
  const branch = await repo.git.run(['show-ref', '--verify', '--quiet', `refs/heads/${name}`], { allowFail: true });
  if (branch.code === 0) {
    throw new TroveError('BAD_NAME', `Invalid entity name "${name}": a branch of that name exists.`, { hint: 'Pick a name no branch has (git branch -a lists them).', data: { kind: 'entity', name, rule: 'branch-collision' } });
  }
  if (await tagExists(repo.git, name)) {
    throw new TroveError('BAD_NAME', `Invalid entity name "${name}": a tag of that name exists.`, { hint: 'Pick a name no tag has (git tag -l lists them).', data: { kind: 'entity', name, rule: 'tag-collision' } });
  }
}

/** push.followTags=true in the clone's own Git config; true when it was set now. */
async function ensureFollowTags(repo: Repo): Promise<boolean> {
  const now = (await repo.git.run(['config', '--get', 'push.followTags'], { allowFail: true })).stdout.toString('utf8').trim();
  if (now === 'true') return false;
  await repo.git.run(['config', '--local', 'push.followTags', 'true']);
  return true;
}
