import { TroveError } from '../../errors/index.js';
import type { ManifestEntry } from '../../core/manifest.js';
import { createPointer, dataPathFor, isPointerPath, parsePointer, pointerPathFor, type Pointer } from '../../core/pointer.js';
import { checkRepoPath, isContainedLinkTarget } from '../../core/repoPath.js';
import { parseCommittedConfig, type Config, type RemoteConfig } from '../../platform/config.js';
import { displayUrl, listUpstreamPaths, readUpstreamFiles, type UpstreamRepo } from '../../platform/upstreamRepo.js';
import { parseRemoteUrl, redactUrl } from '../../remote/remoteUrl.js';
import { screenUpstreamSettings } from '../../remote/screenUpstreamSettings.js';
import { readManifest, writeManifest } from '../../store/manifestIO.js';
import type { ObjectStore } from '../../store/ObjectStore.js';
import { pointerAsEntry } from '../scan/workState.js';

/** What a path in another repository names: the tracked artifact holding it, and where inside it. */
export interface UpstreamArtifact {
  /** the tracked artifact's data path in the other repository */
  readonly path: string;
  readonly pointer: Pointer;
  /** the requested path relative to the artifact; '' for the whole artifact */
  readonly sub: string;
  /** the other repository's committed .trove/config.yaml at that commit, if any */
  readonly configText?: string;
}

/** A version of data ready to write: its pointer (as this repository would record it) and its entries. */
export interface DataVersion {
  readonly pointer: Pointer;
  /** a file is one entry with path '' */
  readonly entries: ManifestEntry[];
}

const CONFIG_PATH = '.trove/config.yaml';

/** A path in the other repository as typed: `./` and a trailing `/` dropped, a pointer path means its data. */
export function normalizeUpstreamPath(input: string): string {
  let p = input.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (isPointerPath(p)) p = dataPathFor(p);
  checkRepoPath(p, 'the command line');
  if (p === '.trove' || p.startsWith('.trove/')) throw new TroveError('USAGE', `"${input}" is inside .trove, which holds trove's own files.`, { hint: 'Name tracked data, for example data/train.csv.' });
  return p;
}

/**
 * Find the pointer for `path` at `commit`: `path.trove` itself, or the
 * pointer of a tracked directory above it. One ls-tree on cached trees plus
 * the pointer's and the config's blobs.
 */
export async function findUpstreamArtifact(up: UpstreamRepo, commit: string, path: string): Promise<UpstreamArtifact> {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => pointerPathFor(parts.slice(0, i + 1).join('/')));
  const files = await readUpstreamFiles(up, commit, [...candidates, CONFIG_PATH]);
  const hit = [...candidates].reverse().find((c) => files.has(c));
  if (!hit) throw await notTracked(up, commit, path);
  const artifactPath = dataPathFor(hit);
  const pointer = parsePointer(files.get(hit)!, `${hit} in ${displayUrl(up.url)} at ${commit.slice(0, 12)}`);
  const sub = path === artifactPath ? '' : path.slice(artifactPath.length + 1);
  if (sub !== '' && pointer.kind === 'file') throw await notTracked(up, commit, path);
  const configText = files.get(CONFIG_PATH)?.toString('utf8');
  return { path: artifactPath, pointer, sub, ...(configText !== undefined ? { configText } : {}) };
}

async function notTracked(up: UpstreamRepo, commit: string, path: string): Promise<TroveError> {
  const tracked = (await listUpstreamPaths(up, commit, (p) => isPointerPath(p) && !p.startsWith('.trove/'))).map(dataPathFor);
  const near = nearest(tracked, path);
  const hint = near.length
    ? `Tracked there: ${near.join(', ')}${tracked.length > near.length ? ` (and ${tracked.length - near.length} more)` : ''}.`
    : 'That repository tracks no data with trove at this revision; pick another with --rev.';
  return new TroveError('NOT_TRACKED', `${path} is not tracked by trove in ${displayUrl(up.url)} at ${commit.slice(0, 12)}.`, { hint, data: { url: displayUrl(up.url), path, commit, nearby: near } });
}

/** Up to five paths sharing the longest leading directories with `path` (the cheap "did you mean"). */
function nearest(paths: readonly string[], path: string, limit = 5): string[] {
  const common = (a: string): number => {
    const x = a.split('/');
    const y = path.split('/');
    let n = 0;
    while (n < x.length && n < y.length && x[n] === y[n]) n++;
    return n;
  };
  return [...paths].sort((a, b) => common(b) - common(a) || (a < b ? -1 : 1)).slice(0, limit);
}

/** A remote of the other repository (or one given by URL), with what `import` records to find it again. */
export interface UpstreamRemote {
  readonly name: string;
  readonly url: string;
  readonly settings: Record<string, unknown>;
  /** the -r value to record: the name, or the URL made absolute; undefined when the default was used */
  readonly given?: string;
  /** settings of the other repository's config that were not used (screenUpstreamSettings), for a warning */
  readonly ignored: string[];
}

/**
 * The remote to download from: `override` (a remote name in the other
 * repository's config, or a remote URL), else that config's default remote,
 * else its only remote.
 */
export function chooseUpstreamRemote(up: UpstreamRepo, commit: string, a: UpstreamArtifact, override: string | undefined, cwd: string, own: Readonly<Record<string, RemoteConfig>> = {}): UpstreamRemote {
  const where = `${displayUrl(up.url)} at ${commit.slice(0, 12)}`;
  const load = (): Config | undefined => {
    if (a.configText === undefined) return undefined;
    try {
      return parseCommittedConfig(a.configText, `${CONFIG_PATH} of ${where}`);
    } catch (err) {
      if (override) return undefined; // a remote given by URL does not need that config
      throw new TroveError('CONFIG', `The trove config of ${where} is invalid: ${(err as Error).message.replace(/\.$/, '')}.`, { hint: 'Pass -r URL to name a remote that has the data.', cause: err });
    }
  };
  const config = load();
  const pick = (name: string): UpstreamRemote => {
    const { url, ...theirs } = config!.remotes[name]!;
    return { name, url, ...trustedSettings(name, url, theirs, own, where), ...(override ? { given: name } : {}) };
  };
  if (override) {
    if (config?.remotes[override]) return pick(override);
    if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(override)) {
      const names = Object.keys(config?.remotes ?? {});
      throw new TroveError('NOT_FOUND', `${where} has no remote named "${override}".`, { hint: names.length ? `Its remotes: ${names.join(', ')}; or pass -r with a remote URL.` : 'Pass -r with a remote URL (a directory, s3://…, https://…).', data: { remote: override } });
    }
    // A directory given relative to where the command ran is made absolute, as trove remote add does.
    const parsed = parseRemoteUrl(override, cwd);
    const url = parsed.scheme === 'dir' && !/^file:/i.test(override) ? parsed.path : override;
    return { name: redactUrl(override), url, ...trustedSettings(redactUrl(override), url, {}, own, where), given: url };
  }
  const names = Object.keys(config?.remotes ?? {});
  const name = config?.core.remote && config.remotes[config.core.remote] ? config.core.remote : names.length === 1 ? names[0] : undefined;
  if (!name) {
    throw new TroveError('USAGE', `${where} has no trove remote to download ${a.path} from${names.length > 1 ? ' (several remotes, none is the default)' : ''}.`, {
      hint: names.length > 1 ? `Pass -r NAME (one of ${names.join(', ')}).` : `Pass -r with the URL of a remote that has the data, or ask its owners to add one (trove remote add -d NAME URL), commit it and trove push.`,
      data: { url: displayUrl(up.url), commit, remotes: names },
    });
  }
  return pick(name);
}

/**
 * The settings to talk to another repository's remote with: the few its
 * config may choose (screenUpstreamSettings), under the user's own settings
 * for the same URL when the user's repository has a remote with that URL
 * (that is how a user trusts an endpoint or picks credentials for it). A
 * setting that would send requests to another host, which the user has not
 * named, stops the command before any request: dropping it would send the
 * user's credentials to whoever owns that bucket name on the default host.
 */
function trustedSettings(name: string, url: string, theirs: Record<string, unknown>, own: Readonly<Record<string, RemoteConfig>>, where: string): { settings: Record<string, unknown>; ignored: string[] } {
  const screened = screenUpstreamSettings(theirs);
  const trim = (u: string): string => u.replace(/\/+$/, '');
  const mine = parseRemoteUrl(url, '/').scheme === 'dir' ? undefined : Object.values(own).find((r) => trim(r.url) === trim(url));
  if (mine) {
    const { url: _url, ...settings } = mine;
    return { settings: { ...screened.settings, ...settings }, ignored: screened.ignored.filter((k) => !Object.hasOwn(settings, k)) };
  }
  if (screened.redirecting.length > 0) {
    const key = screened.redirecting[0]!;
    const value = redactUrl(String(theirs[key]));
    throw new TroveError('CONFIG', `The trove config of ${where} sends its remote "${name}" to ${key} ${value}, and trove does not send your credentials to a server another repository chose.`, {
      hint: `If you trust it, add that remote to your own repository's config and run the command there: trove remote add --local theirs ${redactUrl(url)} && trove remote modify --local theirs ${key} ${value}`,
      data: { remote: name, setting: key, value },
    });
  }
  return screened;
}

/**
 * The version to write, once its objects are in `store`: the whole artifact,
 * one file inside a tracked directory (a file pointer), or a folder inside one
 * (a new manifest of just that folder, written to `store`).
 */
export function narrowArtifact(store: ObjectStore, a: UpstreamArtifact, where: string): DataVersion {
  const { source: _ignored, version: _v, ...plain } = a.pointer;
  const whole = createPointer(plain);
  if (whole.kind === 'file') return { pointer: whole, entries: [pointerAsEntry(whole)] };
  const all = readManifest(store, whole.oid, a.path);
  if (a.sub === '') return { pointer: whole, entries: all };
  const exact = all.find((e) => e.path === a.sub);
  if (exact?.mode === 'l') throw new TroveError('USAGE', `${a.path}/${a.sub} is a symbolic link inside ${a.path} (${where}).`, { hint: `Get the file it points to (${exact.target}), or the whole directory ${a.path}.` });
  if (exact) return { pointer: createPointer({ kind: 'file', oid: exact.oid, size: exact.size, ...(exact.mode === 'x' ? { executable: true } : {}) }), entries: [{ ...exact, path: '' }] };
  const prefix = `${a.sub}/`;
  const inside = all.filter((e) => e.path.startsWith(prefix)).map((e) => ({ ...e, path: e.path.slice(prefix.length) }));
  if (inside.length === 0) {
    const siblings = nearest(all.map((e) => `${a.path}/${e.path}`), `${a.path}/${a.sub}`);
    throw new TroveError('NOT_TRACKED', `${a.path}/${a.sub} is not in the tracked directory ${a.path} (${where}).`, { hint: `Files there include: ${siblings.join(', ')}.`, data: { path: `${a.path}/${a.sub}`, artifact: a.path, nearby: siblings } });
  }
  const escaping = inside.find((e) => e.mode === 'l' && !isContainedLinkTarget(e.path, e.target));
  if (escaping) throw new TroveError('USAGE', `${a.path}/${a.sub}/${escaping.path} is a symbolic link to outside ${a.path}/${a.sub} (${where}).`, { hint: `Get the whole directory ${a.path} instead.` });
  const tree = writeManifest(store, inside);
  return { pointer: createPointer({ kind: 'dir', oid: tree.root, size: tree.size, files: tree.files }), entries: inside };
}
