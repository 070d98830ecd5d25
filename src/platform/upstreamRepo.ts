import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TroveError } from '../errors/index.js';
import { createGit, type Git } from './git.js';
import { parseLsTree } from './parseLsTree.js';

/**
 * Another Git repository, read through a private bare cache repository: its
 * commits and trees are fetched there (blobs only on demand), so nothing is
 * cloned into the user's repository and a second `trove get` from the same
 * URL fetches only what changed.
 */
export interface UpstreamRepo {
  /** the URL as git is given it (a local path made absolute) */
  readonly url: string;
  /** a local path or file:// URL: its upload-pack runs on this machine */
  readonly local: boolean;
  /** the bare cache repository */
  readonly git: Git;
}

const NAME = 'origin';

/**
 * A Git URL as given on the command line: a URL with a scheme, scp-like
 * `host:path` (git's rule: a colon before the first slash), or a local path,
 * made absolute because git runs in the cache directory, not in `cwd`.
 */
export function normalizeGitUrl(url: string, cwd: string): { url: string; local: boolean } {
  if (url.trim() === '') throw new TroveError('USAGE', 'The repository URL is empty.', { hint: 'Give a Git URL or a path: trove get https://host/org/repo.git data/x.bin' });
  // A URL that git could read as an option (CVE-2017-1000117): never pass it on.
  if (url.startsWith('-')) throw new TroveError('USAGE', `"${url}" is not a repository URL.`, { hint: 'Give a Git URL or a path (prefix a path starting with "-" with ./).' });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return { url, local: /^file:\/\//i.test(url) };
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  if (colon > 0 && (slash < 0 || colon < slash)) return { url, local: false };
  return { url: resolve(cwd, url), local: true };
}

/** Open (creating on first use) the bare cache for `url` in `cacheDir`. */
export async function openUpstreamRepo(url: string, local: boolean, cacheDir: string): Promise<UpstreamRepo> {
  const git = createGit(cacheDir);
  if (!existsSync(join(cacheDir, 'HEAD'))) {
    mkdirSync(cacheDir, { recursive: true });
    await git.run(['init', '-q', '--bare']);
  }
  const marker = await git.run(['config', '--get', 'trove.url'], { allowFail: true });
  if (marker.stdout.toString('utf8').trim() !== url) {
    // A partial-clone cache: blobs are left on the server and fetched lazily
    // from the promisor remote when read (only pointers and the config are).
    const settings: [string, string][] = [
      ['core.repositoryformatversion', '1'],
      ['extensions.partialClone', NAME],
      [`remote.${NAME}.url`, url],
      [`remote.${NAME}.promisor`, 'true'],
      [`remote.${NAME}.partialclonefilter`, 'blob:none'],
      ['gc.auto', '0'],
    ];
    // Local upload-pack reads the other repository's config, where filters are
    // off by default; it runs as us, so we may ask it to filter (else every blob
    // of the commit would be copied).
    if (local) settings.push([`remote.${NAME}.uploadpack`, 'git -c uploadpack.allowFilter=true -c uploadpack.allowAnySHA1InWant=true upload-pack']);
    for (const [key, value] of settings) await git.run(['config', key, value]);
    await git.run(['config', 'trove.url', url]);
    // A URL with a token in it is a secret in this file: keep it to its owner, as config.local.yaml is.
    if (displayUrl(url) !== url) chmodSync(join(cacheDir, 'config'), 0o600);
  }
  return { url, local, git };
}

/**
 * The blobs at `paths` in `commit` (absent paths are left out). Trees are in
 * the cache already; each blob is fetched from the server on first read.
 */
export async function readUpstreamFiles(up: UpstreamRepo, commit: string, paths: readonly string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (paths.length === 0) return out;
  const res = await up.git.run(['ls-tree', '-z', '--full-tree', commit, '--', ...paths]);
  for (const { type, oid: blob, path } of parseLsTree(res.stdout)) {
    if (type !== 'blob' || !paths.includes(path)) continue;
    const data = await up.git.run(['cat-file', 'blob', blob], { allowFail: true });
    if (data.code !== 0) {
      throw new TroveError('GIT', `Cannot read ${path} from ${displayUrl(up.url)}: ${firstLine(data.stderr) || 'git cat-file failed'}.`, {
        hint: 'Check your network and access to that repository, then run the command again.',
        data: { url: displayUrl(up.url), path },
      });
    }
    out.set(path, data.stdout);
  }
  return out;
}

/** Every file path in `commit` that satisfies `filter` (from the cached trees: no blob is fetched). */
export async function listUpstreamPaths(up: UpstreamRepo, commit: string, filter: (path: string) => boolean): Promise<string[]> {
  const res = await up.git.run(['ls-tree', '-r', '-z', '--name-only', '--full-tree', commit]);
  return res.stdout.toString('utf8').split('\0').filter((p) => p !== '' && filter(p));
}

/** A URL for messages: userinfo (a token in https://user:token@host) never reaches the user's terminal or a log. */
export function displayUrl(url: string): string {
  return url.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
}

export function firstLine(s: string): string {
  const line = s.split('\n').find((l) => /^(fatal|error): /.test(l)) ?? s.split('\n')[0] ?? '';
  return displayUrl(line.replace(/^(fatal|error): /, '').replace(/\.$/, '').trim());
}

export const UPSTREAM_REMOTE = NAME;
