import { existsSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import type { Document } from 'yaml';
import { yamlLib } from '../platform/yamlLib.js';
import { TroveError } from '../errors/index.js';
import { editConfig, SECRET_KEYS } from '../platform/configEdit.js';
import type { RemoteConfig } from '../platform/config.js';
import { parseRemoteUrl, redactUrl } from '../remote/remoteUrl.js';
import { hasUrlCredentials } from '../util/redactUrl.js';
import { reloadConfig, type Repo } from '../workspace/Repo.js';

export interface RemoteInfo {
  readonly name: string;
  /** redacted */
  readonly url: string;
  readonly scheme: string;
  readonly isDefault: boolean;
  /** settings with secret values shown as "***" */
  readonly settings: Record<string, unknown>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new TroveError('USAGE', `"${name}" is not a valid remote name.`, { hint: 'Use letters, digits, ".", "_" and "-", starting with a letter or digit (example: storage).' });
}

function requireRemote(repo: Repo, name: string): RemoteConfig {
  const config = repo.config;
  const r = config.remotes[name];
  if (!r) {
    const names = Object.keys(config.remotes);
    throw new TroveError('NOT_FOUND', `There is no remote named "${name}".`, { hint: names.length ? `Configured remotes: ${names.join(', ')}.` : 'Add one with trove remote add NAME URL.', data: { remote: name } });
  }
  return r;
}

/** Credentials in a URL would be committed with config.yaml: they belong in config.local.yaml. */
function hasCredentials(url: string): boolean {
  return hasUrlCredentials(url);
}

/**
 * The URL as the config stores it. A relative directory (typed relative to
 * where the user stands) is stored relative to the repository root, which
 * every clone resolves to its own place (Backend's baseDir); an absolute one
 * would name this machine's clone in every other clone's committed config.
 * A directory that does not exist yet is reported, not created: push creates
 * it, and a typo should be seen before then.
 */
function storedUrl(repo: Repo, name: string, url: string): string {
  const parsed = parseRemoteUrl(url, repo.cwd);
  if (parsed.scheme !== 'dir') return url;
  if (!existsSync(parsed.path)) repo.reporter.warn(`The directory ${parsed.path} of the remote "${name}" does not exist yet; trove push will create it.`, { remote: name, path: parsed.path });
  if (/^file:/i.test(url) || isAbsolute(url)) return url;
  return relative(repo.root, parsed.path).split(sep).join('/') || '.';
}

/** yaml's deleteIn throws when a parent on the path is absent (a fresh config.local.yaml has no remotes section). */
function deleteIn(doc: Document, path: string[]): void {
  if (doc.hasIn(path)) doc.deleteIn(path);
}

function setIn(doc: Document, path: string[], value: unknown): void {
  doc.setIn(path, value);
}

/**
 * After an edit: the config on disk changed, so re-read it into `repo.config`
 * (the only re-read there is), then stage config.yaml as add stages pointers
 * (core.autostage).
 */
async function stageConfig(repo: Repo, local: boolean): Promise<void> {
  const config = reloadConfig(repo);
  if (!local && config.core.autostage) await repo.git.run(['add', '--', '.trove/config.yaml'], { allowFail: true });
}

function parseValue(v: string): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^-?[0-9]+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  return v;
}

export async function addRemote(repo: Repo, name: string, url: string, options: { makeDefault?: boolean; local?: boolean; force?: boolean } = {}): Promise<RemoteInfo> {
  checkName(name);
  parseRemoteUrl(url, repo.cwd);
  const config = repo.config;
  if (config.remotes[name] && !options.force) {
    throw new TroveError('USAGE', `A remote named "${name}" already exists (${redactUrl(config.remotes[name]!.url)}).`, { hint: `Change it with trove remote modify ${name} url URL, or pass --force to replace it.` });
  }
  if (hasCredentials(url) && !options.local) {
    throw new TroveError('USAGE', `The URL for "${name}" contains credentials, and config.yaml is committed.`, { hint: `Add the remote without them and store the secret with trove remote modify --local ${name} password VALUE (or use --local for the whole remote).` });
  }
  const stored = storedUrl(repo, name, url);
  editConfig(repo.troveDir, Boolean(options.local), (doc) => {
    if (options.force) deleteIn(doc, ['remotes', name]);
    setIn(doc, ['remotes', name, 'url'], stored);
  });
  const makeDefault = options.makeDefault || (!config.core.remote && Object.keys(config.remotes).length === 0);
  if (makeDefault) editConfig(repo.troveDir, Boolean(options.local), (doc) => setIn(doc, ['core', 'remote'], name));
  await stageConfig(repo, Boolean(options.local));
  return listRemotes(repo).find((r) => r.name === name)!;
}

export function listRemotes(repo: Repo): RemoteInfo[] {
  const config = repo.config;
  return Object.entries(config.remotes)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, r]) => {
      const settings: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) if (k !== 'url') settings[k] = SECRET_KEYS.has(k) ? '***' : typeof v === 'string' ? redactUrl(v) : v;
      return { name, url: redactUrl(r.url), scheme: parseRemoteUrl(r.url, repo.root).scheme, isDefault: config.core.remote === name, settings };
    });
}

export async function removeRemote(repo: Repo, name: string): Promise<void> {
  requireRemote(repo, name);
  for (const local of [false, true]) {
    editConfig(repo.troveDir, local, (doc) => {
      deleteIn(doc, ['remotes', name]);
      const rs = doc.getIn(['remotes']);
      if (yamlLib().isMap(rs) && rs.items.length === 0) deleteIn(doc, ['remotes']);
      if (doc.getIn(['core', 'remote']) === name) deleteIn(doc, ['core', 'remote']);
    });
  }
  await stageConfig(repo, false);
}

export async function setDefaultRemote(repo: Repo, name: string, options: { local?: boolean } = {}): Promise<void> {
  requireRemote(repo, name);
  editConfig(repo.troveDir, Boolean(options.local), (doc) => setIn(doc, ['core', 'remote'], name));
  await stageConfig(repo, Boolean(options.local));
}

/** Set (or with value undefined, unset) one key of a remote. Secrets always go to the local file. */
export async function modifyRemote(repo: Repo, name: string, key: string, value: string | undefined, options: { local?: boolean } = {}): Promise<{ local: boolean }> {
  requireRemote(repo, name);
  if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new TroveError('USAGE', `"${key}" is not a remote setting name.`, { hint: 'Settings are lower_snake_case, for example endpoint, region, key_file; see docs/remotes.md.' });
  if (key === 'url' && value !== undefined) {
    parseRemoteUrl(value, repo.cwd);
    if (hasCredentials(value) && !options.local) throw new TroveError('USAGE', 'The URL contains credentials, and config.yaml is committed.', { hint: 'Pass --local to keep it in config.local.yaml.' });
  }
  if (key !== 'url' && value !== undefined && !SECRET_KEYS.has(key) && !options.local && hasCredentials(value)) {
    throw new TroveError('USAGE', `The value for ${key} of "${name}" contains credentials, and config.yaml is committed.`, { hint: `Give it without them and store the secret in its own setting (trove remote modify --local ${name} password VALUE), or pass --local to keep this value in config.local.yaml.` });
  }
  if (key === 'url' && value === undefined) throw new TroveError('USAGE', 'A remote needs a url.', { hint: `Remove the remote instead: trove remote remove ${name}.` });
  const local = Boolean(options.local) || SECRET_KEYS.has(key);
  const stored = key === 'url' && value !== undefined ? storedUrl(repo, name, value) : value;
  editConfig(repo.troveDir, local, (doc) => {
    if (stored === undefined) deleteIn(doc, ['remotes', name, key]);
    else setIn(doc, ['remotes', name, key], key === 'url' ? stored : parseValue(stored));
  });
  await stageConfig(repo, local);
  return { local };
}

/** The remote a transfer command uses: the one named, else the default, else the only one. */
export function resolveRemoteName(repo: Repo, name?: string): string {
  const config = repo.config;
  if (name) {
    requireRemote(repo, name);
    return name;
  }
  if (config.core.remote) {
    if (!config.remotes[config.core.remote]) throw new TroveError('CONFIG', `The default remote "${config.core.remote}" is not configured.`, { hint: 'Add it with trove remote add, or pick another with trove remote default NAME.' });
    return config.core.remote;
  }
  const names = Object.keys(config.remotes);
  if (names.length === 1) return names[0]!;
  throw new TroveError('USAGE', names.length === 0 ? 'No remote is configured.' : 'Several remotes are configured and none is the default.', {
    hint: names.length === 0 ? 'Add one: trove remote add -d storage /path/to/shared/dir (or s3://bucket/prefix).' : `Pass -r NAME (one of ${names.join(', ')}) or set one with trove remote default NAME.`,
  });
}
