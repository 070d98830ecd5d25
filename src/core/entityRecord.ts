import { TroveError, isTroveError } from '../errors/index.js';
import { checkRepoPath } from './repoPath.js';
import { ENTITY_FORMAT, ENTITIES_DIR, MUTABILITIES, type EntityRecord, type Mutability } from './registryTypes.js';
import { nameRuleBroken } from './registryNames.js';

/**
 * The entity declaration `.trove/registry/entities/<name>.yaml` (docs/formats.md
 * "Entity declaration"), written by `trove create`:
 *
 *     trove-entity: 1
 *     name: mnist
 *     type: dataset
 *     categories: [handwritten, digits]
 *     path: dataset/handwritten/digits/mnist
 *     mutability: strict
 *     description: ""
 *
 * People edit it (a description, a merge conflict), so it is read with the
 * yaml library (in platform/, injected here as an already parsed document) and
 * validated by `entityFromYaml`; unknown keys are ignored so a newer minor
 * addition does not break an older trove, a newer `trove-entity` is
 * NEWER_FORMAT. Written with a fixed key order.
 */

/** Where an entity's declaration lives. */
export function entityFilePath(name: string): string {
  return `${ENTITIES_DIR}/${name}.yaml`;
}

/** ml-git's layout: `TYPE/CAT…/NAME` (no empty segments). */
export function defaultEntityPath(type: string, categories: readonly string[], name: string): string {
  return [type, ...categories, name].filter((s) => s !== '').join('/');
}

/** A path written plain when it is safe as a YAML plain scalar, else JSON-quoted (valid YAML double-quoted). */
const PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_.\/-]*$/;

export function serializeEntityRecord(r: EntityRecord): string {
  return (
    `trove-entity: ${ENTITY_FORMAT}\n` +
    `name: ${r.name}\n` +
    `type: ${r.type}\n` +
    `categories: [${r.categories.join(', ')}]\n` +
    `path: ${PLAIN.test(r.path) ? r.path : JSON.stringify(r.path)}\n` +
    `mutability: ${r.mutability}\n` +
    `description: ${JSON.stringify(r.description)}\n`
  );
}

/**
 * Validate a parsed declaration. `types` are the accepted asset types
 * (registry.types). `locate(key)` may give the line of a key (from the yaml
 * library's source map) so errors name it; without it `line` is null.
 * Throws BAD_RECORD with data {file, line, reason, key}, or NEWER_FORMAT.
 */
export function entityFromYaml(
  doc: unknown,
  source: string,
  types: readonly string[],
  locate?: (key: string) => number | undefined,
): EntityRecord {
  const fail = (key: string | null, reason: string, hint?: string, rule?: string): never => {
    const line = (key !== null ? locate?.(key) : undefined) ?? null;
    throw new TroveError('BAD_RECORD', `Entity declaration ${source}${line !== null ? `, line ${line}` : ''}: ${reason}.`, {
      hint: hint ?? `Fix ${source} (see docs/formats.md, "Entity declaration").`,
      data: { file: source, line, reason, key, ...(rule ? { rule } : {}) },
    });
  };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail(null, 'it is not a YAML mapping');
  const d = doc as Record<string, unknown>;

  const format = d['trove-entity'];
  if (format === undefined) fail(null, '"trove-entity:" is missing');
  if (typeof format !== 'number' || !Number.isInteger(format) || format < 1) fail('trove-entity', `"trove-entity" must be a positive integer`);
  if ((format as number) > ENTITY_FORMAT) {
    throw new TroveError('NEWER_FORMAT', `The entity declaration ${source} has format ${format}; this trove reads up to ${ENTITY_FORMAT}.`, {
      hint: 'Upgrade trove to read it.',
      data: { file: source, format },
    });
  }

  const name = nameField(d, 'name', 'entity', fail);
  const expected = expectedName(source);
  if (expected !== null && expected !== name) fail('name', `the name "${name}" does not match the file name "${expected}.yaml"`);

  const type = nameField(d, 'type', 'type', fail);
  if (!types.includes(type)) {
    fail('type', `"${type}" is not a declared type (${types.join(', ')})`, `Add "${type}" to registry.types in .trove/config.yaml, or fix ${source}.`);
  }

  let categories: string[] = [];
  const rawCats = d.categories;
  if (rawCats !== undefined && rawCats !== null) {
    if (!Array.isArray(rawCats)) fail('categories', '"categories" must be a list');
    categories = (rawCats as unknown[]).map((c) => {
      if (typeof c !== 'string') return fail('categories', 'every category must be a name');
      const rule = nameRuleBroken(c);
      if (rule !== null) fail('categories', `category "${clip(c)}" breaks the name rule (${rule})`);
      return c;
    });
    if (new Set(categories).size !== categories.length) fail('categories', 'a category is listed twice');
  }

  let path: string;
  const rawPath = d.path;
  if (rawPath === undefined || rawPath === null) {
    path = defaultEntityPath(type, categories, name);
  } else {
    if (typeof rawPath !== 'string') fail('path', '"path" must be a string');
    path = (rawPath as string).replace(/\/+$/, '');
    try {
      checkRepoPath(path, source);
    } catch (err) {
      if (!isTroveError(err, 'UNSAFE_PATH')) throw err;
      // data.rule 'unsafe-path' lets the loader raise UNSAFE_PATH for a hostile declaration
      fail('path', `the path "${clip(rawPath as string)}" is unsafe: ${unsafeReason(path)}`, undefined, 'unsafe-path');
    }
  }

  let mutability: Mutability = 'strict';
  if (d.mutability !== undefined && d.mutability !== null) {
    if (typeof d.mutability !== 'string' || !(MUTABILITIES as readonly string[]).includes(d.mutability)) {
      fail('mutability', `"mutability" must be one of ${MUTABILITIES.join(', ')}`);
    }
    mutability = d.mutability as Mutability;
  }

  let description = '';
  if (d.description !== undefined && d.description !== null) {
    if (typeof d.description !== 'string') fail('description', '"description" must be a string');
    description = d.description as string;
  }

  return { format: format as number, name, type, categories, path, mutability, description };
}

function nameField(
  d: Record<string, unknown>,
  key: string,
  kind: string,
  fail: (key: string | null, reason: string) => never,
): string {
  const v = d[key];
  if (v === undefined || v === null) return fail(null, `"${key}:" is missing`);
  if (typeof v !== 'string') return fail(key, `"${key}" must be a name`);
  const rule = nameRuleBroken(v);
  if (rule !== null) fail(key, `${kind} name "${clip(v)}" breaks the name rule (${rule})`);
  return v;
}

/** The entity name implied by a declaration's file name, when `source` is one. */
function expectedName(source: string): string | null {
  const m = /(?:^|[/:])\.trove\/registry\/entities\/([^/]+)\.yaml$/.exec(source);
  return m ? m[1]! : null;
}

/** Why checkRepoPath refused a path, in the words of the entity rule (absolute, "..", .git/, .trove/). */
function unsafeReason(path: string): string {
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'it is absolute';
  const parts = path.split('/');
  if (parts.includes('..')) return 'it contains ".."';
  if (parts.some((p) => p.toLowerCase() === '.git')) return 'it is inside .git';
  if (parts.some((p) => p.toLowerCase() === '.trove')) return 'it is inside .trove';
  return 'it must be relative to the repository, without "..", "." or empty parts, and outside .git and .trove';
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
