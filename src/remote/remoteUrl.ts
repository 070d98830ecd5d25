import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TroveError } from '../errors/index.js';
import { redactUrl } from '../util/redactUrl.js';

export type RemoteScheme = 'dir' | 's3' | 'azure' | 'gs' | 'ssh' | 'http';

/** A remote URL split into what the backends need. Never holds a secret after redact(). */
export interface RemoteUrl {
  readonly scheme: RemoteScheme;
  /** bucket / container / host (empty for dir) */
  readonly host: string;
  /** key prefix inside the bucket, or the directory / remote path; no leading or trailing '/' for object stores */
  readonly path: string;
  /** ssh: user and port; http: the full base URL */
  readonly user?: string;
  readonly port?: number;
  readonly base?: string;
}

const SCHEMES: Record<string, RemoteScheme> = {
  'file:': 'dir',
  's3:': 's3',
  'azure:': 'azure',
  'az:': 'azure',
  'gs:': 'gs',
  'ssh:': 'ssh',
  'sftp:': 'ssh',
  'http:': 'http',
  'https:': 'http',
};

/**
 * Parse a remote URL. A plain path (absolute, or relative to `cwd`) is a
 * directory remote, as `git remote add` accepts paths.
 */
export function parseRemoteUrl(url: string, cwd = process.cwd()): RemoteUrl {
  const bad = (why: string): never => {
    throw new TroveError('USAGE', `"${redactUrl(url)}" is not a remote URL trove understands: ${why}.`, {
      hint: 'Use a directory path, file:///path, s3://bucket/prefix, azure://container/prefix, gs://bucket/prefix, ssh://user@host:port/path or https://host/path.',
    });
  };
  if (url.trim() === '') bad('it is empty');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^[A-Za-z]:[\\/]/.test(url)) bad('scp-style host:path is ambiguous, write ssh://host/path');
    return { scheme: 'dir', host: '', path: isAbsolute(url) ? url : resolve(cwd, url) };
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // reported: bad() throws, naming the URL
    return bad('it cannot be parsed');
  }
  const scheme = SCHEMES[u.protocol];
  if (!scheme) return bad(`the scheme ${u.protocol.replace(':', '')} is not supported`);
  const trim = (p: string): string => decodeURIComponent(p).replace(/^\/+|\/+$/g, '');
  switch (scheme) {
    case 'dir':
      return { scheme, host: '', path: fileURLToPath(u) };
    case 'ssh': {
      if (!u.hostname) bad('it names no host');
      // ssh://host/abs/path is absolute; ssh://host/~/rel is relative to the login directory.
      const p = decodeURIComponent(u.pathname);
      return { scheme, host: u.hostname, path: p.startsWith('/~/') ? p.slice(3) : p || '/', user: u.username ? decodeURIComponent(u.username) : undefined, port: u.port ? Number(u.port) : undefined };
    }
    case 'http':
      return { scheme, host: u.host, path: trim(u.pathname), base: `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}/` };
    default:
      if (!u.hostname) bad('it names no bucket or container');
      return { scheme, host: u.hostname, path: trim(u.pathname) };
  }
}

// Redaction is generic text work (the config loader needs it too, a layer below): it lives in util.
export { redactUrl, redactText } from '../util/redactUrl.js';
