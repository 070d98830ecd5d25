/**
 * What trove takes from the remote settings of a repository someone else
 * wrote (`trove get` / `import` / `update` read its committed
 * .trove/config.yaml). Only settings that say where the data is and how to
 * pace the transfer: never one that chooses whose credentials are used
 * (profile, credentials_file, key_file, keys, tokens, headers), relaxes a
 * host check (strict_host_key_checking, known_hosts) or sends requests, and
 * the user's credentials with them, to a host the URL does not name
 * (endpoint, account_name). The URL itself is taken: it is what the user
 * asked to read from, as `git clone URL` is.
 */
export const UPSTREAM_SAFE_SETTINGS: ReadonlySet<string> = new Set(['region', 'path_style', 'checksum', 'timeout_ms', 'jobs']);

/** Settings that aim requests at a host other than the URL's (S3, GCS and Azure endpoints; an Azure account is a host name). */
export const REDIRECTING_SETTINGS: ReadonlySet<string> = new Set(['endpoint', 'account_name']);

export interface ScreenedSettings {
  /** the settings that may be used */
  readonly settings: Record<string, unknown>;
  /** settings left out (sorted), redirecting ones included */
  readonly ignored: string[];
  /** the left-out settings that would have sent requests elsewhere (sorted) */
  readonly redirecting: string[];
}

export function screenUpstreamSettings(theirs: Readonly<Record<string, unknown>>): ScreenedSettings {
  const settings: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [k, v] of Object.entries(theirs)) {
    if (k === 'url') continue;
    if (UPSTREAM_SAFE_SETTINGS.has(k)) settings[k] = v;
    else ignored.push(k);
  }
  ignored.sort();
  return { settings, ignored, redirecting: ignored.filter((k) => REDIRECTING_SETTINGS.has(k)) };
}
