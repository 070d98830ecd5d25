import { TroveError } from '../errors/index.js';
import type { Bump, EntityRecord, ParsedTag } from './registryTypes.js';

/**
 * Names, versions and tag grammar of the registry (docs/formats.md "Registry").
 *
 * The name rule is GTO's name regex without `/` (iterative/gto gto/constants.py):
 * it already rules out spaces, `..`, `@`, `#`, `~`, `^`, `:`, `?`, `*`, `[`, `\`,
 * a leading `-`, `.lock`, `_` and uppercase, so every accepted name forms a tag
 * `NAME@vX.Y.Z` that `git check-ref-format` accepts and that GTO parses back to
 * the same name. `_` is excluded on purpose: ml-git's aliases use `__` as the
 * separator, so a name with `_` would make aliases ambiguous.
 */
export const NAME_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const NAME_MAX = 100;
/**
 * Words with a meaning in references (`NAME@latest`) or in GTO tags (`NAME@deprecated`),
 * and the subcommands of `trove metrics NAME...` (`show`, `diff`: issue 15), which an
 * entity of that name could never be asked for.
 */
export const RESERVED_NAMES: readonly string[] = ['latest', 'greatest', 'deprecated', 'created', 'head', 'show', 'diff'];

export type NameKind = 'entity' | 'type' | 'category' | 'stage';
/** Which part of the name rule a refused name breaks (BAD_NAME data.rule). */
export type NameRule = 'characters' | 'leading-dash' | 'reserved' | 'too-long' | 'empty' | 'version';

/** The rule `s` breaks as a name, or null when it is a valid name. */
export function nameRuleBroken(s: string): NameRule | null {
  if (s.length === 0) return 'empty';
  if (s.length > NAME_MAX) return 'too-long';
  if (s.startsWith('-')) return 'leading-dash';
  if (!NAME_RE.test(s)) return 'characters';
  if (RESERVED_NAMES.includes(s)) return 'reserved';
  return null;
}

const RULE_TEXT: Record<NameRule, string> = {
  empty: 'it is empty',
  'too-long': `it is longer than ${NAME_MAX} characters`,
  'leading-dash': 'it starts with "-"',
  characters: 'only lowercase letters, digits and "-" (not at either end) are allowed',
  reserved: `it is a reserved word (${RESERVED_NAMES.join(', ')})`,
  version: 'it is not a version',
};

/** Throws BAD_NAME (exit 2) with data {kind, name, rule} unless `s` is a valid name. */
export function checkName(kind: NameKind, s: string): void {
  const rule = nameRuleBroken(s);
  if (rule === null) return;
  throw new TroveError('BAD_NAME', `Invalid ${kind} name "${printable(s)}": ${RULE_TEXT[rule]}.`, {
    hint: 'Use lowercase letters, digits and "-", e.g. "mnist" or "model-v2".',
    data: { kind, name: printable(s), rule },
  });
}

export function isValidName(s: string): boolean {
  return nameRuleBroken(s) === null;
}

// ---------------------------------------------------------------- versions

/** GTO's semver regex (SemVer 2.0), without the `v` and without anchors. */
const SEMVER_SRC =
  '(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)' +
  '(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?' +
  '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?';
const SEMVER_RE = new RegExp(`^v?${SEMVER_SRC}$`);
/** A version as written in tags and records: `v` + SemVer. */
export const VERSION_RE = new RegExp(`^v${SEMVER_SRC}$`);

export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly pre?: string;
  readonly build?: string;
}

function badVersion(s: string, why: string): TroveError {
  return new TroveError('BAD_NAME', `Invalid version "${printable(s)}": ${why}.`, {
    hint: 'Write a version as v1.2.0, 1.2.0 or a bare major number such as 3.',
    data: { kind: 'version', name: printable(s), rule: 'version' },
  });
}

/** Parse `v1.2.3[-pre][+build]` (the `v` is optional here). BAD_NAME rule 'version'. */
export function parseVersion(s: string): SemVer {
  const m = SEMVER_RE.exec(s);
  if (!m) throw badVersion(s, 'it is not SemVer (vMAJOR.MINOR.PATCH)');
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = Number(m[3]);
  if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor) || !Number.isSafeInteger(patch)) {
    throw badVersion(s, 'a number is too large');
  }
  return {
    major,
    minor,
    patch,
    ...(m[4] !== undefined ? { pre: m[4] } : {}),
    ...(m[5] !== undefined ? { build: m[5] } : {}),
  };
}

export function formatVersion(v: SemVer): string {
  return `v${v.major}.${v.minor}.${v.patch}${v.pre !== undefined ? `-${v.pre}` : ''}${v.build !== undefined ? `+${v.build}` : ''}`;
}

/**
 * The canonical form of a version a user typed: `3` and `v3` → `v3.0.0` (ml-git's
 * version numbers are majors), `1.2.0` → `v1.2.0`, `v1.2.0` unchanged.
 */
export function normalizeVersion(s: string): string {
  const bare = /^v?(0|[1-9]\d*)$/.exec(s);
  if (bare) {
    const major = Number(bare[1]);
    if (!Number.isSafeInteger(major)) throw badVersion(s, 'a number is too large');
    return `v${major}.0.0`;
  }
  return formatVersion(parseVersion(s));
}

/** A register tag as `uses` lists it: NAME@vSEMVER, trove's name rule (no counter, no dirname). */
export const REGISTER_TAG_RE = new RegExp(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?@v${SEMVER_SRC}$`);

/** True when `s` is a version exactly as tags write it (`v` + SemVer). */
export function isVersion(s: string): boolean {
  return VERSION_RE.test(s);
}

/**
 * SemVer 2.0 precedence (a pre-release sorts before its release; pre-release
 * identifiers compare numerically when numeric). Build metadata has no
 * precedence in SemVer; it breaks ties bytewise so sorting is total and stable.
 */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  const d = x.major - y.major || x.minor - y.minor || x.patch - y.patch;
  if (d !== 0) return Math.sign(d);
  const p = comparePre(x.pre, y.pre);
  if (p !== 0) return p;
  return cmp(x.build ?? '', y.build ?? '');
}

function comparePre(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const ia = pa[i]!;
    const ib = pb[i]!;
    const na = /^\d+$/.test(ia);
    const nb = /^\d+$/.test(ib);
    if (na && nb) {
      const d = Number(ia) - Number(ib);
      if (d !== 0) return Math.sign(d);
    } else if (na !== nb) {
      return na ? -1 : 1;
    } else {
      const c = cmp(ia, ib);
      if (c !== 0) return c;
    }
  }
  return Math.sign(pa.length - pb.length);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The next version after `v` (null: none yet → v1.0.0). Pre-release and build
 * parts are dropped, as python-semver's bump_* (which GTO uses) does for major.
 */
export function bumpVersion(v: string | null, bump: Bump): string {
  if (v === null) return 'v1.0.0';
  const s = parseVersion(v);
  switch (bump) {
    case 'major':
      return `v${s.major + 1}.0.0`;
    case 'minor':
      return `v${s.major}.${s.minor + 1}.0`;
    case 'patch':
      return `v${s.major}.${s.minor}.${s.patch + 1}`;
  }
}

// ---------------------------------------------------------------- GTO tags

/**
 * The tag names trove writes (GTO's gto/tag.py templates). Registration uses the
 * simple form (no counter), as GTO does with simple=True; deprecation and
 * deregistration carry GTO's counter (1 + the highest counter over all tags of
 * that artifact), so repeating them makes a new tag.
 */
export const formatTag = {
  register: (name: string, version: string): string => `${name}@${version}`,
  deregister: (name: string, version: string, counter: number): string => `${name}@${version}!#${counter}`,
  deprecate: (name: string, counter: number): string => `${name}@deprecated#${counter}`,
  /** GTO's stage tags; trove reads them as history and never writes them (stages live in a file). */
  assign: (name: string, stage: string, counter: number): string => `${name}#${stage}#${counter}`,
  unassign: (name: string, stage: string, counter: number): string => `${name}#${stage}!#${counter}`,
};

const GTO_NAME = '[a-z0-9](?:[a-z0-9\\-/]*[a-z0-9])?';
const GTO_DIRNAME = '[a-z0-9\\-_./]+';
/**
 * GTO's tag_re, verbatim in meaning: an optional `dirname=` prefix (GTO's `:`
 * in names becomes `=` in tags), then `#stage[!]`, `@vSEMVER[!]`, `@deprecated`
 * or `@created`, then an optional `#counter`.
 */
const TAG_RE = new RegExp(
  `^(?<artifact>(?:${GTO_DIRNAME}=)?${GTO_NAME})` +
    `(?:(?:#(?<stage>${GTO_NAME})|@(?<version>v${SEMVER_SRC}))(?<cancel>!?)|@(?:(?<deprecated>deprecated)|(?<created>created)))` +
    `(?:#(?<counter>[0-9]+))?$`,
);

/**
 * Parse a tag name with GTO's tag_re; null for any other tag (release tags,
 * ml-git tags), which the registry ignores. A `dirname=` prefix is returned in
 * the name as GTO shows it (`dirname:name`).
 */
export function parseTag(tagName: string): ParsedTag | null {
  const g = TAG_RE.exec(tagName)?.groups;
  if (!g) return null;
  const name = g.artifact!.replace('=', ':');
  const counter = g.counter !== undefined ? { counter: Number(g.counter) } : {};
  const cancel = g.cancel === '!';
  if (g.stage !== undefined) return { kind: cancel ? 'unassign' : 'assign', name, stage: g.stage, ...counter };
  if (g.version !== undefined) return { kind: cancel ? 'deregister' : 'register', name, version: g.version, ...counter };
  if (g.deprecated !== undefined) return { kind: 'deprecate', name, ...counter };
  return { kind: 'create', name, ...counter };
}

/** 1 + the highest GTO counter among `tags` of artifact `name` (1 when none), for deprecate/deregister tags. */
export function nextCounter(tags: Iterable<string>, name: string): number {
  let max = 0;
  for (const t of tags) {
    const p = parseTag(t);
    if (p && p.name === name && p.counter !== undefined && p.counter > max) max = p.counter;
  }
  return max + 1;
}

// ---------------------------------------------------------------- ml-git aliases

/** ml-git's RGX_TAG_FORMAT (HPInc/ml-git ml_git/constants.py), anchored at both ends here. */
export const MLGIT_TAG_RE = /^(?:[^_]+_{2}){2,}\d+$/;

/**
 * ml-git's tag for a version: `cat1__cat2__NAME__N` (zenphantom/ml-git
 * ml_git_tag.py joins categories, name and version with `__`). ml-git numbers
 * versions 1, 2, 3; trove maps N ↔ vN.0.0, so a version with a minor or patch
 * part (or a pre-release) has no alias, nor has an entity without categories
 * (RGX_TAG_FORMAT needs at least two `x__` parts).
 */
export function mlgitAlias(record: Pick<EntityRecord, 'name' | 'categories'>, version: string): string | null {
  if (record.categories.length === 0) return null;
  const v = parseVersion(version);
  if (v.minor !== 0 || v.patch !== 0 || v.pre !== undefined || v.build !== undefined) return null;
  return `${[...record.categories, record.name].join('__')}__${v.major}`;
}

/** Split an ml-git tag into categories, name and number; null when it is not one. */
export function parseMlgitAlias(s: string): { categories: string[]; name: string; number: number } | null {
  if (!MLGIT_TAG_RE.test(s)) return null;
  const parts = s.split('__');
  const number = Number(parts.pop());
  const name = parts.pop()!;
  if (!Number.isSafeInteger(number)) return null;
  return { categories: parts, name, number };
}

function printable(s: string): string {
  return JSON.stringify(s.slice(0, 120)).slice(1, -1);
}
