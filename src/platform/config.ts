import { readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_REGISTRY, type Bump, type RegistryConfig } from '../core/registryTypes.js';
import { metricsFormatFor } from '../core/metricsFile.js';
import { paramsFormatFor } from '../core/paramsFile.js';
import { checkRepoPath } from '../core/repoPath.js';
import { TroveError } from '../errors/index.js';
import { atomicWriteSync } from '../util/atomicWriteSync.js';
import { envValue } from '../util/envVars.js';
import { hasUrlCredentials } from '../util/redactUrl.js';
import { yamlLib } from './yamlLib.js';

/**
 * Repository configuration: `.trove/config.yaml` (committed, for the team) with
 * `.trove/config.local.yaml` (ignored, per clone: credentials, a machine's
 * shared cache path) layered over it, then TROVE_* environment variables.
 */
export const CONFIG_VERSION = 1;
export const LINK_MODES = ['copy', 'reflink', 'hardlink', 'symlink', 'auto'] as const;
export type LinkMode = (typeof LINK_MODES)[number];

export interface CoreConfig {
  /** store directory: relative to .trove/ or absolute (a cache shared by clones or users) */
  readonly cache: string;
  readonly link: LinkMode;
  /** git add pointer files and .gitignore after add, mv and rm */
  readonly autostage: boolean;
  /** worker threads for hashing; 0 = one per core */
  readonly jobs: number;
  /** sync store objects to disk before they become visible (false: faster, for scratch work a power cut may lose) */
  readonly fsync: boolean;
  /** name of the default remote for push / pull / fetch */
  readonly remote?: string;
}

/** One remote: its URL plus backend settings (endpoint, region, key_file, …; docs/remotes.md). */
export interface RemoteConfig {
  readonly url: string;
  readonly [key: string]: unknown;
}

export const PRE_COMMIT_MODES = ['check', 'add', 'off'] as const;
export type PreCommitMode = (typeof PRE_COMMIT_MODES)[number];
export const PRE_PUSH_MODES = ['push', 'off'] as const;
export type PrePushMode = (typeof PRE_PUSH_MODES)[number];

/** What the Git hooks written by `trove install` do (docs/hooks.md). */
export interface HooksConfig {
  /** tracked data changed but not added: stop the commit (check), add it (add), or say nothing (off) */
  readonly pre_commit: PreCommitMode;
  /** post-checkout, post-merge and post-rewrite restore the data of the new HEAD */
  readonly restore: boolean;
  /** before restoring, fetch content missing from the local store from the default remote */
  readonly fetch: boolean;
  /** pre-push sends the data the pushed commits need to the default remote first (push), or not (off) */
  readonly pre_push: PrePushMode;
}

/** Automatic packing of the local store after add and fetch (git's gc.auto / gc.autoPackLimit; docs/config.md). */
export interface GcConfig {
  /** pack loose objects once about this many are loose (estimated from one fan-out directory); 0 = never automatically */
  readonly auto: number;
  /** merge packs once there are more than this many; 0 = never automatically */
  readonly auto_pack_limit: number;
}

export interface Config {
  readonly version: number;
  readonly core: CoreConfig;
  readonly gc: GcConfig;
  readonly remotes: Readonly<Record<string, RemoteConfig>>;
  readonly hooks: HooksConfig;
  /** the registry section (issue 14): asset types, stages, promote branch, default bump */
  readonly registry: RegistryConfig;
  /** params files compared by `trove params diff` (issue 15; docs/experiments.md) */
  readonly params: FilesConfig;
  /** metrics files shown and compared by `trove metrics show|diff` */
  readonly metrics: FilesConfig;
  /** what loading found unsafe but usable (a secret in the committed file, a secret file others can read); openRepo reports them */
  readonly warnings?: readonly string[];
}

/** Keys whose values are secrets: they only ever go to config.local.yaml (git-ignored) and are never printed. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['secret_access_key', 'session_token', 'connection_string', 'account_key', 'sas_token', 'password', 'passphrase', 'credentials_json', 'token', 'access_key_id', 'headers']);

/** The settings of a config document's remotes that hold a secret: a secret key, or a URL-like value carrying a password, token or signature. */
export function secretSettings(doc: Record<string, unknown>): string[] {
  const remotes = doc.remotes;
  if (!remotes || typeof remotes !== 'object') return [];
  const out: string[] = [];
  for (const [name, r] of Object.entries(remotes as Record<string, unknown>)) {
    if (!r || typeof r !== 'object') continue;
    for (const [k, v] of Object.entries(r as Record<string, unknown>)) {
      if (v === undefined || v === null || v === '') continue;
      if (SECRET_KEYS.has(k) || (typeof v === 'string' && hasUrlCredentials(v))) out.push(`remotes.${name}.${k}`);
    }
  }
  return out;
}

/** `params:` / `metrics:`: the files, repository-relative, format by extension. */
export interface FilesConfig {
  readonly files: readonly string[];
}

export const DEFAULT_PARAMS: FilesConfig = { files: ['params.yaml'] };
export const DEFAULT_METRICS: FilesConfig = { files: ['metrics.json'] };

export const DEFAULT_CORE: CoreConfig = { cache: 'cache', link: 'copy', autostage: true, jobs: 0, fsync: true };
export const DEFAULT_GC: GcConfig = { auto: 6700, auto_pack_limit: 50 };
export const DEFAULT_HOOKS: HooksConfig = { pre_commit: 'check', restore: true, fetch: true, pre_push: 'push' };

export const DEFAULT_CONFIG_TEXT = `# trove repository configuration (committed). Edit it by hand.
# Per-clone overrides (a shared cache path, credentials) go in config.local.yaml,
# which is git-ignored. See docs/config.md.
version: ${CONFIG_VERSION}
core:
  # where the content-addressed store lives: relative to .trove/, or an
  # absolute path shared by several clones or users
  cache: cache
  # how checkout places files: copy | reflink | hardlink | symlink | auto
  link: copy
  # stage pointer files and .gitignore after trove add / mv / rm
  autostage: true
  # hashing threads (0 = one per core)
  jobs: 0
`;

export function loadConfig(troveDir: string, env: NodeJS.ProcessEnv = process.env): Config {
  const cache = new ParsedConfigCache(join(troveDir, 'tmp', 'config.parsed.json'));
  const main = readYaml(join(troveDir, 'config.yaml'), true, cache);
  const local = readYaml(join(troveDir, 'config.local.yaml'), false, cache);
  cache.save();
  const config = buildConfig(main, local, env);
  const warnings = [...committedSecretWarnings(main), ...exposedSecretWarnings(join(troveDir, 'config.local.yaml'), local)];
  return warnings.length > 0 ? { ...config, warnings } : config;
}

/** config.yaml is committed: a secret there is already in Git's history, so say so on every command until it is gone. */
function committedSecretWarnings(main: Record<string, unknown>): string[] {
  const found = secretSettings(main);
  if (found.length === 0) return [];
  const first = found[0]!.split('.');
  return [`.trove/config.yaml is committed and holds credentials (${found.join(', ')}); move them to config.local.yaml (trove remote modify --local ${first[1]} ${first[2]} VALUE), remove them from config.yaml and revoke them.`];
}

/** A config.local.yaml holding secrets that group or others can read (ssh(1) refuses such key files; we warn). */
function exposedSecretWarnings(path: string, local: Record<string, unknown>): string[] {
  if (process.platform === 'win32' || secretSettings(local).length === 0) return [];
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) === 0) return [];
    return [`.trove/config.local.yaml holds credentials and is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 .trove/config.local.yaml.`];
  } catch {
    // cannot stat the file we just read: no mode to warn about; the warning is advice, the config itself was read
    return [];
  }
}

export const PARSED_CONFIG_VERSION = 1;

/**
 * The parsed YAML of each config file, keyed by the file's exact text, in
 * `.trove/tmp/config.parsed.json`. Every command reads the config, and the
 * YAML library costs ~20 ms to load plus the parse; the text comparison is
 * exact, so an edit by hand (even one keeping size and mtime) is always seen.
 * Holds what config.local.yaml holds (credentials), so it is written 0600.
 * A missing or unreadable cache is a miss, never an error.
 */
class ParsedConfigCache {
  private files: Record<string, { text: string; doc: Record<string, unknown> }> = {};
  private changed = false;

  constructor(private readonly file: string) {
    try {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; files?: ParsedConfigCache['files'] };
      if (json.version === PARSED_CONFIG_VERSION && json.files && typeof json.files === 'object') this.files = json.files;
    } catch {
      /* no cache yet */
    }
  }

  get(name: string, text: string): Record<string, unknown> | undefined {
    const hit = Object.hasOwn(this.files, name) ? this.files[name] : undefined;
    return hit && hit.text === text && hit.doc && typeof hit.doc === 'object' && !Array.isArray(hit.doc) ? hit.doc : undefined;
  }

  set(name: string, text: string, doc: Record<string, unknown>): void {
    this.files[name] = { text, doc };
    this.changed = true;
  }

  save(): void {
    if (!this.changed) return;
    try {
      atomicWriteSync(this.file, JSON.stringify({ version: PARSED_CONFIG_VERSION, files: this.files }), 0o600);
    } catch {
      /* a cache that cannot be saved only costs speed next time */
    }
  }
}

/**
 * Another repository's committed `.trove/config.yaml` as text (read from Git
 * by `trove get`): no local overrides, no environment. `source` names it in errors.
 */
export function parseCommittedConfig(text: string, source: string): Config {
  return buildConfig(parseYamlText(text, source), {}, {});
}

function buildConfig(main: Record<string, unknown>, local: Record<string, unknown>, env: NodeJS.ProcessEnv): Config {
  const version = typeof main.version === 'number' ? main.version : CONFIG_VERSION;
  if (version > CONFIG_VERSION) {
    throw new TroveError('CONFIG', `.trove/config.yaml has format version ${version}, newer than this trove understands (${CONFIG_VERSION}).`, { hint: 'Upgrade trove (npm install -g trove@latest).' });
  }
  const merged = { ...DEFAULT_CORE, ...section(main.core, 'core'), ...section(local.core, 'core') } as Record<string, unknown>;
  const cacheDir = envValue(env, 'TROVE_CACHE_DIR');
  if (cacheDir) merged.cache = cacheDir;
  const fsync = envValue(env, 'TROVE_FSYNC');
  if (fsync !== undefined && fsync !== '') merged.fsync = parseFsyncEnv(fsync);
  const hooks = { ...DEFAULT_HOOKS, ...section(main.hooks, 'hooks'), ...section(local.hooks, 'hooks') } as Record<string, unknown>;
  const gc = { ...DEFAULT_GC, ...section(main.gc, 'gc'), ...section(local.gc, 'gc') } as Record<string, unknown>;
  return { version, core: validateCore(merged), gc: validateGc(gc), remotes: mergeRemotes(main.remotes, local.remotes), hooks: validateHooks(hooks), registry: validateRegistry(section(main.registry, 'registry')),
    params: validateFiles('params', { ...section(main.params, 'params'), ...section(local.params, 'params') }),
    metrics: validateFiles('metrics', { ...section(main.metrics, 'metrics'), ...section(local.metrics, 'metrics') }) };
}

/** TROVE_FSYNC: 1/true/on or 0/false/off; anything else is refused rather than guessed (a typo must not turn durability off). */
function parseFsyncEnv(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new TroveError('USAGE', `TROVE_FSYNC must be 1 or 0, not ${JSON.stringify(value)}.`, { hint: 'Unset it (objects are synced to disk), or set TROVE_FSYNC=0 for scratch work a power cut may lose.', data: { variable: 'TROVE_FSYNC' } });
}

function readYaml(path: string, required: boolean, cache: ParsedConfigCache): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new TroveError('CONFIG', `Cannot read ${path}.`, { hint: 'Run trove init to create it.', cause: err });
  }
  const name = basename(path);
  const hit = cache.get(name, text);
  if (hit) return hit;
  const doc = parseYamlText(text, path);
  // Only what JSON keeps as it is (YAML's .inf or .nan would come back as null).
  if (isJsonSafe(doc)) cache.set(name, text, doc);
  return doc;
}

function isJsonSafe(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJsonSafe);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every(isJsonSafe);
  return false;
}

function parseYamlText(text: string, path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = yamlLib().parse(text) ?? {};
  } catch (err) {
    throw new TroveError('CONFIG', `${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { hint: 'Fix the file by hand (it is plain YAML), or restore it with git checkout -- .trove/config.yaml.', cause: err });
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new TroveError('CONFIG', `${path} must be a YAML mapping.`, { hint: 'See docs/config.md for the keys.' });
  return doc as Record<string, unknown>;
}

function section(v: unknown, name: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new TroveError('CONFIG', `The "${name}" section of the trove config must be a mapping.`, { hint: 'See docs/config.md.' });
  return v as Record<string, unknown>;
}

function validateCore(c: Record<string, unknown>): CoreConfig {
  const bad = (key: string, want: string): never => {
    throw new TroveError('CONFIG', `core.${key} in the trove config must be ${want}, not ${JSON.stringify(c[key])}.`, { hint: 'Edit .trove/config.yaml (or config.local.yaml).' });
  };
  if (typeof c.cache !== 'string' || c.cache === '') bad('cache', 'a directory path');
  if (!LINK_MODES.includes(c.link as LinkMode)) bad('link', LINK_MODES.join(' | '));
  if (typeof c.autostage !== 'boolean') bad('autostage', 'true or false');
  if (!Number.isInteger(c.jobs) || (c.jobs as number) < 0) bad('jobs', 'a non-negative integer');
  if (typeof c.fsync !== 'boolean') bad('fsync', 'true or false');
  if (c.remote !== undefined && c.remote !== null && (typeof c.remote !== 'string' || c.remote === '')) bad('remote', 'the name of a remote');
  return { cache: c.cache as string, link: c.link as LinkMode, autostage: c.autostage as boolean, jobs: c.jobs as number, fsync: c.fsync as boolean, ...(typeof c.remote === 'string' ? { remote: c.remote } : {}) };
}

function validateGc(g: Record<string, unknown>): GcConfig {
  const bad = (key: string, want: string): never => {
    throw new TroveError('CONFIG', `gc.${key} in the trove config must be ${want}, not ${JSON.stringify(g[key])}.`, { hint: 'Edit .trove/config.yaml (or config.local.yaml); 0 turns automatic packing off.' });
  };
  const count = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
  if (!count(g.auto)) bad('auto', 'a non-negative integer');
  if (!count(g.auto_pack_limit)) bad('auto_pack_limit', 'a non-negative integer');
  return { auto: g.auto as number, auto_pack_limit: g.auto_pack_limit as number };
}

function validateHooks(h: Record<string, unknown>): HooksConfig {
  const bad = (key: string, want: string): never => {
    throw new TroveError('CONFIG', `hooks.${key} in the trove config must be ${want}, not ${JSON.stringify(h[key])}.`, { hint: 'Edit .trove/config.yaml (or config.local.yaml); see docs/hooks.md.' });
  };
  // `false` reads naturally as "off" (and YAML 1.1 habits write off as false); `true` as the default mode.
  if (typeof h.pre_commit === 'boolean') h = { ...h, pre_commit: h.pre_commit ? 'check' : 'off' };
  if (typeof h.pre_push === 'boolean') h = { ...h, pre_push: h.pre_push ? 'push' : 'off' };
  if (!PRE_COMMIT_MODES.includes(h.pre_commit as PreCommitMode)) bad('pre_commit', PRE_COMMIT_MODES.join(' | '));
  if (typeof h.restore !== 'boolean') bad('restore', 'true or false');
  if (typeof h.fetch !== 'boolean') bad('fetch', 'true or false');
  if (!PRE_PUSH_MODES.includes(h.pre_push as PrePushMode)) bad('pre_push', PRE_PUSH_MODES.join(' | '));
  return { pre_commit: h.pre_commit as PreCommitMode, restore: h.restore as boolean, fetch: h.fetch as boolean, pre_push: h.pre_push as PrePushMode };
}

/**
 * registry: types (added to dataset/labels/model), stages (names, or
 * {name, versions}), ordered, branch, bump. Committed only: every clone must
 * agree on what a stage means, so config.local.yaml cannot change it.
 */
function validateRegistry(r: Record<string, unknown>): RegistryConfig {
  const bad = (key: string, want: string): never => {
    throw new TroveError('CONFIG', `registry.${key} in .trove/config.yaml must be ${want}, not ${JSON.stringify(r[key])}.`, { hint: 'Edit .trove/config.yaml; see docs/registry.md.' });
  };
  const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
  let types = DEFAULT_REGISTRY.types;
  if (r.types !== undefined && r.types !== null) {
    if (!Array.isArray(r.types) || !r.types.every((t) => typeof t === 'string' && NAME.test(t))) bad('types', 'a list of lower-case names (a-z, 0-9, -)');
    types = [...new Set([...DEFAULT_REGISTRY.types, ...(r.types as string[])])];
  }
  let stages = DEFAULT_REGISTRY.stages;
  if (r.stages !== undefined && r.stages !== null) {
    if (!Array.isArray(r.stages) || r.stages.length === 0) bad('stages', 'a non-empty list of stage names or {name, versions} entries');
    stages = (r.stages as unknown[]).map((e) => {
      const o = typeof e === 'string' ? { name: e } : e;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return bad('stages', 'a list of stage names or {name, versions} entries');
      const { name, versions = 0 } = o as { name?: unknown; versions?: unknown };
      if (typeof name !== 'string' || !NAME.test(name)) return bad('stages', 'stage names of a-z, 0-9 and - only');
      if (!Number.isInteger(versions) || (versions as number) < 0) return bad('stages', 'entries whose versions is a non-negative integer (0 = unlimited)');
      return { name, versions: versions as number };
    });
    if (new Set(stages.map((s) => s.name)).size !== stages.length) bad('stages', 'a list without duplicate names');
  }
  if (r.ordered !== undefined && typeof r.ordered !== 'boolean') bad('ordered', 'true or false');
  if (r.branch !== undefined && (typeof r.branch !== 'string' || r.branch === '' || r.branch.startsWith('-'))) bad('branch', 'a branch name');
  if (r.bump !== undefined && !['major', 'minor', 'patch'].includes(r.bump as string)) bad('bump', 'major | minor | patch');
  return {
    types,
    stages,
    ordered: (r.ordered as boolean | undefined) ?? DEFAULT_REGISTRY.ordered,
    branch: (r.branch as string | undefined) ?? DEFAULT_REGISTRY.branch,
    bump: (r.bump as Bump | undefined) ?? DEFAULT_REGISTRY.bump,
  };
}

/**
 * params.files / metrics.files: a non-empty list of repository-relative paths
 * (no "..", never inside .git or .trove) whose extension names a format trove
 * reads (params: .yaml .yml .json .toml; metrics: .json .yaml .yml .csv).
 */
function validateFiles(name: 'params' | 'metrics', f: Record<string, unknown>): FilesConfig {
  const bad = (want: string): never => {
    throw new TroveError('CONFIG', `${name}.files in the trove config must be ${want}, not ${JSON.stringify(f.files)}.`, { hint: 'Edit .trove/config.yaml; see docs/config.md#params-and-metrics-files.', data: { key: `${name}.files` } });
  };
  if (f.files === undefined || f.files === null) return name === 'params' ? DEFAULT_PARAMS : DEFAULT_METRICS;
  const files = typeof f.files === 'string' ? [f.files] : f.files;
  if (!Array.isArray(files) || files.length === 0 || !files.every((x) => typeof x === 'string' && x !== '')) bad('a non-empty list of file paths');
  const exts = name === 'params' ? '.yaml, .yml, .json or .toml' : '.json, .yaml, .yml or .csv';
  for (const file of files as string[]) {
    try {
      checkRepoPath(file, `${name}.files`);
    } catch {
      // reported: bad() throws CONFIG naming the file
      bad(`repository-relative paths (no "..", not absolute, not inside .git or .trove); "${file}" is not`);
    }
    if ((name === 'params' ? paramsFormatFor(file) : metricsFormatFor(file)) === null) bad(`files ending in ${exts}; "${file}" does not`);
  }
  return { files: [...new Set(files as string[])] };
}

export function resolveCacheDir(troveDir: string, cache: string): string {
  return isAbsolute(cache) ? cache : resolve(troveDir, cache);
}

/** Remote sections of the committed and the local config, merged key by key (the local file holds credentials). */
function mergeRemotes(main: unknown, local: unknown): Record<string, RemoteConfig> {
  const a = section(main, 'remotes');
  const b = section(local, 'remotes');
  const out: Record<string, RemoteConfig> = {};
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const merged = { ...section(a[name], `remotes.${name}`), ...section(b[name], `remotes.${name}`) };
    if (typeof merged.url !== 'string' || merged.url === '') {
      throw new TroveError('CONFIG', `The remote "${name}" in the trove config has no url.`, { hint: `Set it with trove remote modify ${name} url URL, or remove the remote with trove remote remove ${name}.` });
    }
    out[name] = merged as RemoteConfig;
  }
  return out;
}
