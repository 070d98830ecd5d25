import { TroveError } from '../errors/index.js';

/** A declared option's type; a trailing `?` makes it optional. */
type Kind = 'string' | 'string[]' | 'boolean' | 'number' | 'object' | 'object[]';
export type OptionSpec = Readonly<Record<string, Kind | `${Kind}?`>>;

const TYPE_NAMES: Record<Kind, string> = { string: 'a string', 'string[]': 'an array of strings', boolean: 'true or false', number: 'a number', object: 'an object', 'object[]': 'an array of objects' };

function isKind(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'object[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null);
    case 'object':
      return typeof value === 'object' && value !== null;
    default:
      return typeof value === kind;
  }
}

/**
 * The arguments of a library call, checked before any work: a missing
 * required option, an option of the wrong type, or no opened repository is a
 * USAGE TroveError that names the call and the option, with a hint, never a
 * TypeError from deep inside. `repo` is checked when the call takes one
 * (pass `null` for calls that do not).
 *
 * @example
 *   checkOptions('add', repo, options, { paths: 'string[]', stage: 'boolean?' });
 */
export function checkOptions(call: string, repo: unknown, options: unknown, spec: OptionSpec): void {
  if (repo !== null && (typeof repo !== 'object' || typeof (repo as { root?: unknown }).root !== 'string')) {
    throw new TroveError('USAGE', `${call}() needs an opened repository as its first argument.`, { hint: `Open it first: const repo = await openRepo({ cwd }); then ${call}(repo, { … }).`, data: { call } });
  }
  const given = options ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new TroveError('USAGE', `The options of ${call}() must be an object.`, { hint: `Pass an options object, e.g. ${call}(${repo === null ? '' : 'repo, '}{ … }).`, data: { call } });
  }
  for (const [name, declared] of Object.entries(spec)) {
    const optional = declared.endsWith('?');
    const kind = (optional ? declared.slice(0, -1) : declared) as Kind;
    const value = (given as Record<string, unknown>)[name];
    if (value === undefined && optional) continue;
    if (value === undefined || !isKind(value, kind)) {
      throw new TroveError('USAGE', value === undefined ? `${call}() needs the option "${name}".` : `The option "${name}" of ${call}() must be ${TYPE_NAMES[kind]}.`, {
        hint: `Pass ${name} as ${TYPE_NAMES[kind]}, e.g. ${call}(${repo === null ? '' : 'repo, '}{ ${name}: ${example(kind)} }).`,
        data: { call, option: name, expected: kind },
      });
    }
  }
}

function example(kind: Kind): string {
  return { string: "'…'", 'string[]': "['…']", boolean: 'true', number: '1', object: '{ … }', 'object[]': '[{ … }]' }[kind];
}
